"""An overall deadline per LLM request (FACTDIFF_LLM_DEADLINE_S): an endpoint that drip-feeds
its answer a byte at a time, each byte well inside httpx's per-read timeout, no longer holds
a run (and a worker slot) for as long as it likes."""

from __future__ import annotations

import asyncio
import socketserver
import threading
import time
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
import respx
from sqlmodel import Session

from app.core.config import LLMHttpClient, Settings
from app.extract.budget import WAIT_BEFORE_REQUEST_S, time_limit_s
from app.jobs import queue
from app.store.models import ExtractionRun
from tests.conftest import LIVE_BASE_URL, ClientFactory
from tests.llm_stub import claim, ok, tool_completion

TEXT = "Kenya deployed an additional 217 police officers to Haiti on Saturday."
DRIP_S = 0.2
DEADLINE = "the LLM endpoint's answer did not arrive whole within 1 s (FACTDIFF_LLM_DEADLINE_S)"


class DripHandler(socketserver.BaseRequestHandler):
    """Reads a request, then answers one byte every DRIP_S: headers first, or body only."""

    server: DripServer

    def handle(self) -> None:
        self.request.settimeout(5)
        received = b""
        while b"\r\n\r\n" not in received:
            received += self.request.recv(65536)
        head, _, body = received.partition(b"\r\n\r\n")
        length = next(
            int(line.split(b":", 1)[1])
            for line in head.split(b"\r\n")
            if line.lower().startswith(b"content-length:")
        )
        while len(body) < length:
            body += self.request.recv(65536)
        self.server.requests += 1
        headers = (
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n"
        )
        try:
            if self.server.headers_too:
                for byte in headers:
                    self.request.sendall(bytes([byte]))
                    time.sleep(DRIP_S)
            else:
                self.request.sendall(headers)
            while True:
                self.request.sendall(b" ")
                time.sleep(DRIP_S)
        except OSError:
            return  # the client gave up: what the test wants


class DripServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, headers_too: bool) -> None:
        super().__init__(("127.0.0.1", 0), DripHandler)
        self.headers_too = headers_too
        self.requests = 0


@pytest.fixture(params=["body", "headers-and-body"])
def drip_server(request: pytest.FixtureRequest) -> Iterator[DripServer]:
    server = DripServer(headers_too=request.param == "headers-and-body")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def deadline_settings(base_url: str, **changes: object) -> Settings:
    values: dict[str, object] = {
        "llm_mode": "live",
        "llm_base_url": base_url,
        "llm_api_key": "sk-test",
        "llm_timeout_s": 2,  # per read: every drip arrives well inside it
        "llm_deadline_s": 1,
        **changes,
    }
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


@pytest.mark.parametrize("http_client", list(LLMHttpClient))
@pytest.mark.usefixtures("no_collector_pause")
def test_a_drip_fed_answer_ends_the_run_at_the_deadline(
    make_client: ClientFactory,
    session: Session,
    drip_server: DripServer,
    http_client: LLMHttpClient,
) -> None:
    port = drip_server.server_address[1]
    settings = deadline_settings(f"http://127.0.0.1:{port}/v1", llm_http_client=http_client)
    client = make_client(settings)

    started = time.monotonic()
    response = client.post("/articles", json={"text": TEXT})
    elapsed = time.monotonic() - started

    assert response.status_code == 503, response.text
    assert response.json()["reason"] == "llm_timeout"
    detail = response.json()["detail"]
    assert (detail["reason"], detail["message"]) == ("llm_timeout", DEADLINE)
    assert 1 <= elapsed < 2.5
    # The deadline bounds the call: no network retry, no re-ask after it.
    assert drip_server.requests == 1
    run = session.get(ExtractionRun, detail["run_id"])
    assert run is not None
    assert (run.status, run.error_reason, run.llm_calls, run.http_requests) == (
        "failed",
        "llm_timeout",
        1,
        1,
    )
    assert (run.lease_owner, run.lease_expires_at) == (None, None)


async def drip() -> AsyncIterator[bytes]:
    while True:
        yield b" "
        await asyncio.sleep(DRIP_S)


