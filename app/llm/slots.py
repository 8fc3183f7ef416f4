"""A cap on LLM requests in flight across the whole process, separate from the workers.

A worker slot spends part of each run on CPU (parsing, grounding, storing) rather than waiting
on the model. If runs and LLM calls shared one bound, every slot busy with CPU would leave the
provider's concurrency idle. With ``FACTDIFF_LLM_MAX_IN_FLIGHT`` set, the workers may hold more
runs than that, and a run whose answer is in is parsed while another run's request takes its
place at once.
"""

from __future__ import annotations

import asyncio

import httpx


class InFlightLimitedTransport(httpx.AsyncBaseTransport):
    """Holds one of ``limit`` slots from sending a request until its whole answer is read."""

    def __init__(self, inner: httpx.AsyncBaseTransport, limit: int) -> None:
        self.inner = inner
        self.limit = limit
        self._slots = asyncio.Semaphore(limit)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        async with self._slots:
            response = await self.inner.handle_async_request(request)
            try:
                await response.aread()
            except BaseException:
                await response.aclose()
                raise
        return response

    async def aclose(self) -> None:
        await self.inner.aclose()
