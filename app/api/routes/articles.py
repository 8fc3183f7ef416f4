"""Articles: submit one for extraction, list them, read one and its claims."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated

from fastapi import APIRouter, Body, Query, Request, Response, status
from pydantic import Field
from sqlalchemy import Engine
from sqlmodel import Session, col, select
from starlette.concurrency import run_in_threadpool

from app.api import examples
from app.api.auth import WriteKey
from app.api.deps import ArticleDep, EngineDep, FetcherDep, LLMDep, SessionDep, SettingsDep
from app.api.error_docs import refusal, refusals
from app.api.models import (
    ArticleDetail,
    ArticleExtraction,
    ArticlePublic,
    ArticlesPublic,
    ClaimsPublic,
    PublicationPublic,
    RejectedClaimPublic,
    RejectedClaimsPublic,
    RunPublic,
    claims_public,
)
from app.services import submission
from app.services.submission import Submission
from app.store import crud, publications
from app.store.models import (
    MAX_ID,
    Article,
    ArticleCreate,
    Claim,
    ClaimStatus,
    Publication,
)

router = APIRouter(prefix="/articles", tags=["articles"])

ERRORS = refusals(
    refusal("Unknown schema, malformed input or a url refused", "unknown_schema", "url_refused"),
    refusal(
        "Article over FACTDIFF_MAX_ARTICLE_CHARS or a per-article LLM limit", "article_too_long"
    ),
    refusal("The url serves neither HTML nor plain text", "not_html"),
    refusal("Invalid body, or no article text found at the url", "no_text_or_url", "no_text"),
    refusal("The API key's daily token budget is spent", "budget_spent"),
    refusal(
        "The model's answer was unusable (run stored as failed); url unreachable",
        "llm_bad_output",
    ),
    refusal("No LLM answer could be had (no fixture, endpoint down); busy", "llm_unavailable"),
)
NO_ARTICLE = refusal("No such article", "article_404")
# Two bodies to try from /docs: both answer from the fixtures in replay mode.
SUBMISSIONS = {
    "text": {
        "summary": "An article's text, with its outlet and date (Nairobi Ledger, 270 officers)",
        "value": examples.NAIROBI_LEDGER_SUBMISSION,
    },
    "short": {
        "summary": "One sentence of the story (Example Daily, 217 officers)",
        "value": ArticleCreate.model_json_schema()["examples"][0],
    },
}


def article_public(
    article: Article, publications: Sequence[Publication] | None = None
) -> ArticlePublic:
    carried = [PublicationPublic.model_validate(p) for p in publications or ()]
    return ArticlePublic.model_validate(
        {**article.model_dump(), "chars": len(article.text), "publications": carried}
    )


def _publications_of(session: Session, article: Article) -> list[Publication]:
    assert article.id is not None
    found = publications.publications_by_article(session=session, article_ids=[article.id])
    return found[article.id]


def extraction_of(engine: Engine, done: Submission) -> ArticleExtraction:
    with Session(engine) as session:
        claims = session.exec(
            select(Claim)
            .where(Claim.run_id == done.run.id, Claim.status == ClaimStatus.active.value)
            .order_by(col(Claim.id))
        ).all()
        carried = _publications_of(session, done.article)
        public_claims = claims_public(session, claims)
    return ArticleExtraction(
        article=article_public(done.article, carried),
        run=RunPublic.of(done.run),
        claims=public_claims,
        reused=done.reused,
        publication=done.publication and PublicationPublic.model_validate(done.publication),
        publication_created=done.publication_created,
    )


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=ArticleExtraction,
    responses={
        202: {
            "model": ArticleExtraction,
            "description": "Accepted (?wait=false): the run is queued; poll GET /runs/{id}",
            "content": {"application/json": {"example": examples.ARTICLE_QUEUED}},
        },
        **ERRORS,
    },
)
async def submit_article(
    request: Request,
    body: Annotated[ArticleCreate, Body(openapi_examples=SUBMISSIONS)],
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
    outlet: Annotated[
        str | None, Query(max_length=200, description="Articles any outlet of that name carries")
    ] = None,
    article_id: Annotated[
        list[Annotated[int, Field(ge=1, le=MAX_ID)]] | None,
        Query(alias="id", max_length=500, description="Only these articles (repeat ?id=)"),
    ] = None,
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
    """List stored articles, oldest first, each with its publications."""
    rows, count = crud.list_articles(
        session=session,
        outlet=outlet,
        offset=offset,
        limit=limit,
        content_hash=content_hash,
        ids=article_id,
    )
    carried = publications.publications_by_article(
        session=session, article_ids=[a.id for a in rows if a.id is not None]
    )
    return ArticlesPublic(
        data=[article_public(a, carried[a.id]) for a in rows if a.id is not None], count=count
    )


@router.get(
    "/{article_id}",
    response_model=ArticleDetail,
    responses=NO_ARTICLE,
)
def read_article(article: ArticleDep, session: SessionDep) -> ArticleDetail:
    """Read one article, with its text and publications."""
    carried = [PublicationPublic.model_validate(p) for p in _publications_of(session, article)]
    return ArticleDetail.model_validate(
        {**article.model_dump(), "chars": len(article.text), "publications": carried}
    )


@router.get(
    "/{article_id}/claims",
    response_model=ClaimsPublic,
    responses=NO_ARTICLE,
)
def read_article_claims(article: ArticleDep, session: SessionDep) -> ClaimsPublic:
    """List the grounded claims of one article, in text order."""
    claims = session.exec(
        select(Claim)
        .where(Claim.article_id == article.id, Claim.status == ClaimStatus.active.value)
        .order_by(col(Claim.char_start), col(Claim.id))
    ).all()
    return ClaimsPublic(data=claims_public(session, claims), count=len(claims))


@router.get(
    "/{article_id}/rejected",
    response_model=RejectedClaimsPublic,
    responses=NO_ARTICLE,
)
def read_article_rejected(article: ArticleDep, session: SessionDep) -> RejectedClaimsPublic:
    """List the claims the model made that could not be grounded in this article, with why."""
    rows = crud.list_rejected(session=session, article_id=article.id)
    return RejectedClaimsPublic(
        data=[RejectedClaimPublic.model_validate(r) for r in rows], count=len(rows)
    )
