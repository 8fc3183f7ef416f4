"""Storage: keyword-only functions over a SQLModel session."""

from __future__ import annotations

import hashlib
import random
import time
import unicodedata
import weakref
from collections.abc import Sequence
from typing import Any

from sqlalchemy import (
    JSON,
    ColumnElement,
    Engine,
    Text,
    cast,
    literal,
    literal_column,
    not_,
    update,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlmodel import Session, col, func, select

from app.core.config import Settings
from app.extract.validation import GroundedClaim
from app.store.models import (
    Article,
    ArticleCreate,
    Claim,
    Entity,
    ExtractionRun,
    RejectedClaim,
    RunStatus,
    utcnow,
)
from schemas import Entity as SchemaEntity
from schemas import ExtractedClaim, ExtractionSchema


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


def fold_name(name: str) -> str:
    """A name as entities are matched: case and runs of whitespace do not count."""
    return " ".join(name.casefold().split())


def entity_key(name: str) -> str:
    """An entity's unique key: its canonical name, folded. Its type is left out, as diffs and
    the ledger leave it out: "Kenya" the country and "Kenya" the government are one entity."""
    return fold_name(name)


# A mention is worth keeping as an alias only when it names the entity: "Nairobi" for the
# Kenyan government, not "it", "they" or "the deployment".
_NOT_A_NAME = frozenset(
    "a an the it its they them their he him his she her we our this that these those "
    "officials le la les il elle ils elles un une".split()
)


def is_alias(mention: str, name: str) -> bool:
    words = mention.split()
    return (
        bool(words)
        and mention.casefold() != name.casefold()
        and words[0][:1].isupper()
        and words[0].casefold() not in _NOT_A_NAME
    )


def add_alias(*, session: Session, entity_id: int, alias: str) -> bool:
    """Append ``alias`` to the entity's aliases unless there already; True when added.

    One UPDATE that appends to the stored list, so additions racing each other are all kept
    (a list read, extended and written back keeps only the last writer's). PostgreSQL makes a
    racing UPDATE wait for the first to commit, then applies it to the row as committed;
    SQLite runs one writer at a time.
    """
    aliases = col(Entity.aliases)
    appended: ColumnElement[Any]
    absent: ColumnElement[bool]
    if session.get_bind().dialect.name == "postgresql":
        item = func.jsonb_build_array(cast(literal(alias), Text))
        appended = cast(cast(aliases, JSONB).op("||")(item), JSON)
        absent = not_(cast(aliases, JSONB).op("@>", is_comparison=True)(item))
    else:
        appended = func.json_insert(aliases, "$[#]", alias)
        listed = select(literal(1)).select_from(func.json_each(aliases).table_valued("value"))
        absent = ~listed.where(literal_column("value") == alias).exists()
    statement = (
        update(Entity)
        .where(col(Entity.id) == entity_id, absent)
        .values(aliases=appended)
        .execution_options(synchronize_session=False)
    )
    added: bool = session.execute(statement).rowcount == 1  # type: ignore[attr-defined]
    return added


def upsert_entity(*, session: Session, name: str, type_: str, mention: str | None) -> Entity:
    """The entity row for a canonical name, learning the article's wording as an alias."""
    key = entity_key(name)
    entity = session.exec(select(Entity).where(Entity.key == key)).first()
    if entity is None:
        entity = Entity(key=key, name=name, type=type_, aliases=[])
        session.add(entity)
        session.flush()
    assert entity.id is not None
    if (
        mention
        and is_alias(mention, entity.name)
        and mention not in entity.aliases
        and add_alias(session=session, entity_id=entity.id, alias=mention)
    ):
        session.refresh(entity, ["aliases"])
    return entity


# Claim fields stored in their own columns; anything else a schema adds goes to Claim.extra.
_CORE_FIELDS = set(Claim.model_fields) | {
    "subject",
    "object_entity",
    "quantity",
    "time",
    "evidence",
}


# Entity ids (and aliases) this process has seen, per database: most claims are about a
# known entity, which then costs no query. Rows are never deleted, so an id stays valid.
_known_entities: weakref.WeakKeyDictionary[Engine, dict[str, tuple[int, frozenset[str]]]] = (
    weakref.WeakKeyDictionary()
)


def claim_entities(claim: ExtractedClaim) -> list[SchemaEntity]:
    """The entities a claim names: its subject, and its object entity when it has one (v2)."""
    obj: SchemaEntity | None = getattr(claim, "object_entity", None)
    return [claim.subject] if obj is None else [claim.subject, obj]


def register_entities(*, engine: Engine, claims: Sequence[GroundedClaim]) -> dict[str, int]:
    """Entity ids for the claims' subjects and object entities, each created once however
    many runs race.

    Its own short transaction, retried: entities are shared reference data, so two runs
    finishing at once may both create one, and the loser must not lose its claims for it.
    """
    known = _known_entities.setdefault(engine, {})
    learned: dict[str, tuple[int, frozenset[str]]] = {}
    subjects = {}
    for subject in (e for grounded in claims for e in claim_entities(grounded.claim)):
        key = entity_key(subject.name)
        mention = (
            subject.mention if subject.mention and is_alias(subject.mention, subject.name) else None
        )
        if key not in known or (mention and mention not in known[key][1]):
            subjects[(key, mention)] = subject
    for attempt in range(5):
        if not subjects:
            break
        try:
            with Session(engine) as session:
                for subject in subjects.values():
                    entity = upsert_entity(
                        session=session,
                        name=subject.name,
                        type_=subject.type.value,
                        mention=subject.mention,
                    )
                    assert entity.id is not None
                    learned[entity.key] = (entity.id, frozenset(entity.aliases))
                session.commit()
            known.update(learned)
            break
        except (IntegrityError, OperationalError):
            learned.clear()
            if attempt == 4:
                raise
            time.sleep(0.05 * (attempt + 1) * (1 + random.random()))
    return {key: entity_id for key, (entity_id, _) in known.items()}


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
    *, grounded: GroundedClaim, article: Article, run_id: int | None, entity_id: int | None
) -> Claim:
    """A Claim row for a grounded claim of this article."""
    return Claim(
        **claim_values(grounded=grounded, article=article, run_id=run_id, entity_id=entity_id)
    )


def list_articles(
    *,
    session: Session,
    outlet: str | None,
    offset: int,
    limit: int,
    content_hash: str | None = None,
) -> tuple[list[Article], int]:
    query = select(Article)
    counter = select(func.count()).select_from(Article)
    if outlet:
        query = query.where(Article.outlet == outlet)
        counter = counter.where(Article.outlet == outlet)
    if content_hash:
        query = query.where(Article.content_hash == content_hash)
        counter = counter.where(Article.content_hash == content_hash)
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
