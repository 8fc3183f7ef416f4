"""Test fixtures: a SQLite engine per test behind app.dependency_overrides.

The LLM runs through the real openai + instructor client, over the replay transport
(fixtures/llm) or, in live mode, over respx mocks of the HTTP endpoint.
"""

from __future__ import annotations

import gc
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import instructor
import openai._base_client
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, SQLModel

from app.api.deps import get_engine, get_llm
from app.api.main import app
from app.core.config import PROJECT_ROOT, Settings, get_settings
from app.llm.client import build_client
from app.store.db import make_engine, stamp_head

ARTICLES_DIR = PROJECT_ROOT / "fixtures" / "articles"
LIVE_BASE_URL = "http://llm.test/v1"


def load_article(stem: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((ARTICLES_DIR / f"{stem}.json").read_text(encoding="utf-8"))
    return data


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    # A developer's own LLM and client settings must not leak into the suite.
    for name in (
        "OPENAI_API_KEY",
        "FACTDIFF_LLM_API_KEY",
        "FACTDIFF_LLM_BASE_URL",
        "FACTDIFF_LLM_MODE",
        "FACTDIFF_SERVER",
        "FACTDIFF_API_KEY",
    ):
        monkeypatch.delenv(name, raising=False)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    # A SQLite file per test rather than the in-memory StaticPool of the SQLModel tutorial:
    # the service's workers run in threads, and StaticPool would have them share one
    # connection, where one thread's rollback undoes another's writes.
    engine = make_engine(f"sqlite:///{tmp_path / 'factdiff.db'}")
    SQLModel.metadata.create_all(engine)
    stamp_head(engine)  # so the service's start-up migration finds nothing to do
    yield engine
    engine.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    with Session(engine) as session:
        yield session


@pytest.fixture
def settings() -> Settings:
    """Replay mode over the repository's fixtures."""
    return Settings(llm_mode="replay", database_url="sqlite://", _env_file=None)  # type: ignore[call-arg]


@pytest.fixture
def live_settings() -> Settings:
    """Live mode against a fake endpoint that respx intercepts."""
    return Settings(  # type: ignore[call-arg]
        llm_mode="live",
        llm_base_url=LIVE_BASE_URL,
        llm_api_key="sk-test",
        database_url="sqlite://",
        _env_file=None,
    )


ClientFactory = Callable[[Settings], TestClient]


@pytest.fixture
def make_client(engine: Engine) -> Iterator[ClientFactory]:
    """A TestClient whose LLM, settings and database are the test's own."""

    def factory(settings: Settings, llm: instructor.AsyncInstructor | None = None) -> TestClient:
        client = llm or build_client(settings)
        app.dependency_overrides[get_engine] = lambda: engine
        app.dependency_overrides[get_settings] = lambda: settings
        app.dependency_overrides[get_llm] = lambda: client
        return TestClient(app)

    yield factory
    app.dependency_overrides.clear()


@pytest.fixture
def client(make_client: ClientFactory, settings: Settings) -> TestClient:
    return make_client(settings)


@pytest.fixture
def fixtures_root() -> Path:
    return PROJECT_ROOT / "fixtures" / "llm"


@pytest.fixture
def sleeps(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The openai SDK's back-off sleeps, recorded instead of waited out."""
    recorded: list[float] = []

    async def fake_sleep(seconds: float) -> None:
        recorded.append(seconds)

    monkeypatch.setattr(openai._base_client.anyio, "sleep", fake_sleep)
    return recorded


@pytest.fixture
def no_collector_pause() -> Iterator[None]:
    """The cyclic collector held off while a test times a deadline or a timeout.

    By the time these tests run, the whole suite's process holds some 2.5 million tracked
    objects, and a full collection stops every thread for one to three seconds on two shared
    cores (2.6 s measured): no timer fires meanwhile, so a deadline of 1 s reads as 4. The
    deadline is what these tests check, not the collector; the garbage of a few seconds waits
    for the next pass.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
