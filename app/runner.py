"""Execute one extraction run: load it, call the pipeline, store the outcome.

Every way a run can end is recorded on it: succeeded with its claims, or failed with a
reason code and a message. Blocking database work runs in a worker thread so the event
loop keeps serving other requests while the LLM is called.
"""

from __future__ import annotations

import logging

import instructor
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from app import crud
from app.config import Settings
from app.extraction import ExtractionResult, extract_claims
from app.llm import LLMError
from app.models import Article, ExtractionRun
from app.prompting import ArticleInput
from schemas import get_schema

log = logging.getLogger(__name__)


def _load(engine: Engine, run_id: int) -> tuple[ExtractionRun, Article]:
    with Session(engine, expire_on_commit=False) as session:
        run = session.get(ExtractionRun, run_id)
        if run is None:
            raise LookupError(f"run {run_id} does not exist")
        article = session.get(Article, run.article_id)
        assert article is not None
        crud.start_run(session=session, run=run)
        return run, article


async def execute_run(
    run_id: int, *, engine: Engine, client: instructor.AsyncInstructor, settings: Settings
) -> ExtractionRun:
    run, article = await run_in_threadpool(_load, engine, run_id)
    schema = get_schema(f"{run.schema_name}@{run.schema_version}")
    source = ArticleInput(article.text, article.title, article.outlet, article.published_at)

    def succeed(result: ExtractionResult) -> ExtractionRun:
        with Session(engine, expire_on_commit=False) as session:
            session.add(run)
            return crud.complete_run(session=session, run=run, article=article, result=result)

    def fail(reason: str, message: str, error: LLMError | None = None) -> ExtractionRun:
        with Session(engine, expire_on_commit=False) as session:
            session.add(run)
            return crud.fail_run(
                session=session, run=run, reason=reason, message=message, error=error
            )

    try:
        result = await extract_claims(client, source, schema, settings)
    except LLMError as exc:
        log.warning("run %s failed: %s (%s)", run_id, exc.reason, exc.message)
        return await run_in_threadpool(fail, exc.reason, exc.message, exc)
    try:
        return await run_in_threadpool(succeed, result)
    except SQLAlchemyError as exc:
        log.exception("run %s: storing its claims failed", run_id)
        message = f"storing the claims failed; nothing was stored: {type(exc).__name__}"
        return await run_in_threadpool(fail, "database_error", message)
