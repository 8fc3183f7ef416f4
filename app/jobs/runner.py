"""Execute one extraction run: claim it, call the pipeline, store the outcome.

Every way a run can end is recorded on it: succeeded with its claims, or failed with a
reason code and a message. Blocking database work runs in a worker thread so the event
loop keeps serving other requests while the LLM is called. While the LLM works, the run's
lease is renewed, so the sweeper leaves it alone; if the lease is lost anyway, nothing is
stored and whoever holds it now finishes the run.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Sequence

import instructor
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session, col, select
from starlette.concurrency import run_in_threadpool

from app.core.config import Settings
from app.extract.pipeline import extract_claims
from app.extract.prompting import ArticleInput
from app.jobs import queue as jobs
from app.jobs import run_results
from app.jobs.result_writer import writer_for
from app.llm.client import LLMError, Usage
from app.store.models import Article, ExtractionRun, RunStatus
from schemas import get_schema

log = logging.getLogger(__name__)

TERMINAL = (RunStatus.succeeded, RunStatus.failed)


def load_runs(engine: Engine, run_ids: Sequence[int]) -> list[tuple[ExtractionRun, Article]]:
    """The runs with their articles, in the order of ``run_ids``, in one query."""
    with Session(engine, expire_on_commit=False) as session:
        found = {
            run.id: (run, article)
            for run, article in session.exec(
                select(ExtractionRun, Article)
                .join(Article, col(Article.id) == col(ExtractionRun.article_id))
                .where(col(ExtractionRun.id).in_(list(run_ids)))
            ).all()
        }
    missing = [run_id for run_id in run_ids if run_id not in found]
    if missing:
        raise LookupError(f"run {missing[0]} does not exist")
    return [found[run_id] for run_id in run_ids]


def claim_and_load(
    engine: Engine, *, owner: str, lease_s: float, limit: int
) -> list[tuple[ExtractionRun, Article]]:
    """Lease up to ``limit`` queued runs and load them with their articles.

    One trip to a worker thread for the lot: each trip in a process whose event loop is busy
    waits for the GIL, and a query per run cost more in waiting than in work.
    """
    run_ids = jobs.claim_jobs(engine, owner=owner, lease_s=lease_s, limit=limit)
    return load_runs(engine, run_ids) if run_ids else []


def read_run(engine: Engine, run_id: int) -> ExtractionRun:
    return load_runs(engine, [run_id])[0][0]


@contextlib.asynccontextmanager
async def keep_leased(
    engine: Engine, run_id: int, owner: str, lease_s: float
) -> AsyncIterator[None]:
    async def renew() -> None:
        while True:
            await asyncio.sleep(lease_s / 3)
            try:
                await run_in_threadpool(
                    jobs.renew_leases, engine, [run_id], owner=owner, lease_s=lease_s
                )
            except SQLAlchemyError as exc:  # the next renewal may get through
                log.warning("run %s: renewing its lease failed: %s", run_id, type(exc).__name__)

    task = asyncio.create_task(renew())
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def execute_run(
    run_id: int,
    *,
    engine: Engine,
    client: instructor.AsyncInstructor,
    settings: Settings,
    owner: str,
) -> ExtractionRun:
    """Run a run this owner has leased, and store how it ended."""
    ((run, article),) = await run_in_threadpool(load_runs, engine, [run_id])
    return await execute_loaded(
        run, article, engine=engine, client=client, settings=settings, owner=owner
    )


async def execute_loaded(
    run: ExtractionRun,
    article: Article,
    *,
    engine: Engine,
    client: instructor.AsyncInstructor,
    settings: Settings,
    owner: str,
) -> ExtractionRun:
    """Run a leased run already loaded with its article, and store how it ended."""
    assert run.id is not None
    run_id = run.id
    schema = get_schema(f"{run.schema_name}@{run.schema_version}")
    source = ArticleInput(article.text, article.title, article.outlet, article.published_at)

    def fail(
        reason: str, message: str, error: LLMError | None = None, usage: Usage | None = None
    ) -> ExtractionRun:
        return run_results.fail_run(
            engine=engine,
            run=run,
            reason=reason,
            message=message,
            usage=usage or (error.usage if error is not None else None),
            owner=owner,
        )

    try:
        async with keep_leased(engine, run_id, owner, settings.job_lease_s):
            try:
                result = await extract_claims(client, source, schema, settings)
            except LLMError as exc:
                log.warning("run %s failed: %s (%s)", run_id, exc.reason, exc.message)
                return await run_in_threadpool(fail, exc.reason, exc.message, exc)
        try:
            finished = run_results.FinishedRun(run, article, result, owner)
            return await writer_for(engine).complete(finished)
        except jobs.LeaseLostError:
            raise
        except Exception as exc:  # SQLAlchemy's errors, and a driver's own (OverflowError)
            log.exception("run %s: storing its claims failed", run_id)
            reason = "database_error" if isinstance(exc, SQLAlchemyError) else "internal_error"
            message = f"storing the claims failed; nothing was stored: {type(exc).__name__}"
            return await run_in_threadpool(fail, reason, message, None, result.usage)
    except jobs.LeaseLostError as exc:
        log.warning("%s", exc)
        return await run_in_threadpool(read_run, engine, run_id)


async def process_run(
    run_id: int,
    *,
    engine: Engine,
    client: instructor.AsyncInstructor,
    settings: Settings,
    owner: str,
) -> ExtractionRun | None:
    """Claim one queued run and execute it; None when someone else already has it."""
    claimed = await run_in_threadpool(
        jobs.claim_job, engine, run_id, owner=owner, lease_s=settings.job_lease_s
    )
    if not claimed:
        return None
    return await execute_run(run_id, engine=engine, client=client, settings=settings, owner=owner)


def run_status(engine: Engine, run_id: int) -> RunStatus:
    with engine.connect() as connection:
        status = connection.execute(
            select(ExtractionRun.status).where(col(ExtractionRun.id) == run_id)
        ).scalar_one()
    return RunStatus(status)


async def wait_for_run(engine: Engine, run_id: int, *, timeout_s: float) -> ExtractionRun:
    """Wait for a run another worker holds to end, or for the timeout.

    Polls the status alone, a connection for a moment each time: many requests may wait for
    one run, and none may hold a connection while it waits.
    """
    deadline = time.monotonic() + timeout_s
    while True:
        status = await run_in_threadpool(run_status, engine, run_id)
        if status in TERMINAL or time.monotonic() >= deadline:
            return await run_in_threadpool(read_run, engine, run_id)
        await asyncio.sleep(0.2)
