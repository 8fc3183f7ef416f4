"""Many clients at once against the connection pool: each gets an answer or a 503 busy with
Retry-After, never a 500, and the model's answer is stored however busy the requests are."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from typing import Any

import httpx
import pytest
import respx
from sqlalchemy import Engine
from sqlmodel import Session, func, select

from app.api.deps import get_engine, get_llm
from app.api.main import app
from app.core.config import Settings, get_settings
from app.llm.client import build_client
from app.store import db
from app.store.models import Article, ExtractionRun, RunStatus
from tests.app.conftest import race, serving
from tests.conftest import LIVE_BASE_URL
from tests.llm_stub import claim, ok, tool_completion

TEXT = "Kenya sent 217 police officers to Haiti on Saturday to reinforce the mission."
ARTICLE = {"text": TEXT, "title": "Kenya reinforces Haiti mission", "outlet": "Harbor Wire"}
ANSWER = tool_completion(
    [claim("Kenya sent 217 police officers to Haiti.", "Kenya sent 217 police officers", value=217)]
)


def live(database_url: str, **changes: Any) -> Settings:
    """Live mode against the respx endpoint; every other setting at its default."""
    return Settings(  # type: ignore[call-arg]
        llm_mode="live",
        llm_base_url=LIVE_BASE_URL,
        llm_api_key="sk-test",
        database_url=database_url,
        _env_file=None,
        **changes,
    )


@contextmanager
def served(engine: Engine, settings: Settings) -> Iterator[str]:
    app.dependency_overrides[get_engine] = lambda: engine
    app.dependency_overrides[get_settings] = lambda: settings
    llm = build_client(settings)
    app.dependency_overrides[get_llm] = lambda: llm
    try:
        with serving() as url:
            yield url
    finally:
        app.dependency_overrides.clear()


@contextmanager
def slow_model(delay_s: float) -> Iterator[respx.Route]:
    """The model answers after ``delay_s``; requests to the test server go through."""

    async def answer(_request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(delay_s)
        return ok(ANSWER)

    with respx.mock(assert_all_called=False) as mock:
        mock.route(host="127.0.0.1").pass_through()
        yield mock.post(f"{LIVE_BASE_URL}/chat/completions").mock(side_effect=answer)


def stored_runs(url: str) -> list[ExtractionRun]:
    """The runs as stored, read through an engine of the test's own."""
    engine = db.make_engine(url)
    try:
        with Session(engine) as session:
            return list(session.exec(select(ExtractionRun)).all())
    finally:
        engine.dispose()


def assert_busy(response: httpx.Response, retry_after: str) -> None:
    assert response.status_code == 503, response.text
    assert response.headers["retry-after"] == retry_after
    assert response.json()["detail"]["reason"] == "busy"


def test_fifty_identical_posts_at_the_default_pool_get_answers_or_busy(
    database_url: str,
) -> None:
    settings = live(database_url)
    engine = db.engine_for(settings)
    with slow_model(2.0) as model, served(engine, settings) as url:

        def post(_: int) -> httpx.Response:
            return httpx.post(f"{url}/articles", json=ARTICLE, timeout=120)

        responses = race(50, post)

    statuses = sorted(r.status_code for r in responses)
    assert set(statuses) <= {200, 201, 202, 503}, statuses
    for response in responses:
        if response.status_code == 503:
            assert_busy(response, "5")
        else:
            assert response.json()["claims"][0]["quantity"]["value"] == 217
    assert statuses.count(201) >= 1
    assert model.call_count == 1
    (run,) = stored_runs(database_url)
    assert (run.status, run.claims_count, run.llm_calls) == (RunStatus.succeeded, 1, 1)
    with Session(engine) as session:
        assert session.exec(select(func.count()).select_from(Article)).one() == 1
    engine.dispose()


def test_a_run_stores_its_answer_while_requests_find_no_connection(database_url: str) -> None:
    settings = live(database_url, db_pool_size=2, db_max_overflow=0, db_pool_timeout_s=0.5)
    engine = db.engine_for(settings)
    with slow_model(1.5) as model, served(engine, settings) as url, ExitStack() as held:
        queued = httpx.post(f"{url}/articles", params={"wait": "false"}, json=ARTICLE, timeout=30)
        assert queued.status_code == 202, queued.text
        run_id = queued.json()["run"]["id"]
        for _ in range(2):  # every connection of the requests' pool
            held.enter_context(engine.connect())

        started = time.monotonic()
        other = {**ARTICLE, "text": TEXT.replace("Saturday", "Sunday")}
        assert_busy(httpx.post(f"{url}/articles", json=other, timeout=30), "1")
        assert_busy(httpx.get(f"{url}/runs/{run_id}", timeout=30), "1")
        assert time.monotonic() - started < 5

        deadline = time.monotonic() + 30
        while (runs := stored_runs(database_url))[0].status not in ("succeeded", "failed"):
            assert time.monotonic() < deadline, "the run did not end"
            time.sleep(0.2)
        assert (runs[0].status, runs[0].claims_count, runs[0].error_reason) == (
            RunStatus.succeeded,
            1,
            None,
        )
        held.close()
        after = httpx.get(f"{url}/runs/{run_id}", timeout=30)
        assert after.status_code == 200 and after.json()["status"] == "succeeded"
    assert model.call_count == 1
    engine.dispose()


@pytest.mark.parametrize("timeout_s, retry_after", [(0.2, "1"), (1.2, "2")])
def test_retry_after_is_the_pool_timeout_rounded_up(
    timeout_s: float, retry_after: str, tmp_path: Any
) -> None:
    settings = live(
        f"sqlite:///{tmp_path / 'factdiff.db'}",
        db_pool_size=1,
        db_max_overflow=0,
        db_pool_timeout_s=timeout_s,
        worker_concurrency=0,
    )
    engine = db.engine_for(settings)
    with served(engine, settings) as url, engine.connect():
        started = time.monotonic()
        response = httpx.get(f"{url}/articles", timeout=30)
        waited = time.monotonic() - started
    assert_busy(response, retry_after)
    assert timeout_s <= waited < timeout_s + 2
    assert response.json()["detail"]["message"] == (
        f"the service is busy: no database connection came free within {timeout_s:g} s; "
        f"try again in {retry_after} s"
    )
    engine.dispose()
