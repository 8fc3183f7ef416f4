"""The HTTP transport under the openai SDK when ``FACTDIFF_LLM_HTTP_CLIENT=aiohttp``.

aiohttp (openai's ``aiohttp`` extra, through httpx-aiohttp) sends the same requests as httpx's
own transport for about half the CPU when many calls are in flight: httpcore re-checks every
pooled connection on each request. The SDK, its retries and our request hooks stay as they are.
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Callable

import httpx


class PerLoopTransport(httpx.AsyncBaseTransport):
    """One transport per event loop: an aiohttp session belongs to the loop it was made in,
    and a client may outlive a loop (``asyncio.run`` called twice, test clients)."""

    def __init__(self, make: Callable[[], httpx.AsyncBaseTransport]) -> None:
        self._make = make
        self._by_loop: weakref.WeakKeyDictionary[
            asyncio.AbstractEventLoop, httpx.AsyncBaseTransport
        ] = weakref.WeakKeyDictionary()

    def _current(self) -> httpx.AsyncBaseTransport:
        loop = asyncio.get_running_loop()
        transport = self._by_loop.get(loop)
        if transport is None:
            transport = self._by_loop[loop] = self._make()
        return transport

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        return await self._current().handle_async_request(request)

    async def aclose(self) -> None:
        transport = self._by_loop.pop(asyncio.get_running_loop(), None)
        if transport is not None:
            await transport.aclose()


def aiohttp_transport(limits: httpx.Limits) -> httpx.AsyncBaseTransport:
    """Raises ImportError without the aiohttp extra."""
    from httpx_aiohttp import AiohttpTransport

    return PerLoopTransport(lambda: AiohttpTransport(limits=limits))
