"""Human curation of claims: add, correct, retract. Originals are kept; every change is audited.

A curated claim passes the same grounding check as an extracted one: its evidence must be in
the article and its number in its evidence. Correcting or retracting a claim changes its
fact's summary, so both run under the facts lock and summarise the fact before committing.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError
from sqlalchemy import Engine, update
from sqlmodel import Session, col, select

from app.core.config import Settings
from app.extract.validation import GroundedClaim, GroundingContext, Rejection, ground_claim
from app.services.curated_claims import claim_fields, corrected_fields, field_errors, parse_claim
from app.services.errors import ErrorKind, ServiceError
from app.services.fact_summaries import summarise_facts
from app.store.crud import claim_row
from app.store.entities import claim_entities, entity_key, register_entities
from app.store.fact_revisions import mark_changed
from app.store.facts_lock import lock_facts
from app.store.models import Article, Claim, ClaimAudit, ClaimOrigin, ClaimStatus
from schemas import ExtractedClaim


class CurationError(ServiceError):
    """A curation refused: not grounded (unprocessable), or no longer active (conflict)."""

    def __init__(
        self, message: str, kind: ErrorKind, *, detail: dict[str, Any] | None = None
    ) -> None:
        super().__init__(kind, message, detail=detail)


def _ground(claim: ExtractedClaim, article: Article, settings: Settings) -> GroundedClaim:
    ctx = GroundingContext(article.text, article.published_at, settings.grounding_fuzzy_threshold)
    outcome = ground_claim(claim, ctx)
    if isinstance(outcome, Rejection):
        raise CurationError(
            f"claim not grounded in article {article.id}: {outcome.reason}", ErrorKind.unprocessable
        )
    return outcome


def _entity_ids(session: Session, grounded: GroundedClaim) -> tuple[int, int | None]:
    """The ids of the claim's subject and object entity (v2), created once however many
    curators and runs name a new entity at once: in their own short transaction, retried,
    taken before the facts lock (on SQLite, a second writer would wait on it)."""
    engine = session.get_bind()
    assert isinstance(engine, Engine)
    # The request's connection goes back to the pool first (nothing is written yet): held
    # while a second is taken, racing curators would hold them all and wait for a second.
    session.commit()
    ids = register_entities(engine=engine, claims=[grounded])
    subject, *objects = (ids[entity_key(e.name)] for e in claim_entities(grounded.claim))
    return subject, objects[0] if objects else None


def _snapshot(claim: Claim) -> dict[str, Any]:
    return claim.model_dump(mode="json", exclude={"created_at"})


def _audit(
    session: Session,
    *,
    claim_id: int | None,
    action: str,
    actor: str,
    reason: str,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
) -> None:
    assert claim_id is not None
    session.add(
        ClaimAudit(
            claim_id=claim_id, action=action, actor=actor, reason=reason, before=before, after=after
        )
    )


def add_claim(
    *,
    session: Session,
    article: Article,
    claim: ExtractedClaim,
    actor: str,
    reason: str,
    settings: Settings,
) -> Claim:
    grounded = _ground(claim, article, settings)
    subject_id, object_id = _entity_ids(session, grounded)
    row = claim_row(
        grounded=grounded,
        article=article,
        run_id=None,
        entity_id=subject_id,
        object_entity_id=object_id,
    )
    row.origin = ClaimOrigin.curated.value
    session.add(row)
    session.flush()
    _audit(
        session,
        claim_id=row.id,
        action="added",
        actor=actor,
        reason=reason,
        before=None,
        after=_snapshot(row),
    )
    session.commit()
    session.refresh(row)
    return row


def _take_active(session: Session, claim: Claim, status: ClaimStatus) -> None:
    """Move an active claim to ``status``, or refuse (conflict) when it is active no more.

    One conditional UPDATE, whose row count says who won: the status read with the claim
    may be stale by now. PostgreSQL makes a racing UPDATE wait for the first to commit and
    then finds the claim no longer active; SQLite runs one writer at a time. The row stays
    locked, so the winner's correction and audit go in before anyone reads it again.
    """
    taken = session.execute(
        update(Claim)
        .where(col(Claim.id) == claim.id, col(Claim.status) == ClaimStatus.active.value)
        .values(status=status.value)
    )
    if taken.rowcount == 1:  # type: ignore[attr-defined]
        return
    session.rollback()
    current = session.exec(select(Claim.status).where(Claim.id == claim.id)).one()
    raise CurationError(
        f"claim {claim.id} is {current}; only active claims can be changed",
        ErrorKind.conflict,
        detail={
            "reason": "claim_not_active",
            "message": f"claim {claim.id} is {current}; only active claims can be changed",
            "claim_id": claim.id,
            "status": current,
        },
    )


def correct_claim(
    *,
    session: Session,
    claim: Claim,
    changes: dict[str, Any],
    actor: str,
    reason: str,
    settings: Settings,
) -> Claim:
    """Replace a claim with a corrected copy; the original stays, marked superseded."""
    before = _snapshot(claim)
    article = session.get(Article, claim.article_id)
    assert article is not None
    try:
        corrected = parse_claim(corrected_fields(claim_fields(session, claim), changes))
    except ValidationError as exc:
        raise CurationError(
            f"the corrected claim is not valid: {field_errors(exc)}", ErrorKind.unprocessable
        ) from exc
    grounded = _ground(corrected, article, settings)
    subject_id, object_id = _entity_ids(session, grounded)
    lock_facts(session)
    _take_active(session, claim, ClaimStatus.superseded)
    row = claim_row(
        grounded=grounded,
        article=article,
        run_id=claim.run_id,
        entity_id=subject_id,
        object_entity_id=object_id,
    )
    row.origin = ClaimOrigin.curated.value
    row.supersedes_id = claim.id
    session.add(row)
    session.flush()
    _audit(
        session,
        claim_id=row.id,
        action="corrected",
        actor=actor,
        reason=reason,
        before=before,
        after=_snapshot(row),
    )
    _resummarise(session, claim)
    session.commit()
    session.refresh(row)
    return row


def _resummarise(session: Session, claim: Claim) -> None:
    """The fact the claim left, summarised again before the change commits (the corrected
    copy joins a fact when it is assigned, like any new claim)."""
    if claim.fact_id is not None:
        session.flush()
        mark_changed(session, fact_ids=[claim.fact_id])
        summarise_facts(session, [claim.fact_id])


def retract_claim(*, session: Session, claim: Claim, actor: str, reason: str) -> Claim:
    before = _snapshot(claim)
    lock_facts(session)  # its fact's summary changes with it
    _take_active(session, claim, ClaimStatus.retracted)
    _audit(
        session,
        claim_id=claim.id,
        action="retracted",
        actor=actor,
        reason=reason,
        before=before,
        after=_snapshot(claim),
    )
    _resummarise(session, claim)
    session.commit()
    session.refresh(claim)
    return claim


def audit_of(*, session: Session, claim_id: int) -> list[ClaimAudit]:
    """The audit trail of a claim and of the claims it replaced, oldest first."""
    ids: list[int] = []
    current: int | None = claim_id
    while current is not None:
        ids.append(current)
        current = session.exec(select(Claim.supersedes_id).where(Claim.id == current)).first()
    query = select(ClaimAudit).where(col(ClaimAudit.claim_id).in_(ids))
    return list(session.exec(query.order_by(col(ClaimAudit.id))).all())
