"""Submit an article: the use case behind ``POST /articles`` (and any page or command that submits).

Checks run before anything is stored or sent to the model: the schema, the url or HTML made into
text, the size, the per-article LLM limits and the caller's daily budget. Then the article and
its run are stored (or the stored ones found: one text, one extraction per schema and model),
and the run is extracted here, queued for the workers, or awaited where another holds it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import instructor
from sqlalchemy import Engine
from sqlalchemy import inspect as sa_inspect
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from app.core.config import ApiKey, Settings
from app.extract import budget
from app.ingest.article_text import resolve_text
from app.ingest.fetch import Fetcher, FetchError
from app.jobs.runner import TERMINAL, process_run, wait_for_run
from app.jobs.worker import PROCESS_ID
from app.services.errors import ErrorKind, ServiceError
from app.services.quota import check_daily_budget
from app.store import crud, db
from app.store.models import Article, ArticleCreate, ExtractionRun, RunStatus
from schemas import ExtractionSchema, UnknownSchemaError, get_schema

REQUEST_OWNER = f"{PROCESS_ID}:request"
FETCH_KINDS = {
    400: ErrorKind.invalid,
    413: ErrorKind.too_large,
    415: ErrorKind.unsupported_media,
    422: ErrorKind.unprocessable,
}
# A run that failed for want of a timely model is "unavailable" (try later, or configure one),
# one that failed on a fault of ours "internal"; any other failure is the model's answer or
# the database's ("upstream_failed").
UNAVAILABLE_REASONS = ("llm_unavailable", "llm_misconfigured", "llm_timeout")
FAILURE_KINDS = {
    **dict.fromkeys(UNAVAILABLE_REASONS, ErrorKind.unavailable),
    "internal_error": ErrorKind.internal,
}


@dataclass(frozen=True)
class Submission:
    article: Article
    run: ExtractionRun
    reused: bool  # the text was extracted before: no LLM call for this request

    @property
    def finished(self) -> bool:
        return self.run.status == RunStatus.succeeded


async def submit_article(
    *,
    article_in: ArticleCreate,
    engine: Engine,
    settings: Settings,
    llm: instructor.AsyncInstructor,
    fetcher: Fetcher,
    caller: ApiKey | None,
    wait: bool = True,
    on_queued: Callable[[], None] | None = None,
) -> Submission:
    """Store the article and extract its claims, or queue it (``wait=False``); ServiceError.

    Each step with the database has a short session of its own: no connection is held while
    the model is called or another's run awaited, so a crowd of waiting requests cannot take
    every connection (they would then time out where the run stores its answer).
    """
    schema = _schema(article_in.schema_ref or settings.default_schema)
    article_in = await _text_of(article_in, fetcher)
    _check_size(article_in, schema, settings)

    def prepare() -> tuple[Article, ExtractionRun, bool]:
        with Session(engine, expire_on_commit=False) as session:
            check_daily_budget(
                session=session, key=caller, text=article_in.text, schema=schema, settings=settings
            )
            article = crud.get_or_create_article(session=session, article_in=article_in)
            run, needs_llm = crud.get_or_create_run(
                session=session,
                article=article,
                schema=schema,
                settings=settings,
                api_key_name=caller.name if caller else None,
            )
            # Read after the session closes: loaded again if a rollback (a race lost to another
            # request storing the same run) expired them.
            for row in (article, run):
                if sa_inspect(row).expired_attributes:
                    session.refresh(row)
            return article, run, needs_llm

    article, run, needs_llm = await run_in_threadpool(prepare)
    assert run.id is not None
    run_id = run.id
    if needs_llm and not wait:
        if on_queued is not None:
            on_queued()
        return Submission(article=article, run=run, reused=False)
    if needs_llm:
        done = await process_run(
            run_id,
            engine=db.jobs_engine(engine, settings),
            client=llm,
            settings=settings,
            owner=REQUEST_OWNER,
        )
        run = done or await wait_for_run(engine, run_id, timeout_s=settings.request_wait_s)
    elif wait and run.status not in TERMINAL:
        run = await wait_for_run(engine, run_id, timeout_s=settings.request_wait_s)
    if run.status == RunStatus.failed:
        reason = run.error_reason or "failed"
        raise ServiceError(
            FAILURE_KINDS.get(reason, ErrorKind.upstream_failed),
            run.error or reason,
            detail={
                "reason": run.error_reason,
                "message": run.error,
                "run_id": run.id,
                "article_id": article.id,
            },
        )
    return Submission(article=article, run=run, reused=not needs_llm)


def _schema(ref: str) -> ExtractionSchema:
    try:
        return get_schema(ref)
    except UnknownSchemaError as exc:
        raise ServiceError(ErrorKind.invalid, str(exc)) from exc


async def _text_of(article_in: ArticleCreate, fetcher: Fetcher) -> ArticleCreate:
    try:
        return await resolve_text(article_in, fetcher)  # fetch the url, or make HTML plain text
    except FetchError as exc:
        kind = FETCH_KINDS.get(exc.status, ErrorKind.upstream_failed)
        raise ServiceError(kind, exc.message) from exc


def _check_size(article_in: ArticleCreate, schema: ExtractionSchema, settings: Settings) -> None:
    if len(article_in.text) > settings.max_article_chars:
        raise ServiceError(
            ErrorKind.too_large,
            f"article text is {len(article_in.text)} characters; the limit is "
            f"{settings.max_article_chars} (FACTDIFF_MAX_ARTICLE_CHARS)",
        )
    refused = budget.refusal(
        article_in.text,
        schema,
        settings,
        title=article_in.title,
        outlet=article_in.outlet,
        published_at=article_in.published_at,
    )
    if refused:
        raise ServiceError(ErrorKind.too_large, refused)
