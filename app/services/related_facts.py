"""A stored fact's "to check" list: the facts that may be the same fact, for a curator to merge.

The candidates are the live facts of the fact's schema and block (its fact kind, or its subject
for claims of older schemas) that share an entity with it, as subject or object, each with its
current active claims; app.diff.related scores them. A curator's word stands, as in the diff
(app.services.comparison): two facts a curator split apart are never offered to each other,
and a fact merged away is no longer live. The lists of a page of facts are read together, in a
handful of statements whatever the page's length.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import or_, tuple_
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from app.diff.related import RelatedFact, many_to_check
from app.diff.types import DiffClaim
from app.services.fact_claims import READ_CLAIMS, first_claims
from app.store.fact_models import Fact, FactAction, FactAudit
from app.store.fact_revisions import current_claims
from app.store.models import Claim, ClaimStatus
from app.store.sql_lists import one_of


@dataclass(frozen=True)
class FactToCheck:
    related: RelatedFact
    label: str


def to_check(session: Session, *, fact_id: int, claims: list[DiffClaim]) -> list[FactToCheck]:
    """The facts that may be the stored fact ``fact_id`` (whose current claims are ``claims``),
    best first."""
    return to_check_all(session, {fact_id: claims}).get(fact_id, [])


def to_check_of(session: Session, fact_ids: Sequence[int]) -> dict[int, list[FactToCheck]]:
    """The lists of these facts, reading their current claims first (the ledger page shows
    only some of each fact's)."""
    if not fact_ids:
        return {}
    claims: dict[int, list[DiffClaim]] = {i: [] for i in fact_ids}
    for c in first_claims(session, sorted(set(fact_ids))):
        claims[c.fact_id or 0].append(c)
    return to_check_all(session, claims)


def to_check_all(
    session: Session, facts: Mapping[int, list[DiffClaim]]
) -> dict[int, list[FactToCheck]]:
    """Each fact's list, given its current claims."""
    live = [col(Claim.status) == ClaimStatus.active.value, current_claims()]
    # Facts of older schemas are offered nothing (app.diff.related): no need to read for them.
    ids = sorted(i for i, claims in facts.items() if claims and claims[0].fact_kind is not None)
    if not ids:
        return {}
    rows = session.exec(select(Fact.id, Fact.schema_name, Fact.block).where(col(Fact.id).in_(ids)))
    place = {i: (schema, block) for i, schema, block in rows if i is not None}
    # A fact's entities are its first claims', as its score is theirs (app.diff.related).
    first = [c.id for i in ids for c in sorted(facts[i], key=lambda c: c.id)[:READ_CLAIMS]]
    entities: dict[int, set[int]] = defaultdict(set)
    for fact_id, *named in session.exec(
        select(Claim.fact_id, Claim.entity_id, Claim.object_entity_id).where(
            one_of(session, col(Claim.id), first), *live
        )
    ):
        entities[fact_id or 0].update(e for e in named if e is not None)
    wanted = {e for found in entities.values() for e in found}
    if not place or not wanted:
        return {}
    # From the blocks' facts to their claims (ix_fact_block, then ix_claim_fact_status): a busy
    # entity's claims are many more, and object entities have no index.
    sharing = (
        session.connection()
        .execute(
            sa_select(
                col(Fact.id),
                col(Fact.label),
                col(Fact.schema_name),
                col(Fact.block),
                col(Claim.entity_id),
                col(Claim.object_entity_id),
            )
            .join(Claim, col(Claim.fact_id) == col(Fact.id))
            .where(
                tuple_(col(Fact.schema_name), col(Fact.block)).in_(sorted(set(place.values()))),
                col(Fact.merged_into_id).is_(None),
                *live,
                or_(col(Claim.entity_id).in_(wanted), col(Claim.object_entity_id).in_(wanted)),
            )
            .distinct()
        )
        .all()
    )
    labels: dict[int, str] = {}
    about: dict[tuple[str, str], dict[int, set[int]]] = defaultdict(lambda: defaultdict(set))
    for other, label, schema, block, *named in sharing:
        if other is not None:
            labels[other] = label
            about[schema, block][other].update(e for e in named if e is not None)
    apart = split_apart(session)
    candidates = {
        fact_id: [
            other
            for other, names in about[place[fact_id]].items()
            if other != fact_id and names & entities[fact_id] and other not in apart[fact_id]
        ]
        for fact_id in place
    }
    wanted_claims = sorted({o for found in candidates.values() for o in found})
    members: dict[int, list[DiffClaim]] = defaultdict(list)
    for c in first_claims(session, wanted_claims) if wanted_claims else ():
        members[c.fact_id or 0].append(c)
    lists = many_to_check({i: facts[i] for i in candidates}, candidates, members)
    return {
        fact_id: [FactToCheck(r, labels[r.fact_id]) for r in found]
        for fact_id, found in lists.items()
    }


def split_apart(session: Session) -> dict[int, set[int]]:
    """For each live fact, the live facts a curator split a claim of it into, or out of into
    it: a fact merged since answers as the one it went into, as GET /facts/{id} does."""
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

    apart: dict[int, set[int]] = defaultdict(set)
    for a, b in rows:
        if b is not None and live(a) != live(b):
            apart[live(a)].add(live(b))
            apart[live(b)].add(live(a))
    return apart
