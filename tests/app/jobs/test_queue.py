"""The durable job queue: claiming, leases, the sweeper, guarded completion, the pool."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, update
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from sqlmodel import Session, col, select

from app.api.models import ArticleCreate
from app.core.config import Settings
from app.extract.pipeline import ExtractionResult
from app.jobs import queue as jobs
from app.jobs.run_results import complete_run
from app.jobs.runner import claim_and_load, load_runs
from app.jobs.worker import WorkerPool
from app.llm.client import RateLimiter, Usage, build_client
from app.store.crud import get_or_create_article, get_or_create_run
from app.store.db import make_engine, migrate
from app.store.models import Article, Claim, ExtractionRun, RunStatus, utcnow
from schemas import get_schema
from tests.app.store.test_db import (
    assert_migrated,
    postgres_engine,  # noqa: F401  (fixture)
)
from tests.conftest import load_article

SAMPLES = ["kenya-haiti-217", "kenya-haiti-270", "kenya-haiti-fr", "kenya-haiti-wire"]


def queue(engine: Engine, settings: Settings, articles: list[dict[str, object]]) -> list[int]:
    ids = []
    with Session(engine, expire_on_commit=False) as session:
        for body in articles:
            article_in = ArticleCreate.model_validate(body)
            article = get_or_create_article(session=session, article_in=article_in)
            schema = get_schema("news_claims")
            run, _ = get_or_create_run(
                session=session, article=article, schema=schema, settings=settings
            )
            assert run.id is not None
            ids.append(run.id)
    return ids


def queue_blank(engine: Engine, settings: Settings, count: int) -> list[int]:
    """Runs for articles nobody will extract: enough to test claiming alone."""
    return queue(engine, settings, [{"text": f"Article number {n}."} for n in range(count)])


def statuses(engine: Engine) -> dict[int, tuple[str, str | None, int]]:
    with Session(engine) as session:
        runs = session.exec(select(ExtractionRun)).all()
        return {r.id: (r.status, r.lease_owner, r.attempts) for r in runs if r.id}


def test_claims_are_exclusive_and_oldest_first(engine: Engine, settings: Settings) -> None:
    ids = queue_blank(engine, settings, 5)
    first = jobs.claim_jobs(engine, owner="w1", lease_s=30, limit=3)
    second = jobs.claim_jobs(engine, owner="w2", lease_s=30, limit=3)

    assert first == ids[:3] and second == ids[3:]
    assert jobs.claim_jobs(engine, owner="w3", lease_s=30, limit=3) == []
    state = statuses(engine)
    assert state[ids[0]] == ("running", "w1", 1) and state[ids[4]] == ("running", "w2", 1)
    assert not jobs.claim_job(engine, ids[0], owner="w3", lease_s=30)


def test_a_claimed_batch_comes_loaded_with_its_articles(engine: Engine, settings: Settings) -> None:
    ids = queue_blank(engine, settings, 4)

    loaded = claim_and_load(engine, owner="w1", lease_s=30, limit=3)

    assert [run.id for run, _ in loaded] == ids[:3]
    assert [article.text for _, article in loaded] == [f"Article number {n}." for n in range(3)]
    assert all(run.article_id == article.id for run, article in loaded)
    assert [(run.status, run.lease_owner) for run, _ in loaded] == [("running", "w1")] * 3
    assert claim_and_load(engine, owner="w2", lease_s=30, limit=3)[0][0].id == ids[3]
    assert claim_and_load(engine, owner="w3", lease_s=30, limit=3) == []
    with pytest.raises(LookupError, match="run 999 does not exist"):
        load_runs(engine, [ids[0], 999])


def expire(engine: Engine, run_ids: list[int]) -> None:
    with engine.begin() as connection:
        connection.execute(
            update(ExtractionRun)
            .where(col(ExtractionRun.id).in_(run_ids))
            .values(lease_expires_at=utcnow() - timedelta(seconds=1))
        )


def test_sweeper_requeues_expired_leases_then_gives_up(engine: Engine, settings: Settings) -> None:
    (run_id,) = queue_blank(engine, settings, 1)
    for attempt in (1, 2):
        assert jobs.claim_jobs(engine, owner=f"w{attempt}", lease_s=30, limit=1) == [run_id]
        assert jobs.sweep_expired(engine, max_attempts=2) == (0, 0)  # lease still valid
        expire(engine, [run_id])
        swept = jobs.sweep_expired(engine, max_attempts=2)
        assert swept == ((1, 0) if attempt == 1 else (0, 1))

    with Session(engine) as session:
        run = session.get(ExtractionRun, run_id)
        assert run is not None
        assert (run.status, run.error_reason) == ("failed", "worker_lost")
        assert run.error == "abandoned: the worker processing it stopped 2 times"


def test_renewal_keeps_a_lease_alive(engine: Engine, settings: Settings) -> None:
    (run_id,) = queue_blank(engine, settings, 1)
    jobs.claim_jobs(engine, owner="w1", lease_s=30, limit=1)
    expire(engine, [run_id])
    assert jobs.renew_leases(engine, [run_id], owner="w2", lease_s=30) == 0  # not w2's
    assert jobs.renew_leases(engine, [run_id], owner="w1", lease_s=30) == 1
    assert jobs.sweep_expired(engine, max_attempts=3) == (0, 0)


def test_a_worker_that_lost_its_lease_stores_nothing(engine: Engine, settings: Settings) -> None:
    (run_id,) = queue_blank(engine, settings, 1)
    jobs.claim_jobs(engine, owner="slow", lease_s=30, limit=1)
    expire(engine, [run_id])
    jobs.sweep_expired(engine, max_attempts=3)
    assert jobs.claim_jobs(engine, owner="fast", lease_s=30, limit=1) == [run_id]

    result = ExtractionResult(claims=[], rejected=[], usage=Usage(), chunks=1, latency_ms=1.0)

    def finish(owner: str) -> ExtractionRun:
        with Session(engine, expire_on_commit=False) as session:
            run = session.get(ExtractionRun, run_id)
            assert run is not None
            article = session.get(Article, run.article_id)
            assert article is not None
            return complete_run(engine=engine, run=run, article=article, result=result, owner=owner)

    with pytest.raises(jobs.LeaseLostError, match="lease of slow lost"):
        finish("slow")
    assert statuses(engine)[run_id] == ("running", "fast", 2)
    done = finish("fast")
    assert (done.status, done.lease_owner) == ("succeeded", None)


def test_start_up_requeues_the_runs_of_gone_processes_only(
    engine: Engine, settings: Settings
) -> None:
    host, me = socket.gethostname(), f"{socket.gethostname()}:{os.getpid()}:new"
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    finished = subprocess.Popen([sys.executable, "-c", "pass"])
    finished.wait()
    try:
        owners = {
            f"{host}:{sleeper.pid}:a": "running",  # a worker process beside us, alive
            f"{host}:{finished.pid}:b": "queued",  # its process is gone
            f"{host}:{os.getpid()}:old": "queued",  # an earlier process with our pid
            f"elsewhere:{sleeper.pid}:c": "running",  # another machine: its lease decides
        }
        ids = queue_blank(engine, settings, len(owners))
        for run_id, owner in zip(ids, owners, strict=True):
            assert jobs.claim_job(engine, run_id, owner=owner, lease_s=300)

        assert jobs.release_orphans(engine, own_id=me) == 2

        now = statuses(engine)
        assert [now[run_id][0] for run_id in ids] == list(owners.values())
    finally:
        sleeper.kill()
        sleeper.wait()


@pytest.fixture
def file_engine(tmp_path: Path) -> Iterator[Engine]:
    """A SQLite file: each worker thread gets its own connection, as in the service."""
    engine = make_engine(f"sqlite:///{tmp_path / 'jobs.db'}")
    migrate(engine)
    yield engine
    engine.dispose()


async def test_pool_processes_every_queued_run_once(
    file_engine: Engine, settings: Settings
) -> None:
    engine = file_engine
    ids = queue(engine, settings, [load_article(stem) for stem in SAMPLES])
    pool = WorkerPool(engine, build_client(settings), settings, concurrency=3, owner="pool")
    task = asyncio.create_task(pool.run())
    for _ in range(200):
        if all(s in ("succeeded", "failed") for s, _, _ in statuses(engine).values()):
            break
        await asyncio.sleep(0.05)
    pool.stop()
    await task

    state = statuses(engine)
    assert [state[i] for i in ids] == [("succeeded", None, 1)] * 4
    with Session(engine) as session:
        for run_id in ids:
            run = session.get(ExtractionRun, run_id)
            claims = session.exec(select(Claim).where(Claim.run_id == run_id)).all()
            assert run is not None and len(claims) == run.claims_count > 0


async def test_rate_limiter_spends_request_and_token_capacity(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import httpx

    # The limiters' buckets drain with the loop's clock: held still, the capacity spent is
    # exactly what the request took, however slowly the test runs.
    loop = asyncio.get_running_loop()
    now = loop.time()
    monkeypatch.setattr(loop, "time", lambda: now)
    limiter = RateLimiter(rpm=61, tpm=61_000, expected_output_tokens=500)
    assert limiter.requests is not None and limiter.tokens is not None
    assert (limiter.requests.max_rate, limiter.tokens.max_rate) == (1, 1000)
    await limiter(httpx.Request("POST", "http://llm.test/v1/chat/completions", content=b"x" * 400))
    assert not limiter.requests.has_capacity()
    # 400 characters ~ 100 tokens, plus 500 expected in the answer.
    assert limiter.tokens.has_capacity(400) and not limiter.tokens.has_capacity(401)


@pytest.fixture
def pg(postgres_engine: Engine) -> Iterator[Engine]:  # noqa: F811
    assert_migrated(postgres_engine)
    yield postgres_engine


@pytest.mark.postgres
def test_two_workers_on_postgres_never_take_one_job_twice(pg: Engine, settings: Settings) -> None:
    ids = queue_blank(pg, settings, 60)
    taken: dict[str, list[int]] = {"a": [], "b": []}
    barrier = threading.Barrier(2)

    def work(owner: str) -> None:
        barrier.wait()
        while batch := jobs.claim_jobs(pg, owner=owner, lease_s=30, limit=4):
            taken[owner].extend(batch)

    threads = [threading.Thread(target=work, args=(o,)) for o in taken]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(taken["a"] + taken["b"]) == ids
    assert not set(taken["a"]) & set(taken["b"])
    assert taken["a"] and taken["b"]
    assert {s for s, _, _ in statuses(pg).values()} == {RunStatus.running}


async def test_pool_outlives_a_database_fault_while_claiming(
    file_engine: Engine, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = file_engine
    ids = queue(engine, settings, [load_article("kenya-haiti-217")])
    faults = []

    def busy_once(*args: object, **kwargs: object) -> object:
        if not faults:
            faults.append("busy")
            raise PoolTimeoutError("QueuePool limit of size 5 overflow 18 reached")
        return claim_and_load(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr("app.jobs.worker.claim_and_load", busy_once)
    pool = WorkerPool(engine, build_client(settings), settings, concurrency=2, owner="pool")
    task = asyncio.create_task(pool.run())
    for _ in range(200):
        if statuses(engine)[ids[0]][0] in ("succeeded", "failed"):
            break
        await asyncio.sleep(0.05)
    pool.stop()
    await task

    assert faults == ["busy"]
    assert statuses(engine)[ids[0]] == ("succeeded", None, 1)
