"""Curators correct the clustering: merge two facts into one, or split a claim out of a fact.

Both run under the facts lock (app.store.facts_lock.lock_facts), so they never interleave with
assignment or with each other: of two curators merging A into B and B into A, one wins and the
other gets a conflict. Every change is audited in ``fact_audit``: who, when, why, and the
facts' summaries (app.services.fact_summaries) are made again before it commits.
"""

from __future__ import annotations

from sqlalchemy import update
from sqlmodel import Session, col, func, select

from app.services.errors import ErrorKind, ServiceError
from app.services.fact_summaries import summarise_facts
from app.services.facts import refresh_exemplars
from app.store.fact_models import Fact, FactAction, FactAudit
from app.store.fact_revisions import mark_changed
from app.store.facts_lock import lock_facts
from app.store.models import Claim, ClaimStatus, utcnow


def merge_facts(*, session: Session, fact_id: int, other_id: int, actor: str, reason: str) -> Fact:
    """Move every claim of ``other_id`` into ``fact_id``; the other fact is kept, merged."""
    if fact_id == other_id:
        raise ServiceError(ErrorKind.unprocessable, f"fact {fact_id} cannot be merged into itself")
    lock_facts(session)
    fact, other = _live(session, fact_id), _live(session, other_id)
    if fact.schema_name != other.schema_name:
        raise ServiceError(
            ErrorKind.unprocessable,
            f"fact {other_id} is of schema {other.schema_name}, fact {fact_id} of "
            f"{fact.schema_name}: only facts of one schema can be merged",
        )
    session.exec(update(Claim).where(col(Claim.fact_id) == other_id).values(fact_id=fact_id))
    other.merged_into_id = fact_id
    fact.updated_at = other.updated_at = utcnow()
    session.add_all([fact, other])
    session.flush()
    refresh_exemplars(session, fact)
    resummarise(session, [fact_id, other_id])
    session.add(
        FactAudit(
            fact_id=fact_id,
            action=FactAction.merged.value,
            other_fact_id=other_id,
            actor=actor,
            reason=reason,
        )
    )
    session.commit()
    session.refresh(fact)
    return fact


def split_claim(*, session: Session, fact_id: int, claim_id: int, actor: str, reason: str) -> Fact:
    """Move one claim out of a fact into a new fact of its own; returns the new fact."""
    lock_facts(session)
    fact = _live(session, fact_id)
    claim = session.get(Claim, claim_id)
    if claim is None or claim.fact_id != fact_id or claim.status != ClaimStatus.active.value:
        raise ServiceError(
            ErrorKind.unprocessable, f"claim {claim_id} is not an active claim of fact {fact_id}"
        )
    members = session.exec(
        select(func.count())
        .select_from(Claim)
        .where(Claim.fact_id == fact_id, Claim.status == ClaimStatus.active.value)
    ).one()
    if members < 2:
        raise ServiceError(
            ErrorKind.conflict, f"claim {claim_id} is the only claim of fact {fact_id}"
        )
    new = Fact(
        schema_name=fact.schema_name,
        block=fact.block,
        family=fact.family,
        label=" · ".join(p for p in (claim.subject_name, claim.predicate, claim.object) if p),
    )
    session.add(new)
    session.flush()
    claim.fact_id = new.id
    new.exemplars = [claim_id]
    fact.updated_at = utcnow()
    session.add_all([claim, fact, new])
    session.flush()
    refresh_exemplars(session, fact)
    assert new.id is not None
    resummarise(session, [fact_id, new.id])
    session.add(
        FactAudit(
            fact_id=fact_id,
            action=FactAction.split_out.value,
            other_fact_id=new.id,
            claim_id=claim_id,
            actor=actor,
            reason=reason,
        )
    )
    session.commit()
    session.refresh(new)
    return new


def resummarise(session: Session, fact_ids: list[int]) -> None:
    """Mark the facts changed and summarise them again, before the change commits (under the
    facts lock, which the caller holds)."""
    session.flush()
    mark_changed(session, fact_ids=fact_ids)
    summarise_facts(session, fact_ids)


def audit_of(*, session: Session, fact_id: int) -> list[FactAudit]:
    """What curators did to a fact, and to the facts merged into it, oldest first."""
    ids = [fact_id, *session.exec(select(Fact.id).where(Fact.merged_into_id == fact_id)).all()]
    return list(
        session.exec(
            select(FactAudit)
            .where(col(FactAudit.fact_id).in_(ids) | col(FactAudit.other_fact_id).in_(ids))
            .order_by(col(FactAudit.id))
        ).all()
    )


def _live(session: Session, fact_id: int) -> Fact:
    fact = session.get(Fact, fact_id)
    if fact is None:
        raise ServiceError(ErrorKind.not_found, f"fact {fact_id} not found")
    if fact.merged_into_id is not None:
        raise ServiceError(
            ErrorKind.conflict, f"fact {fact_id} was merged into fact {fact.merged_into_id}"
        )
    return fact
