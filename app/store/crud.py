"""Storage: keyword-only functions over a SQLModel session."""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Sequence
from typing import Any

from sqlalchemy import (
    ColumnElement,
)
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, func, select

from app.core.config import Settings
from app.extract.validation import GroundedClaim
from app.store.models import (
    Article,
    ArticleCreate,
    Claim,
    ExtractionRun,
    RejectedClaim,
    RunStatus,
    utcnow,
)
from app.store.publications import articles_carried_by
from schemas import ExtractionSchema


def content_hash(text: str) -> str:
    """The article's identity: the same text in NFC is the same article."""
    return hashlib.sha256(unicodedata.normalize("NFC", text).encode()).hexdigest()


def run_cache_key(*, article_hash: str, schema: ExtractionSchema, model: str) -> str:
    parts = [article_hash, schema.ref, schema.prompt, model]
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def get_or_create_article(*, session: Session, article_in: ArticleCreate) -> Article:
    digest = content_hash(article_in.text)
    existing = session.exec(select(Article).where(Article.content_hash == digest)).first()
    if existing is not None:
        return existing
    article = Article(
        content_hash=digest,
        text=article_in.text,
        title=article_in.title,
        url=article_in.url,
        outlet=article_in.outlet,
        published_at=article_in.published_at,
    )
    session.add(article)
    try:
        session.commit()
    except IntegrityError:
        # Another request stored the same text between our read and our write.
        session.rollback()
        return session.exec(select(Article).where(Article.content_hash == digest)).one()
    session.refresh(article)
    return article


def get_or_create_run(
    *,
    session: Session,
    article: Article,
    schema: ExtractionSchema,
    settings: Settings,
    api_key_name: str | None = None,
) -> tuple[ExtractionRun, bool]:
    """The run for this article, schema, prompt and model; True when it needs the LLM.

    A stored run that succeeded, or is under way, is reused: the same article is never sent
    twice. A failed run is queued again. A run created or queued again is charged to
    ``api_key_name`` (app/services/quota.py).
    """
    assert article.id is not None
    key = run_cache_key(article_hash=article.content_hash, schema=schema, model=settings.llm_model)
    run = session.exec(select(ExtractionRun).where(ExtractionRun.cache_key == key)).first()
    if run is not None:
        if run.status != RunStatus.failed:
            return run, False
        run.status, run.error, run.error_reason = RunStatus.queued, None, None
        run.finished_at, run.attempts = None, 0
        run.api_key_name = api_key_name
    else:
        run = ExtractionRun(
            article_id=article.id,
            cache_key=key,
            schema_name=schema.name,
            schema_version=schema.version,
            prompt_version=schema.prompt,
            model=settings.llm_model,
            endpoint=settings.llm_endpoint,
            llm_mode=settings.mode.value,
            instructor_mode=settings.instructor_mode.value,
            api_key_name=api_key_name,
        )
    session.add(run)
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        run = session.exec(select(ExtractionRun).where(ExtractionRun.cache_key == key)).one()
        return run, False
    session.refresh(run)
    return run, True


_CORE_FIELDS = set(Claim.model_fields) | {
    "subject",
    "object_entity",
    "quantity",
    "time",
    "evidence",
}


def claim_values(
    *,
    grounded: GroundedClaim,
    article: Article,
    run_id: int | None,
    entity_id: int | None,
    object_entity_id: int | None = None,
) -> dict[str, Any]:
    """The column values of a grounded claim of this article."""
    assert article.id is not None
    claim, span = grounded.claim, grounded.span
    # The canonical fact fields of news_claims@v2; a v1 claim has none of them.
    fact_kind = getattr(claim, "fact_kind", None)
    unit_kind = getattr(claim.quantity, "unit_kind", None)
    aspect = getattr(claim.quantity, "aspect", None)
    extra = claim.model_dump(mode="json", exclude=_CORE_FIELDS)  # the schema's own fields
    return dict(
        created_at=utcnow(),
        run_id=run_id,
        article_id=article.id,
        entity_id=entity_id,
        statement=claim.statement,
        claim_type=claim.claim_type.value,
        subject_name=claim.subject.name,
        subject_type=claim.subject.type.value,
        subject_mention=claim.subject.mention,
        predicate=claim.predicate,
        object=claim.object,
        quantity_value=claim.quantity.value if claim.quantity else None,
        quantity_unit=claim.quantity.unit if claim.quantity else None,
        quantity_qualifier=claim.quantity.qualifier.value if claim.quantity else None,
        time_text=claim.time.text if claim.time else None,
        time_start=claim.time.start if claim.time else None,
        time_end=claim.time.end if claim.time else None,
        location=claim.location,
        attribution=claim.attribution,
        modality=claim.modality.value,
        evidence_quote=article.text[span.start : span.end],
        char_start=span.start,
        char_end=span.end,
        match_kind=span.kind.value,
        match_score=span.score,
        fact_kind=None if fact_kind is None else fact_kind.value,
        object_entity_id=object_entity_id,
        unit_kind=None if unit_kind is None else unit_kind.value,
        aspect=None if aspect is None else aspect.value,
        extra=extra,
    )


def claim_row(
    *,
    grounded: GroundedClaim,
    article: Article,
    run_id: int | None,
    entity_id: int | None,
    object_entity_id: int | None = None,
) -> Claim:
    """A Claim row for a grounded claim of this article."""
    values = claim_values(
        grounded=grounded,
        article=article,
        run_id=run_id,
        entity_id=entity_id,
        object_entity_id=object_entity_id,
    )
    return Claim(**values)


def list_articles(
    *,
    session: Session,
    outlet: str | None,
    offset: int,
    limit: int,
    content_hash: str | None = None,
    ids: Sequence[int] | None = None,
) -> tuple[list[Article], int]:
    """Articles in id order; ``outlet`` matches any of an article's publications."""
    query = select(Article)
    counter = select(func.count()).select_from(Article)
    conditions: list[ColumnElement[bool]] = []
    if outlet:
        conditions.append(col(Article.id).in_(articles_carried_by(outlet)))
    if content_hash:
        conditions.append(col(Article.content_hash) == content_hash)
    if ids:
        conditions.append(col(Article.id).in_(ids))
    if conditions:
        query, counter = query.where(*conditions), counter.where(*conditions)
    rows = session.exec(query.order_by(col(Article.id)).offset(offset).limit(limit)).all()
    return list(rows), session.exec(counter).one()


def list_rejected(
    *, session: Session, article_id: int | None = None, run_id: int | None = None
) -> list[RejectedClaim]:
    query = select(RejectedClaim).order_by(col(RejectedClaim.id))
    if article_id is not None:
        query = query.where(RejectedClaim.article_id == article_id)
    if run_id is not None:
        query = query.where(RejectedClaim.run_id == run_id)
    return list(session.exec(query).all())
