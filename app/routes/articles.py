"""Articles: submit one for extraction, list them, read one and its claims."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request, Response, status
from sqlmodel import Session, col, select
from starlette.concurrency import run_in_threadpool

from app import budget, crud
from app.api_models import (
    ArticleCreate,
    ArticleDetail,
    ArticleExtraction,
    ArticlePublic,
    ArticlesPublic,
    ClaimPublic,
    ClaimsPublic,
    RejectedClaimPublic,
    RejectedClaimsPublic,
    RunPublic,
)
from app.article_input import resolve_text
from app.auth import WriteKey
from app.deps import ArticleDep, EngineDep, FetcherDep, LLMDep, SessionDep, SettingsDep
from app.fetch import FetchError
from app.models import Article, Claim, ClaimStatus, ExtractionRun, RunStatus
from app.quota import check_daily_budget
from app.runner import TERMINAL, process_run, wait_for_run
from app.worker import PROCESS_ID
from schemas import UnknownSchemaError, get_schema

router = APIRouter(prefix="/articles", tags=["articles"])

REQUEST_OWNER = f"{PROCESS_ID}:request"

ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"description": "Unknown schema, malformed input or a url refused"},
    413: {"description": "Article over FACTDIFF_MAX_ARTICLE_CHARS or a per-article LLM limit"},
    415: {"description": "The url serves neither HTML nor plain text"},
    422: {"description": "Invalid body, or no article text found at the url"},
    502: {"description": "The model's answer was unusable (run stored as failed); url unreachable"},
    503: {"description": "No LLM answer could be had (no fixture, endpoint down)"},
}


def article_public(article: Article) -> ArticlePublic:
    return ArticlePublic.model_validate({**article.model_dump(), "chars": len(article.text)})


def extraction_of(
    session: Session, article: Article, run: ExtractionRun, reused: bool
) -> ArticleExtraction:
    claims = session.exec(
        select(Claim)
        .where(Claim.run_id == run.id, Claim.status == ClaimStatus.active.value)
        .order_by(col(Claim.id))
    ).all()
    return ArticleExtraction(
        article=article_public(article),
        run=RunPublic.of(run),
        claims=[ClaimPublic.of(c) for c in claims],
        reused=reused,
    )


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=ArticleExtraction,
    responses={
        202: {"model": ArticleExtraction, "description": "Accepted (?wait=false)"},
        **ERRORS,
    },
)
async def submit_article(
    request: Request,
    body: ArticleCreate,
    response: Response,
    session: SessionDep,
    engine: EngineDep,
    settings: SettingsDep,
    llm: LLMDep,
    caller: WriteKey,
    fetcher: FetcherDep,
    wait: Annotated[
        bool, Query(description="false: return 202 at once and extract in the background")
    ] = True,
) -> ArticleExtraction:
    """Submit an article's text or url: extract its grounded claims (or reuse the stored run)."""
    try:
        schema = get_schema(body.schema_ref or settings.default_schema)
    except UnknownSchemaError as exc:
        raise HTTPException(400, str(exc)) from exc
    try:
        body = await resolve_text(body, fetcher)  # fetch the url, or make HTML plain text
    except FetchError as exc:
        raise HTTPException(exc.status, exc.message) from exc
    if len(body.text) > settings.max_article_chars:
        raise HTTPException(
            413,
            f"article text is {len(body.text)} characters; the limit is "
            f"{settings.max_article_chars} (FACTDIFF_MAX_ARTICLE_CHARS)",
        )
    refused = budget.refusal(
        body.text,
        schema,
        settings,
        title=body.title,
        outlet=body.outlet,
        published_at=body.published_at,
    )
    if refused:
        raise HTTPException(413, refused)

    def prepare() -> tuple[Article, ExtractionRun, bool]:
        check_daily_budget(
            session=session, key=caller, text=body.text, schema=schema, settings=settings
        )
        article = crud.get_or_create_article(session=session, article_in=body)
        run, needs_llm = crud.get_or_create_run(
            session=session,
            article=article,
            schema=schema,
            settings=settings,
            api_key_name=caller.name if caller else None,
        )
        return article, run, needs_llm

    article, run, needs_llm = await run_in_threadpool(prepare)
    assert run.id is not None
    run_id = run.id
    if needs_llm and not wait:
        # Stored and queued: the workers take it, within their concurrency bound.
        if (pool := getattr(request.app.state, "workers", None)) is not None:
            pool.wake()
        response.status_code = status.HTTP_202_ACCEPTED
        return await run_in_threadpool(extraction_of, session, article, run, False)
    if needs_llm:
        done = await process_run(
            run.id, engine=engine, client=llm, settings=settings, owner=REQUEST_OWNER
        )
        run = done or await wait_for_run(engine, run_id, timeout_s=settings.request_wait_s)
    elif wait and run.status not in TERMINAL:
        run = await wait_for_run(engine, run_id, timeout_s=settings.request_wait_s)
    if run.status == RunStatus.failed:
        code = 503 if run.error_reason in ("llm_unavailable", "llm_misconfigured") else 502
        raise HTTPException(
            code,
            detail={
                "reason": run.error_reason,
                "message": run.error,
                "run_id": run.id,
                "article_id": article.id,
            },
        )
    if run.status != RunStatus.succeeded:
        response.status_code = status.HTTP_202_ACCEPTED
    return await run_in_threadpool(extraction_of, session, article, run, not needs_llm)


@router.get("", response_model=ArticlesPublic)
def list_articles(
    session: SessionDep,
    outlet: str | None = None,
    content_hash: Annotated[
        str | None,
        Query(
            pattern="^[0-9a-f]{64}$",
            description="sha256 of the NFC text: is this article stored already?",
        ),
    ] = None,
    offset: Annotated[int, Query(ge=0, le=10**9)] = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> ArticlesPublic:
    """List stored articles, oldest first."""
    rows, count = crud.list_articles(
        session=session, outlet=outlet, offset=offset, limit=limit, content_hash=content_hash
    )
    return ArticlesPublic(data=[article_public(a) for a in rows], count=count)


@router.get(
    "/{article_id}",
    response_model=ArticleDetail,
    responses={404: {"description": "No such article"}},
)
def read_article(article: ArticleDep) -> ArticleDetail:
    """Read one article, with its text."""
    return ArticleDetail.model_validate({**article.model_dump(), "chars": len(article.text)})


@router.get(
    "/{article_id}/claims",
    response_model=ClaimsPublic,
    responses={404: {"description": "No such article"}},
)
def read_article_claims(article: ArticleDep, session: SessionDep) -> ClaimsPublic:
    """List the grounded claims of one article, in text order."""
    claims = session.exec(
        select(Claim)
        .where(Claim.article_id == article.id, Claim.status == ClaimStatus.active.value)
        .order_by(col(Claim.char_start), col(Claim.id))
    ).all()
    return ClaimsPublic(data=[ClaimPublic.of(c) for c in claims], count=len(claims))


@router.get(
    "/{article_id}/rejected",
    response_model=RejectedClaimsPublic,
    responses={404: {"description": "No such article"}},
)
def read_article_rejected(article: ArticleDep, session: SessionDep) -> RejectedClaimsPublic:
    """List the claims the model made that could not be grounded in this article, with why."""
    rows = crud.list_rejected(session=session, article_id=article.id)
    return RejectedClaimsPublic(
        data=[RejectedClaimPublic.model_validate(r) for r in rows], count=len(rows)
    )
