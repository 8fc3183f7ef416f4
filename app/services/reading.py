"""What a reader looks at: the stories, recent articles, an article's claims and their facts.

Use cases of the web pages, as plain functions over a session so the API or the CLI can call
them too. The fact a claim belongs to is its stored fact, read from its stored summary as
``GET /facts`` reads it (app.services.fact_summaries).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select as sa_select
from sqlmodel import Session, col, func, select

from app.diff.ledger import Status
from app.services import comparison, fact_summaries
from app.services.diff_sources import alias_map, entity_rows
from app.services.fact_summaries import LedgerFilter
from app.store.entities import fold_name
from app.store.models import Article, Claim, ClaimStatus, Entity, ExtractionRun


@dataclass(frozen=True)
class Story:
    """What the stored claims are about: one subject, whatever its entity types and aliases."""

    name: str
    types: list[str]
    articles: int
    claims: int
    conflicts: int


def list_stories(*, session: Session, schema_name: str, limit: int = 12) -> list[Story]:
    """The subjects with the most active claims, each with its facts in conflict counted.

    Entities that name one subject ("Kenya" the country and "Kenya" the government, or an
    entity and its aliases) are one story, as they are one subject in the fact ledger.
    """
    claims = func.count(col(Claim.id))
    per_entity = (
        sa_select(col(Claim.entity_id), claims)
        .where(col(Claim.status) == ClaimStatus.active.value, col(Claim.entity_id).is_not(None))
        .group_by(col(Claim.entity_id))
    )
    counts = {i: n for i, n in session.connection().execute(per_entity) if i is not None}
    entities = entity_rows(session)
    aliases = alias_map(session, entities)
    types = dict(session.exec(select(Entity.id, Entity.type)).all())
    groups: dict[str, list[tuple[int, str]]] = {}
    for entity_id, name, _ in entities:
        if counts.get(entity_id):
            groups.setdefault(aliases.get(fold_name(name), fold_name(name)), []).append(
                (entity_id, name)
            )
    ranked = sorted(groups.values(), key=lambda g: (-sum(counts[i] for i, _ in g), g[0][0]))
    stories = []
    comparison.ready(session, schema_name=schema_name)
    for group in ranked[:limit]:
        ids = [i for i, _ in group]
        name = max(group, key=lambda e: (counts[e[0]], -e[0]))[1]
        articles = session.exec(
            select(func.count(func.distinct(col(Claim.article_id)))).where(
                col(Claim.entity_id).in_(ids), col(Claim.status) == ClaimStatus.active.value
            )
        ).one()
        wanted = LedgerFilter(schema_name, entity=name, conflicts_only=True)
        conflicts = fact_summaries.count_summaries(session, wanted)
        kinds = sorted({types[i] for i in ids})
        stories.append(Story(name, kinds, articles, sum(counts[i] for i in ids), conflicts))
    return stories


def recent_articles(*, session: Session, limit: int = 10) -> list[Article]:
    """The articles stored last, newest first."""
    return list(session.exec(select(Article).order_by(col(Article.id).desc()).limit(limit)).all())


def article_claims(*, session: Session, article_id: int) -> list[Claim]:
    """An article's active claims in text order (as ``GET /articles/{id}/claims`` lists them)."""
    return list(
        session.exec(
            select(Claim)
            .where(Claim.article_id == article_id, Claim.status == ClaimStatus.active.value)
            .order_by(col(Claim.char_start), col(Claim.id))
        ).all()
    )


def article_runs(*, session: Session, article_id: int) -> list[ExtractionRun]:
    """The extraction runs of an article, the latest first."""
    query = select(ExtractionRun).where(ExtractionRun.article_id == article_id)
    return list(session.exec(query.order_by(col(ExtractionRun.id).desc())).all())


@dataclass(frozen=True)
class ClaimFact:
    """The fact a claim belongs to across every stored source."""

    status: Status
    explanation: str
    sources: int
    values: list[str]


def facts_of_article(
    *, session: Session, article_id: int, schema_name: str
) -> dict[int, ClaimFact]:
    """The stored fact of each of an article's claims, from the facts' stored summaries.

    Claims are assigned and facts summarised first, as the ledger does; then only the rows
    of the article's facts are read: the cost follows the article, not how busy its facts are.
    """
    comparison.ready(session, schema_name=schema_name)
    own = session.exec(
        select(Claim.id, Claim.fact_id).where(
            Claim.article_id == article_id, Claim.status == ClaimStatus.active.value
        )
    ).all()
    rows = fact_summaries.summaries_of(session, [f for _, f in own if f is not None])
    found: dict[int, ClaimFact] = {}
    for claim_id, fact_id in own:
        row = rows.get(fact_id) if fact_id is not None else None
        if claim_id is not None and row is not None and row.claim_count:
            found[claim_id] = ClaimFact(
                row.status,  # type: ignore[arg-type]  # written from a Status
                row.explanation,
                row.article_count,
                list(row.values),
            )
    return found


def list_outlets(*, session: Session) -> list[str]:
    """The outlets of the stored articles, by name."""
    query = select(Article.outlet).where(col(Article.outlet).is_not(None)).distinct()
    return sorted(o for o in session.exec(query).all() if o)
