"""Each stored fact's summary, kept on its row, so the ledger reads facts instead of claims.

A summary is app.diff.ledger's own summary (status, values, counts, explanation) of the fact's
**current** claims: from each article's latest successful run of the schema (an article
extracted again, under news_claims@v1 and then @v2, counts once; its older runs stay
reachable through ``/diff?left=run:N``), and claims curators added. It also keeps the few
sources the ledger shows, the steps of its timeline, its entities and its time window.

Every change to a fact's claims marks it in the change's own transaction
(app.store.fact_revisions); ``refresh_stale`` summarises the marked facts again under the
facts lock (app.store.facts_lock.lock_facts), which assignment, merges, splits and claim
curation hold too. So a summary is always summarise() of the claims as they stood under the
lock, and once refreshed it is never older than the last change. Curation refreshes its facts
before it commits; assignment leaves it to the next reader (or ``factdiff facts backfill``),
so storing runs does not pay for summarising busy facts again on every batch.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import ColumnElement, Connection, Engine, case, delete, insert, or_
from sqlmodel import Session, col, func, select

from app.diff.ledger import Fact, stored_fact
from app.diff.rules import describe_quantity
from app.diff.types import DiffClaim
from app.services.diff_sources import alias_map, entity_ids, load_claims
from app.store.fact_models import Fact as StoredFact
from app.store.fact_models import FactEntity
from app.store.fact_revisions import current_claims
from app.store.facts_lock import lock_facts
from app.store.models import Claim, ClaimStatus, utcnow
from app.store.sql_lists import one_of

SOURCES_SHOWN = 25  # a busy fact has thousands of sources: the ledger shows what differs first
PAGE_SOURCES = 10  # what the ledger page and GET /facts list unless asked for more
TIMELINE_STEPS = 20  # changes of value kept for the timeline, the earliest first
CHUNK = 50  # facts summarised per query of their claims


def stale_ids(session: Session, *, limit: int | None = None) -> list[int]:
    query = select(StoredFact.id).where(StoredFact.summary_revision < StoredFact.revision)
    return [i for i in session.exec(query.order_by(col(StoredFact.id)).limit(limit)) if i]


def refresh_stale(
    engine: Engine | Connection, *, batch: int = 1000, rounds: int | None = None
) -> int:
    """Summarise every marked fact again, ``batch`` facts a transaction (at most ``rounds``
    transactions); returns how many."""
    done = 0
    while rounds is None or rounds > 0:
        rounds = None if rounds is None else rounds - 1
        with Session(engine) as session:
            # Cheap check first, without the lock: nothing stale is the common case of a read.
            if not stale_ids(session, limit=1):
                return done
            lock_facts(session)
            ids = stale_ids(session, limit=batch)
            summarise_facts(session, ids)
            session.commit()
            done += len(ids)
    return done


def summarise_facts(session: Session, fact_ids: Sequence[int]) -> None:
    """Summarise these facts from their current claims, in the caller's transaction, which
    must hold the facts lock."""
    aliases = alias_map(session)
    for start in range(0, len(fact_ids), CHUNK):
        chunk = list(fact_ids[start : start + CHUNK])
        live = [col(Claim.fact_id).in_(chunk), current_claims()]
        members: dict[int, list[DiffClaim]] = defaultdict(list)
        for c in load_claims(session, where=live, aliases=aliases, listing=False):
            members[c.fact_id or 0].append(c)
        about = select(Claim.fact_id, Claim.entity_id).where(
            *live, Claim.status == ClaimStatus.active.value, col(Claim.entity_id).is_not(None)
        )
        entities = set(session.exec(about.distinct()).all())
        session.exec(delete(FactEntity).where(col(FactEntity.fact_id).in_(chunk)))
        if entities:
            pairs = [{"fact_id": f, "entity_id": e} for f, e in sorted(entities)]
            session.exec(insert(FactEntity), params=pairs)
        # populate_existing: the revisions were bumped by an UPDATE the session's objects
        # have not seen.
        rows = select(StoredFact).where(col(StoredFact.id).in_(chunk))
        for fact in session.exec(rows.execution_options(populate_existing=True)):
            _write(fact, members.get(fact.id or 0, []))
            session.add(fact)
    session.flush()


def _write(fact: StoredFact, members: list[DiffClaim]) -> None:
    fact.summary_revision = fact.revision
    fact.claim_count = len(members)
    if not members:  # every claim retracted, split out, merged away or superseded
        fact.values, fact.outlets, fact.shown, fact.steps = [], [], [], []
        fact.source_count = fact.article_count = fact.publication_count = 0
        fact.status, fact.explanation = "single", ""
        return
    s = stored_fact(members, fact_id=fact.id or 0)
    fact.status, fact.key, fact.subject = s.status, s.key, s.subject
    fact.claim_type, fact.headline, fact.explanation = s.claim_type, s.headline, s.explanation
    fact.values, fact.outlets = s.values, s.outlets
    fact.source_count, fact.article_count = s.source_count, s.article_count
    fact.publication_count = s.publication_count
    fact.shown = [c.id for c in shown_sources(s.sources)]
    fact.steps = [c.id for c in timeline(s.sources)]
    starts, ends = [c.time_start for c in members], [c.time_end for c in members]
    # A claim without a date passes any date filter, so it leaves that side of the window open.
    fact.time_start = None if None in starts else min(d for d in starts if d)
    fact.time_end = None if None in ends else max(d for d in ends if d)
    fact.updated_at = utcnow()


def shown_sources(sources: Sequence[DiffClaim]) -> list[DiffClaim]:
    """Up to SOURCES_SHOWN sources: the first of each value, then the rest in source order."""
    firsts: dict[str, DiffClaim] = {}
    for c in sources:
        firsts.setdefault(describe_quantity(c), c)
    chosen = list(firsts.values())[:SOURCES_SHOWN]
    ids = {c.id for c in chosen}
    chosen += [c for c in sources if c.id not in ids][: SOURCES_SHOWN - len(chosen)]
    return chosen


def timeline(sources: Sequence[DiffClaim]) -> list[DiffClaim]:
    """When the figure changed: the sources by publication time, each step a new value, the
    first TIMELINE_STEPS of them. Empty when every source gives the same value."""
    ordered = sorted(
        sources, key=lambda c: (c.published_at is None, c.published_at or datetime.min, c.id)
    )
    values = [describe_quantity(c) for c in ordered]
    if len(set(values)) < 2:
        return []
    steps = [c for n, c in enumerate(ordered) if n == 0 or values[n] != values[n - 1]]
    return steps[:TIMELINE_STEPS]


@dataclass(frozen=True)
class SummarisedFact(Fact):
    """A fact as its stored summary gives it: counts over all its sources, ``sources`` only
    those the ledger shows, and ``steps`` its timeline."""

    all_outlets: list[str]
    texts: int
    publications: int
    claims: int
    steps: list[DiffClaim]

    @property
    def outlets(self) -> list[str]:
        return self.all_outlets

    @property
    def article_count(self) -> int:
        return self.texts

    @property
    def publication_count(self) -> int:
        return self.publications

    @property
    def claim_count(self) -> int:
        return self.claims


@dataclass(frozen=True)
class LedgerFilter:
    schema_name: str
    entity: str | None = None
    claim_type: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    conflicts_only: bool = False


def _where(
    session: Session, f: LedgerFilter, aliases: dict[str, str] | None = None
) -> list[ColumnElement[bool]]:
    base = f.schema_name.split("@")[0]
    where: list[ColumnElement[bool]] = [
        col(StoredFact.merged_into_id).is_(None),
        col(StoredFact.claim_count) > 0,
        or_(
            col(StoredFact.schema_name) == base,
            col(StoredFact.schema_name).startswith(base + "@"),
        ),
    ]
    if f.entity:
        about = select(FactEntity.fact_id).where(
            col(FactEntity.entity_id).in_(entity_ids(session, f.entity, aliases=aliases))
        )
        where.append(col(StoredFact.id).in_(about))
    if f.claim_type:
        where.append(col(StoredFact.claim_type) == f.claim_type)
    if f.date_from:
        where.append(
            or_(col(StoredFact.time_end).is_(None), col(StoredFact.time_end) >= f.date_from)
        )
    if f.date_to:
        where.append(
            or_(col(StoredFact.time_start).is_(None), col(StoredFact.time_start) <= f.date_to)
        )
    if f.conflicts_only:
        where.append(col(StoredFact.status) == "conflict")
    return where


def read_summaries(
    session: Session,
    f: LedgerFilter,
    *,
    limit: int | None = None,
    offset: int = 0,
    with_steps: bool = False,
    sources: int = SOURCES_SHOWN,
) -> list[SummarisedFact]:
    """A page of the stored facts under the filter, conflicts first, then by outlets carrying
    them, claims, key; only their first ``sources`` shown sources (and timeline steps, if
    asked) are read."""
    aliases = alias_map(session)
    conflicts_first = case((col(StoredFact.status) == "conflict", 0), else_=1)
    query = (
        select(StoredFact)
        .where(*_where(session, f, aliases))
        .order_by(
            conflicts_first,
            col(StoredFact.source_count).desc(),
            col(StoredFact.claim_count).desc(),
            col(StoredFact.key),
            col(StoredFact.id),
        )
        .offset(offset)
        .limit(limit)
    )
    rows = list(session.exec(query).all())
    wanted = sorted(
        {i for r in rows for i in (*r.shown[:sources], *(r.steps if with_steps else ()))}
    )
    where = [one_of(session, col(Claim.id), wanted)]
    found = load_claims(session, where=where, aliases=aliases, listing=False)
    claims = {c.id: c for c in found}
    return [_summarised(r, claims, sources) for r in rows]


def count_summaries(session: Session, f: LedgerFilter) -> int:
    return session.exec(
        select(func.count()).select_from(StoredFact).where(*_where(session, f))
    ).one()


def _summarised(row: StoredFact, claims: dict[int, DiffClaim], sources: int) -> SummarisedFact:
    return SummarisedFact(
        id=row.id,
        key=row.key,
        subject=row.subject,
        claim_type=row.claim_type,
        headline=row.headline,
        sources=[claims[i] for i in row.shown[:sources] if i in claims],
        status=row.status,  # type: ignore[arg-type]  # written from a Status
        values=list(row.values),
        explanation=row.explanation,
        all_outlets=list(row.outlets),
        texts=row.article_count,
        publications=row.publication_count,
        claims=row.claim_count,
        steps=[claims[i] for i in row.steps if i in claims],
    )


def summaries_of(session: Session, fact_ids: Sequence[int]) -> dict[int, StoredFact]:
    """The stored rows of these facts (their summaries), by id."""
    rows = session.exec(select(StoredFact).where(col(StoredFact.id).in_(sorted(set(fact_ids)))))
    return {r.id: r for r in rows if r.id is not None}
