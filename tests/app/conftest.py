"""What the app tests share: a local web server for url fetching, the app over HTTP, a
database of each kind, and clients racing each other."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

import pytest
import uvicorn
from fastapi.testclient import TestClient
from pytest_httpserver import HTTPServer
from sqlalchemy import Engine

from app.api.main import app
from app.store.db import migrate
from bench.ledger_bench import free_port
from bench.ledger_bench import postgres_engine as throwaway_postgres
from tests.app.store.test_db import postgres_engine, postgres_http  # noqa: F401  (fixtures)

T = TypeVar("T")


@pytest.fixture(scope="module")
def local_server() -> Iterator[HTTPServer]:
    server = HTTPServer(host="127.0.0.1", threaded=True)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def server(local_server: HTTPServer) -> Iterator[HTTPServer]:
    """The module's web server, with no routes and an empty log for each test."""
    yield local_server
    local_server.clear()


@contextmanager
def serving() -> Iterator[str]:
    """The app with the current overrides (engine, settings, LLM) served over real HTTP by
    uvicorn in a thread, its worker pool running as in production; yields its base url."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    assert server.started, "the test server did not start"
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture
def live_server(client: TestClient) -> Iterator[str]:
    """The app with the test's overrides (its engine, settings and LLM), served over real
    HTTP, for the command-line clients."""
    with serving() as url:
        yield url


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database of the test's own: a SQLite file, or one on the PostgreSQL test
    server (FACTDIFF_TEST_POSTGRES_URL), dropped after."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'factdiff.db'}"
        return
    server_url = os.environ.get("FACTDIFF_TEST_POSTGRES_URL")
    if not server_url:
        pytest.skip("FACTDIFF_TEST_POSTGRES_URL is not set (scripts/postgres.sh starts a server)")
    with throwaway_postgres(server_url, prefix="factdiff_test") as engine:
        yield engine.url.render_as_string(hide_password=False)


def race(count: int, call: Callable[[int], T]) -> list[T]:
    """``call(0)`` .. ``call(count - 1)``, each in a thread of its own, let go at once."""
    start = threading.Barrier(count)

    def contender(index: int) -> T:
        start.wait()
        return call(index)

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(contender, range(count)))


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def backend(request: pytest.FixtureRequest) -> Engine:
    """The test's SQLite engine, or a migrated PostgreSQL database of its own."""
    if request.param == "sqlite":
        engine: Engine = request.getfixturevalue("engine")
        return engine
    engine = request.getfixturevalue("postgres_engine")
    migrate(engine)
    return engine


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db(
    request: pytest.FixtureRequest, client: TestClient, engine: Engine
) -> tuple[TestClient, Engine]:
    """The app over SQLite, or over a migrated PostgreSQL database of its own."""
    if request.param == "sqlite":
        return client, engine
    return request.getfixturevalue("postgres_http"), request.getfixturevalue("postgres_engine")
