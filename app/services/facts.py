"""Stored facts: assign new claims to them, read them as the ledger, merge and split them.

Assignment is the ledger's own single pass (app.diff.ledger.assign_to_clusters) run on the
claims not yet assigned, in id order, against the stored facts of their block: so a fact is
what the ledger would have clustered at query time, and reading the ledger no longer clusters.
It runs after workers store a batch of runs, and before the ledger or a diff is read, under one
lock (PostgreSQL: an advisory lock; SQLite: its write lock, taken first), so two processes
never assign one claim twice or make two facts of one.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence

from sqlalchemy import Connection, Engine, func, text, update
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from app.core.config import Settings
from app.diff.align import DiffClaim, Features, features_of
from app.diff.ledger import EXEMPLARS, Cluster, assign_to_clusters, block_key
from app.services.diff_sources import load_claims
from app.store.fact_models import Fact
from app.store.models import Claim, ClaimStatus, ExtractionRun, utcnow

# Any fixed number: every process serialises assignment and curation of facts on it.
ADVISORY_LOCK = 7_271_001


def lock_facts(session: Session) -> None:
    """Hold the facts lock until the transaction ends."""
    if session.get_bind().dialect.name == "postgresql":
        session.exec(text("SELECT pg_advisory_xact_lock(:key)").bindparams(key=ADVISORY_LOCK))  # type: ignore[call-overload]
    else:
        # A write that changes nothing still takes SQLite's write lock, so what is read next
        # cannot change under this transaction.
        session.exec(update(Fact).where(col(Fact.id) == -1).values(id=Fact.id))


def assign_pending(engine: Engine | Connection, *, default_schema: str) -> int:
    """Assign every active claim that has no fact yet; returns how many were assigned."""
    with Session(engine) as session:
        # Cheap check first, without the lock: nothing pending is the common case of a read.
        if not _pending_ids(session, limit=1):
            return 0
        lock_facts(session)
        assigned = assign_in(session, default_schema=default_schema)
        session.commit()
        return assigned


def assign_facts(settings: Settings) -> Callable[[Engine], int]:
    """The workers' after-store hook: assign what a batch of runs stored."""
    return functools.partial(assign_pending, default_schema=settings.default_schema)


def assign_in(session: Session, *, default_schema: str, limit: int | None = None) -> int:
    """Assignment inside the caller's transaction, which must hold the facts lock; at most
    ``limit`` claims, the oldest first, so a backfill can commit as it goes."""
    pending = _pending_ids(session, limit=limit)
    if not pending:
        return 0
    by_schema: dict[str, list[int]] = defaultdict(list)
    for claim_id, schema_name in pending:
        by_schema[schema_name or default_schema].append(claim_id)
    for schema_name, ids in by_schema.items():
        claims = _claims(session, ids)
        blocks: dict[tuple[str, str], list[Features]] = defaultdict(list)
        for f in features_of(claims):
            blocks[block_key(f)].append(f)
        for (block, family), features in blocks.items():
            _assign_block(session, schema_name, block, family, features)
    return len(pending)


def count_pending(session: Session) -> int:
    return session.exec(
        select(func.count())
        .select_from(Claim)
        .where(col(Claim.fact_id).is_(None), Claim.status == ClaimStatus.active.value)
    ).one()


def _pending_ids(session: Session, limit: int | None = None) -> list[tuple[int, str | None]]:
    query = (
        sa_select(col(Claim.id), col(ExtractionRun.schema_name))
        .outerjoin(ExtractionRun, col(ExtractionRun.id) == col(Claim.run_id))
        .where(col(Claim.fact_id).is_(None), col(Claim.status) == ClaimStatus.active.value)
        .order_by(col(Claim.id))
        .limit(limit)
    )
    return [(row[0], row[1]) for row in session.connection().execute(query)]  # type: ignore[misc]


def _claims(session: Session, ids: Sequence[int]) -> list[DiffClaim]:
    claims: list[DiffClaim] = []
    for start in range(0, len(ids), 5000):  # under every database's bound-parameter limit
        claims += load_claims(session, where=[col(Claim.id).in_(ids[start : start + 5000])])
    return claims


