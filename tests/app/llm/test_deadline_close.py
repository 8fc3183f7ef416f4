"""The deadline holds whatever the HTTP transport does once the request is given up: a close
that waits on the socket, a clean-up that runs after the cancel, one that ignores cancels."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator

import httpx
import pytest
from sqlmodel import Session

from app.llm.client import build_client
from app.llm.deadline import CLOSE_GRACE_S, DeadlineTransport
from app.llm.errors import DeadlineExceededError
from app.store.models import ExtractionRun
from tests.app.llm.test_deadline import DEADLINE, DRIP_S, TEXT, deadline_settings
from tests.conftest import LIVE_BASE_URL, ClientFactory

HANG_S = 10.0  # far past the test's bound: a close that waits this long fails it


class DripWithStuckClose(httpx.AsyncByteStream):
    """A body sent a byte at a time, whose close waits on the socket (a drain the server
    never lets finish)."""

    async def __aiter__(self) -> AsyncIterator[bytes]:
        while True:
            yield b" "
            await asyncio.sleep(DRIP_S)

    async def aclose(self) -> None:
        await asyncio.sleep(HANG_S)


class SlowToLetGo(httpx.AsyncBaseTransport):
    """``body``: headers at once, then the stuck body above. ``headers``: no headers ever, and
    on the cancel a clean-up that waits on the socket before giving up."""

    def __init__(self, phase: str) -> None:
        self.phase = phase
        self.requests = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.requests += 1
        if self.phase == "body":
            return httpx.Response(
                200,
                headers={"content-type": "application/json"},
                stream=DripWithStuckClose(),
                request=request,
            )
        try:
            await asyncio.sleep(HANG_S)
        except asyncio.CancelledError:
            await asyncio.sleep(HANG_S)
            raise
        raise AssertionError("not reached")


@pytest.mark.parametrize("phase", ["body", "headers"])
@pytest.mark.usefixtures("no_collector_pause")
def test_a_transport_slow_to_close_does_not_hold_the_run_past_its_deadline(
    make_client: ClientFactory, session: Session, phase: str
) -> None:
    settings = deadline_settings(LIVE_BASE_URL)
    transport = SlowToLetGo(phase)
    client = make_client(settings, build_client(settings, transport=transport))

    started = time.monotonic()
    response = client.post("/articles", json={"text": TEXT})
    elapsed = time.monotonic() - started

    assert response.status_code == 503, response.text
    detail = response.json()["detail"]
    assert (detail["reason"], detail["message"]) == ("llm_timeout", DEADLINE)
    assert 1 <= elapsed < 2.5
    assert transport.requests == 1
    run = session.get(ExtractionRun, detail["run_id"])
    assert run is not None
    assert (run.status, run.error_reason, run.http_requests) == ("failed", "llm_timeout", 1)


class CloseDeafToCancels(httpx.AsyncBaseTransport):
    """No headers ever; on the cancel, a close that takes ``close_s`` and goes on through every
    further cancel."""

    def __init__(self, close_s: float) -> None:
        self.close_s = close_s
        self.closed = False

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        try:
            await asyncio.sleep(HANG_S)
        finally:
            closing = asyncio.ensure_future(self._close())
            while not closing.done():
                with contextlib.suppress(asyncio.CancelledError):
                    await asyncio.shield(closing)
        raise AssertionError("not reached")

    async def _close(self) -> None:
        await asyncio.sleep(self.close_s)
        self.closed = True


@pytest.mark.usefixtures("no_collector_pause")
async def test_a_close_that_ignores_cancels_is_left_to_finish_on_its_own(
    caplog: pytest.LogCaptureFixture,
) -> None:
    inner = CloseDeafToCancels(close_s=1.5)
    transport = DeadlineTransport(inner, deadline_s=0.2)
    request = httpx.Request("POST", f"{LIVE_BASE_URL}/chat/completions")

    started = time.monotonic()
    with (
        caplog.at_level(logging.WARNING, logger="app.llm.deadline"),
        pytest.raises(DeadlineExceededError) as raised,
    ):
        await transport.handle_async_request(request)
    elapsed = time.monotonic() - started

    assert str(raised.value) == (
        "the LLM endpoint's answer did not arrive whole within 0.2 s (FACTDIFF_LLM_DEADLINE_S)"
    )
    assert 0.2 + 2 * CLOSE_GRACE_S <= elapsed < 0.2 + 2 * CLOSE_GRACE_S + 0.4
    assert not inner.closed
    assert caplog.messages == [
        f"POST {LIVE_BASE_URL}/chat/completions: the HTTP transport is still closing the "
        "connection 0.5 s after the cancel; left to finish on its own"
    ]
    # The close goes on in the background and ends.
    await asyncio.sleep(1.5)
    assert inner.closed


@pytest.mark.usefixtures("no_collector_pause")
async def test_a_caller_cancelled_first_is_not_held_by_the_close_either() -> None:
    """The extraction's own time limit, or a failed sibling chunk, cancels the call."""
    inner = SlowToLetGo("headers")
    transport = DeadlineTransport(inner, deadline_s=60)
    request = httpx.Request("POST", f"{LIVE_BASE_URL}/chat/completions")

    started = time.monotonic()
    with pytest.raises(TimeoutError):
        async with asyncio.timeout(0.2):
            await transport.handle_async_request(request)
    elapsed = time.monotonic() - started

    assert 0.2 <= elapsed < 0.2 + 2 * CLOSE_GRACE_S + 0.4
    assert inner.requests == 1
