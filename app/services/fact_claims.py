"""A stored fact's first claims: what it is scored by, and where the diff looks for a third source.

A fact's first claims by id are its leader and exemplars, the claims every later claim of it
was scored against when it was assigned (app.diff.clustering): a fact of ten thousand claims
is read by its first few.
"""

from __future__ import annotations

from sqlmodel import Session, col, select

from app.diff.bridges import bridge_undecided, bridgeable
from app.diff.clustering import EXEMPLARS
from app.diff.types import DiffClaim, DiffResult
from app.services.diff_sources import load_claims
from app.store.fact_revisions import current_claims
from app.store.models import Claim, ClaimStatus
from app.store.sql_lists import one_of

# A fact's first claims read to score it (app.diff.related scores its first EXEMPLARS): twice
# as many, as some may have been replaced by a later run of their article.
READ_CLAIMS = 2 * EXEMPLARS


def first_claims(session: Session, fact_ids: list[int]) -> list[DiffClaim]:
    """Each fact's first current active claims, by id: what a fact is scored by
    (app.diff.related), not the busiest entity's ten thousand. A fact's first few active
    claims are read by its index (ix_claim_fact_status), one short query a fact, then those a
    later run replaced are left out; ranking every claim of a page's facts took 0.1 s."""
    ids: list[int | None] = []
    for fact_id in fact_ids:
        ids += session.exec(
            select(col(Claim.id))
            .where(Claim.fact_id == fact_id, Claim.status == ClaimStatus.active.value)
            .order_by(col(Claim.id))
            .limit(READ_CLAIMS)
        ).all()
    found = [i for i in ids if i is not None]
    if not found:
        return []
    return load_claims(session, where=[one_of(session, col(Claim.id), found), current_claims()])


def linked_through_third_sources(session: Session, result: DiffResult) -> DiffResult:
    """``result`` with the undecided pairs a third source links made (app.diff.bridges): the
    third sources looked at are the first claims of the two claims' stored facts."""
    fact_ids = sorted(
        {
            c.fact_id
            for pair in result.undecided
            if bridgeable(pair)
            for c in (pair.left, pair.right)
            if c.fact_id is not None
        }
    )
    if not fact_ids:
        return result
    return bridge_undecided(result, first_claims(session, fact_ids))
