"""An overall deadline on each request to the LLM endpoint: connect, headers and whole body.

httpx's timeout bounds each network operation on its own: an endpoint that sends a byte just
inside the read timeout, over and over, holds the call (and the run's worker slot) for as long
as it likes. Here the whole exchange runs under one ``asyncio.timeout``; past it the answer is
dropped, its connection closed, and the call fails as DeadlineExceededError, which the SDK
passes on without a retry.
"""

from __future__ import annotations

import asyncio

import httpx

from app.llm.errors import DeadlineExceededError


class DeadlineTransport(httpx.AsyncBaseTransport):
    """Sends a request and reads its whole answer within ``deadline_s``, or raises."""

    def __init__(self, inner: httpx.AsyncBaseTransport, deadline_s: float) -> None:
        self.inner = inner
        self.deadline_s = deadline_s

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response: httpx.Response | None = None
        deadline = asyncio.timeout(self.deadline_s)
        try:
            async with deadline:
                response = await self.inner.handle_async_request(request)
                await response.aread()
        except BaseException as exc:
            if response is not None:
                await response.aclose()
            if isinstance(exc, TimeoutError) and deadline.expired():
                raise DeadlineExceededError(request, self.deadline_s) from None
            raise
        return response

    async def aclose(self) -> None:
        await self.inner.aclose()