def _assign_block(
    session: Session, schema_name: str, block: str, family: str, features: list[Features]
) -> None:
    facts = session.exec(
        select(Fact.id).where(
            Fact.schema_name == schema_name,
            Fact.block == block,
            Fact.family == family,
            col(Fact.merged_into_id).is_(None),
        )
    ).all()
    clusters, fact_ids = _stored_clusters(session, [i for i in facts if i is not None])
    features.sort(key=lambda f: f.claim.id)
    chosen = assign_to_clusters(features, clusters)
    by_fact: dict[int, list[int]] = defaultdict(list)
    for f, k in zip(features, chosen, strict=True):
        if k == len(fact_ids):  # the claim started a fact
            first = f.claim
            fact = Fact(
                schema_name=schema_name,
                block=block,
                family=family,
                entity_id=_entity_id(session, first.id),
                label=" · ".join(p for p in (first.subject, first.predicate, first.object) if p),
            )
            session.add(fact)
            session.flush()
            assert fact.id is not None
            fact_ids.append(fact.id)
        by_fact[fact_ids[k]].append(f.claim.id)
    now = utcnow()
    for fact_id, claim_ids in by_fact.items():
        session.exec(update(Claim).where(col(Claim.id).in_(claim_ids)).values(fact_id=fact_id))
        session.exec(update(Fact).where(col(Fact.id) == fact_id).values(updated_at=now))


def _stored_clusters(session: Session, fact_ids: list[int]) -> tuple[list[Cluster], list[int]]:
    """Each stored fact's leader and first exemplars, and the articles it already holds."""
    if not fact_ids:
        return [], []
    ranked = (
        sa_select(
            col(Claim.id),
            col(Claim.fact_id),
            func.row_number()
            .over(partition_by=col(Claim.fact_id), order_by=col(Claim.id))
            .label("n"),
        )
        .where(col(Claim.fact_id).in_(fact_ids), col(Claim.status) == ClaimStatus.active.value)
        .subquery()
    )
    firsts = session.connection().execute(sa_select(ranked.c.id).where(ranked.c.n <= EXEMPLARS))
    members = features_of(_claims(session, [row[0] for row in firsts]))
    articles = session.connection().execute(
        sa_select(col(Claim.fact_id), col(Claim.article_id))
        .where(col(Claim.fact_id).in_(fact_ids), col(Claim.status) == ClaimStatus.active.value)
        .distinct()
    )
    by_fact: dict[int, Cluster] = {}
    for f in sorted(members, key=lambda m: m.claim.id):
        assert f.claim.fact_id is not None
        by_fact.setdefault(f.claim.fact_id, Cluster([], set())).members.append(f)
    for fact_id, article_id in articles:
        if fact_id in by_fact:
            by_fact[fact_id].articles.add(article_id)
    # Facts emptied by curation (every claim retracted or split out) take no new claims.
    ordered = sorted(by_fact)
    return [by_fact[i] for i in ordered], ordered


def _entity_id(session: Session, claim_id: int) -> int | None:
    return session.exec(select(Claim.entity_id).where(Claim.id == claim_id)).one()


def reassign_names(session: Session, names: Iterable[str]) -> None:
    """Send the facts of claims about these names back to assignment, and commit.

    An alias moves a name's claims into another subject's block: every fact holding a claim
    whose subject (or the words the article used for it) is one of the names is clustered
    again (curators' merges and splits among them are not kept). The empty facts stay, with
    their audit trail.
    """
    lock_facts(session)
    folded = list({n.casefold() for n in names})
    about = select(Claim.fact_id).where(
        col(Claim.fact_id).is_not(None),
        func.lower(col(Claim.subject_name)).in_(folded)
        | func.lower(col(Claim.subject_mention)).in_(folded),
    )
    ids = session.exec(about.distinct()).all()
    if ids:
        session.exec(update(Claim).where(col(Claim.fact_id).in_(ids)).values(fact_id=None))
    session.commit()