@pytest.mark.usefixtures("no_collector_pause")
def test_a_drip_fed_answer_through_respx_ends_at_the_deadline(
    make_client: ClientFactory, session: Session
) -> None:
    client = make_client(deadline_settings(LIVE_BASE_URL))
    with respx.mock:
        route = respx.post(f"{LIVE_BASE_URL}/chat/completions").mock(
            return_value=httpx.Response(
                200, headers={"content-type": "application/json"}, stream=DripStream()
            )
        )
        started = time.monotonic()
        response = client.post("/articles", json={"text": TEXT})
        elapsed = time.monotonic() - started

    assert response.status_code == 503, response.text
    assert response.json()["detail"]["message"] == DEADLINE
    assert 1 <= elapsed < 2.5
    assert route.call_count == 1


class DripStream(httpx.AsyncByteStream):
    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for chunk in drip():
            yield chunk


def test_a_fast_answer_is_untouched_by_the_deadline(
    make_client: ClientFactory, session: Session
) -> None:
    good = claim("Kenya deployed 217 officers.", "217 police officers to Haiti", value=217)
    client = make_client(deadline_settings(LIVE_BASE_URL))
    with respx.mock:
        respx.post(f"{LIVE_BASE_URL}/chat/completions").mock(
            return_value=ok(tool_completion([good]))
        )
        response = client.post("/articles", json={"text": TEXT})

    assert response.status_code == 201, response.text
    assert len(response.json()["claims"]) == 1


def test_the_deadline_defaults_to_twice_the_timeout() -> None:
    settings = Settings(llm_timeout_s=45, _env_file=None)  # type: ignore[call-arg]
    assert settings.llm_deadline == 90
    chosen = Settings(llm_timeout_s=45, llm_deadline_s=50, _env_file=None)  # type: ignore[call-arg]
    assert chosen.llm_deadline == 50


@pytest.mark.parametrize(
    ("chunks", "concurrency", "expected_rounds"), [(1, 8, 1), (8, 8, 1), (9, 8, 2), (20, 4, 5)]
)
def test_the_time_an_extraction_may_take(
    chunks: int, concurrency: int, expected_rounds: int
) -> None:
    settings = Settings(  # type: ignore[call-arg]
        llm_deadline_s=10,
        llm_max_concurrency=concurrency,
        llm_validation_retries=1,
        llm_max_retries=2,
        _env_file=None,
    )
    # Each round: 2 attempts × 3 requests, each at most its deadline plus a wait before it.
    assert time_limit_s(chunks, settings) == expected_rounds * 6 * (10 + WAIT_BEFORE_REQUEST_S)


@pytest.mark.usefixtures("no_collector_pause")
def test_an_extraction_past_its_time_limit_ends_and_its_lease_is_not_renewed(
    make_client: ClientFactory, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Should anything wait past every call's deadline, the run still ends in time."""
    monkeypatch.setattr("app.extract.budget.time_limit_s", lambda _chunks, _settings: 1.5)
    settings = deadline_settings(LIVE_BASE_URL, llm_deadline_s=60, job_lease_s=1)
    renewals: list[float] = []
    renew = queue.renew_leases

    def counted(*args: object, **kwargs: object) -> int:
        renewals.append(time.monotonic())
        return renew(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(queue, "renew_leases", counted)

    async def hang(_request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(30)
        raise AssertionError("not reached")

    client = make_client(settings)
    with respx.mock:
        respx.post(f"{LIVE_BASE_URL}/chat/completions").mock(side_effect=hang)
        started = time.monotonic()
        response = client.post("/articles", json={"text": TEXT})
        ended = time.monotonic()
    time.sleep(1)  # a renewal still scheduled would happen now

    assert response.status_code == 503, response.text
    assert response.json()["detail"]["message"] == (
        "the extraction took longer than its 1 chunk(s) may, retries and "
        "FACTDIFF_LLM_DEADLINE_S included (1.5 s)"
    )
    assert 1.5 <= ended - started < 3
    assert renewals and all(at < ended for at in renewals)
    run = session.get(ExtractionRun, response.json()["detail"]["run_id"])
    assert run is not None
    assert (run.status, run.error_reason, run.lease_expires_at) == ("failed", "llm_timeout", None)
