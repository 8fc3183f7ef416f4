"""A stored fact's "to check" list: the facts that may be the same fact, for a curator to merge.

The candidates are the live facts of the fact's schema and block (its fact kind, or its subject
for claims of older schemas) that share an entity with it, as subject or object, each with its
current active claims; app.diff.related scores them. A curator's word stands, as in the diff
(app.services.comparison): two facts a curator split apart are never offered to each other,
and a fact merged away is no longer live.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import or_
from sqlmodel import Session, col, select

from app.diff.related import RelatedFact, facts_to_check
from app.diff.types import DiffClaim
from app.services.diff_sources import load_claims
from app.store.fact_models import Fact, FactAction, FactAudit
from app.store.fact_revisions import current_claims
from app.store.models import Claim, ClaimStatus


@dataclass(frozen=True)
class FactToCheck:
    related: RelatedFact
    label: str


def to_check(session: Session, *, fact_id: int, claims: list[DiffClaim]) -> list[FactToCheck]:
    """The facts that may be the stored fact ``fact_id`` (whose current claims are ``claims``),
    best first."""
    fact = session.get(Fact, fact_id)
    if fact is None or not claims:
        return []
    live = [col(Claim.status) == ClaimStatus.active.value, current_claims()]
    entities = {
        e
        for row in session.exec(
            select(Claim.entity_id, Claim.object_entity_id).where(Claim.fact_id == fact_id, *live)
        )
        for e in row
        if e is not None
    }
    if not entities:
        return []
    # From the block's facts to their claims (ix_fact_block, then ix_claim_fact_status): a
    # busy entity's claims are many more, and object entities have no index.
    candidates = session.exec(
        select(Fact.id, Fact.label)  # not whole rows: PostgreSQL has no DISTINCT over json
        .join(Claim, col(Claim.fact_id) == col(Fact.id))
        .where(
            Fact.schema_name == fact.schema_name,
            Fact.block == fact.block,
            col(Fact.merged_into_id).is_(None),
            col(Fact.id) != fact_id,
            *live,
            or_(col(Claim.entity_id).in_(entities), col(Claim.object_entity_id).in_(entities)),
        )
        .distinct()
    ).all()
    apart = split_apart(session, fact_id)
    labels = {i: label for i, label in candidates if i is not None and i not in apart}
    if not labels:
        return []
    members: dict[int, list[DiffClaim]] = defaultdict(list)
    for c in load_claims(session, where=[col(Claim.fact_id).in_(labels), current_claims()]):
        members[c.fact_id or 0].append(c)
    return [FactToCheck(r, labels[r.fact_id]) for r in facts_to_check(claims, members)]


def to_check_of(session: Session, fact_id: int) -> list[FactToCheck]:
    """The same, reading the fact's current claims first (the ledger page shows only some)."""
    claims = load_claims(session, where=[col(Claim.fact_id) == fact_id, current_claims()])
    return to_check(session, fact_id=fact_id, claims=claims)


def split_apart(session: Session, fact_id: int) -> set[int]:
    """The live facts a curator split a claim of this fact into, or out of into this fact: a
    fact merged since answers as the one it went into, as GET /facts/{id} does."""
    rows = session.exec(
        select(FactAudit.fact_id, FactAudit.other_fact_id).where(
            FactAudit.action == FactAction.split_out.value
        )
    ).all()
    merged = dict(
        session.exec(
            select(Fact.id, Fact.merged_into_id).where(col(Fact.merged_into_id).is_not(None))
        ).all()
    )

    def live(i: int) -> int:
        seen = {i}
        while (j := merged.get(i)) is not None and j not in seen:
            seen.add(j)
            i = j
        return i

    apart: set[int] = set()
    for a, b in rows:
        if b is None:
            continue
        ends = {live(a), live(b)}
        if fact_id in ends:
            apart |= ends - {fact_id}
    return apart
