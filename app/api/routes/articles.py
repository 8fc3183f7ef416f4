"""Articles: submit one for extraction, list them, read one and its claims."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response, status
from sqlalchemy import Engine
from sqlmodel import Session, col, select
from starlette.concurrency import run_in_threadpool

from app.api.auth import WriteKey
from app.api.deps import ArticleDep, EngineDep, FetcherDep, LLMDep, SessionDep, SettingsDep
from app.api.models import (
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
from app.services import submission
from app.services.submission import Submission
from app.store import crud
from app.store.models import Article, ArticleCreate, Claim, ClaimStatus

router = APIRouter(prefix="/articles", tags=["articles"])

ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"description": "Unknown schema, malformed input or a url refused"},
    413: {"description": "Article over FACTDIFF_MAX_ARTICLE_CHARS or a per-article LLM limit"},
    415: {"description": "The url serves neither HTML nor plain text"},
    422: {"description": "Invalid body, or no article text found at the url"},
    502: {"description": "The model's answer was unusable (run stored as failed); url unreachable"},
    503: {"description": "No LLM answer could be had (no fixture, endpoint down); busy"},
}


def article_public(article: Article) -> ArticlePublic:
    return ArticlePublic.model_validate({**article.model_dump(), "chars": len(article.text)})


def extraction_of(engine: Engine, done: Submission) -> ArticleExtraction:
    with Session(engine) as session:
        claims = session.exec(
            select(Claim)
            .where(Claim.run_id == done.run.id, Claim.status == ClaimStatus.active.value)
            .order_by(col(Claim.id))
        ).all()
    return ArticleExtraction(
        article=article_public(done.article),
        run=RunPublic.of(done.run),
        claims=[ClaimPublic.of(c) for c in claims],
        reused=done.reused,
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
    pool = getattr(request.app.state, "workers", None)
    done = await submission.submit_article(
        article_in=body, engine=engine, settings=settings, llm=llm,
        fetcher=fetcher, caller=caller, wait=wait, on_queued=pool.wake if pool else None,
    )  # fmt: skip
    if not done.finished:
        response.status_code = status.HTTP_202_ACCEPTED
    return await run_in_threadpool(extraction_of, engine, done)


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
