"""Slow request bodies, over a real socket to the app served by uvicorn: a body must arrive
whole within FACTDIFF_BODY_TIMEOUT_S, at most FACTDIFF_MAX_BODIES_IN_FLIGHT are received at
once, and a body its client abandons is not processed."""

from __future__ import annotations

import json
import socket
import threading
import time
from typing import Any
from urllib.parse import urlsplit

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from app.core.config import Settings
from app.store.models import Article, ExtractionRun

TIMEOUT_S = 1.0


@pytest.fixture
def settings() -> Settings:
    return Settings(  # type: ignore[call-arg]
        llm_mode="replay",
        database_url="sqlite://",
        body_timeout_s=TIMEOUT_S,
        max_bodies_in_flight=1,
        worker_concurrency=0,
        _env_file=None,
    )


def connect(live_server: str) -> socket.socket:
    address = urlsplit(live_server)
    sock = socket.create_connection((address.hostname, address.port), timeout=10)
    return sock


def post_head(length: int) -> bytes:
    return (
        f"POST /articles HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\n"
        f"Content-Length: {length}\r\n\r\n"
    ).encode()


def read_response(sock: socket.socket) -> tuple[int, dict[str, str], Any]:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            raise AssertionError(f"connection closed before a response: {data!r}")
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    status_line, *lines = head.decode("latin-1").split("\r\n")
    headers = {k.lower(): v.strip() for k, v in (line.split(":", 1) for line in lines)}
    while len(body) < int(headers["content-length"]):
        body += sock.recv(65536)
    return int(status_line.split()[1]), headers, json.loads(body)


def drip(sock: socket.socket, stop: threading.Event) -> None:
    """A byte every 0.2 s, until stopped or refused."""
    try:
        while not stop.is_set():
            sock.sendall(b" ")
            time.sleep(0.2)
    except OSError:
        return


@pytest.mark.usefixtures("no_collector_pause")
def test_a_trickled_body_is_cut_off_with_a_408(live_server: str, engine: Engine) -> None:
    sock = connect(live_server)
    stop = threading.Event()
    started = time.monotonic()  # before the server can start its clock: it starts on the head
    sock.sendall(post_head(5_000_000) + b'{"text": "')
    dripper = threading.Thread(target=drip, args=(sock, stop), daemon=True)
    dripper.start()
    try:
        status, headers, body = read_response(sock)
        elapsed = time.monotonic() - started
    finally:
        stop.set()
        sock.close()

    assert status == 408
    assert headers["connection"] == "close"
    assert headers["x-request-id"]
    assert body == {
        "detail": "the request body did not arrive whole within 1 s (FACTDIFF_BODY_TIMEOUT_S)",
        "reason": "body_timeout",
    }
    assert TIMEOUT_S <= elapsed < TIMEOUT_S + 1.5
    with Session(engine) as session:
        assert session.exec(select(Article)).all() == []


@pytest.mark.usefixtures("no_collector_pause")
def test_bodies_beyond_the_cap_wait_for_a_turn(live_server: str) -> None:
    """One body at a time: a quick body behind a trickling one is read once that one is cut
    off, and one that gets no turn in its own time is a 408 saying so."""
    slow, quick, starved = connect(live_server), connect(live_server), connect(live_server)
    stop = threading.Event()
    try:
        slow.sendall(post_head(5_000_000) + b'{"text": "')
        threading.Thread(target=drip, args=(slow, stop), daemon=True).start()
        time.sleep(0.3)
        quick_started = time.monotonic()
        quick.sendall(post_head(2) + b"{}")
        # Starved from the start: its whole time passes while the slow body holds the turn,
        # and the quick one takes the turn next.
        starved.sendall(post_head(5_000_000) + b'{"text": "')
        threading.Thread(target=drip, args=(starved, stop), daemon=True).start()

        slow_status, _, slow_body = read_response(slow)
        quick_status, _, quick_body = read_response(quick)
        quick_elapsed = time.monotonic() - quick_started
        starved_status, _, starved_body = read_response(starved)
    finally:
        stop.set()
        for sock in (slow, quick, starved):
            sock.close()

    assert (slow_status, slow_body["reason"]) == (408, "body_timeout")
    # Processed, after waiting for the slow body's turn to end (about 0.7 s).
    assert quick_status == 422
    assert quick_body["detail"][0]["msg"] == "Field required: send the article's text or a url"
    assert 0.5 <= quick_elapsed < TIMEOUT_S + 0.5
    assert starved_status == 408
    assert starved_body["detail"] in (
        "1 request bodies were being received (FACTDIFF_MAX_BODIES_IN_FLIGHT) and yours got "
        "no turn within 1 s (FACTDIFF_BODY_TIMEOUT_S); try again",
        "the request body did not arrive whole within 1 s (FACTDIFF_BODY_TIMEOUT_S)",
    )


def test_a_body_abandoned_before_its_length_is_not_processed(
    live_server: str, engine: Engine
) -> None:
    whole = json.dumps({"text": "Kenya sent 217 police officers to Haiti on Saturday."})
    sock = connect(live_server)
    # The JSON is complete, but the body it belongs to was announced 200 bytes long.
    sock.sendall(post_head(len(whole) + 200) + whole.encode())
    time.sleep(0.2)
    sock.close()
    time.sleep(0.5)

    with Session(engine) as session:
        assert session.exec(select(Article)).all() == []
        assert session.exec(select(ExtractionRun)).all() == []
