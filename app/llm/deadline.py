"""An overall deadline on each request to the LLM endpoint: connect, headers and whole body.

httpx's timeout bounds each network operation on its own: an endpoint that sends a byte just
inside the read timeout, over and over, holds the call (and the run's worker slot) for as long
as it likes. Here the whole exchange runs in a task of its own; past the deadline the task is
cancelled, so its answer is dropped and its connection closed, and the call fails as
DeadlineExceededError, which the SDK passes on without a retry.

The transport's own clean-up after the cancel (closing the response, httpcore's close in a
shielded scope, the awaits in aiohttp's error path) is not ours to trust: it gets
CLOSE_GRACE_S, a second cancel and CLOSE_GRACE_S more, and is then left to finish on its own.
The caller never waits more than the deadline plus twice the grace, whatever the close does.
"""

from __future__ import annotations

import asyncio
import logging

import httpx

from app.llm.errors import DeadlineExceededError

log = logging.getLogger(__name__)

CLOSE_GRACE_S = 0.25

# Exchanges still closing after their grace: referenced until they end, or the loop would
# drop (and destroy) a pending task.
_closing: set[asyncio.Task[httpx.Response]] = set()


class DeadlineTransport(httpx.AsyncBaseTransport):
    """Sends a request and reads its whole answer within ``deadline_s``, or raises."""

    def __init__(self, inner: httpx.AsyncBaseTransport, deadline_s: float) -> None:
        self.inner = inner
        self.deadline_s = deadline_s

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        exchange = asyncio.create_task(self._exchange(request))
        try:
            done, _ = await asyncio.wait({exchange}, timeout=self.deadline_s)
        except BaseException:  # our caller is cancelled: so is the exchange, just as boundedly
            await _stop(exchange, request)
            raise
        if done:
            return exchange.result()
        await _stop(exchange, request)
        raise DeadlineExceededError(request, self.deadline_s)

    async def _exchange(self, request: httpx.Request) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        try:
            await response.aread()
        except BaseException:
            await response.aclose()
            raise
        return response

    async def aclose(self) -> None:
        await self.inner.aclose()


async def _stop(exchange: asyncio.Task[httpx.Response], request: httpx.Request) -> None:
    """Cancel the exchange and wait a little for its clean-up; never longer."""
    for _ in range(2):  # a clean-up that waits on the socket gets a second cancel
        exchange.cancel()
        done, _ = await asyncio.wait({exchange}, timeout=CLOSE_GRACE_S)
        if done:
            _settle(exchange)
            return
    log.warning(
        "%s %s: the HTTP transport is still closing the connection %g s after the cancel; "
        "left to finish on its own",
        request.method,
        request.url,
        2 * CLOSE_GRACE_S,
    )
    _closing.add(exchange)
    exchange.add_done_callback(_closing.discard)
    exchange.add_done_callback(_settle)


def _settle(exchange: asyncio.Task[httpx.Response]) -> None:
    """Collect the outcome of an exchange that was given up: nothing of it is used."""
    if exchange.cancelled():
        return
    # An answer that came in whole just then was read to its end, which closed it already.
    if (error := exchange.exception()) is not None:
        log.debug("a cancelled LLM request ended with %r", error)
