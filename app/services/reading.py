"""What a reader looks at: the stories, recent articles, an article's claims and their facts.

Use cases of the web pages, as plain functions over a session so the API or the CLI can call
them too. The fact a claim belongs to is its stored fact, read as ``GET /facts`` reads it
(app.services.comparison.stored_ledger).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from sqlalchemy import select as sa_select
from sqlmodel import Session, col, func, select

from app.diff.ledger import Fact, Status
from app.services import comparison, facts
from app.services.diff_sources import alias_map, entity_rows, load_claims
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
    for group in ranked[:limit]:
        ids = [i for i, _ in group]
        name = max(group, key=lambda e: (counts[e[0]], -e[0]))[1]
        articles = session.exec(
            select(func.count(func.distinct(col(Claim.article_id)))).where(
                col(Claim.entity_id).in_(ids), col(Claim.status) == ClaimStatus.active.value
            )
        ).one()
        facts = comparison.fact_ledger(
            session, schema_name=schema_name, entity=name, conflicts_only=True
        )
        conflicts = len(facts)
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
    """The stored fact of each of an article's claims, with every source's claim of it.

    Claims are assigned to their facts first (app.services.facts), as the ledger does, and only
    the members of the article's facts are read: the cost follows the article, not how busy
    its subjects are.
    """
    facts.assign_pending(session.get_bind(), default_schema=schema_name)
    own = select(Claim.fact_id).where(
        Claim.article_id == article_id, Claim.status == ClaimStatus.active.value
    )
    members = load_claims(session, where=[col(Claim.fact_id).in_(own)])
    found: dict[int, ClaimFact] = {}
    for fact in comparison.stored_ledger(members):
        view = _claim_fact(fact)
        for source in fact.sources:
            found[source.id] = view
    return found


def _claim_fact(fact: Fact) -> ClaimFact:
    outlets = Counter(c.article_id for c in fact.sources)
    return ClaimFact(fact.status, fact.explanation, len(outlets), fact.values)


def list_outlets(*, session: Session) -> list[str]:
    """The outlets of the stored articles, by name."""
    query = select(Article.outlet).where(col(Article.outlet).is_not(None)).distinct()
    return sorted(o for o in session.exec(query).all() if o)
