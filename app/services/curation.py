"""Human curation of claims: add, correct, retract. Originals are kept; every change is audited.

A curated claim passes the same grounding check as an extracted one: its evidence must be in
the article and its number in its evidence. Correcting or retracting a claim changes its
fact's summary, so both run under the facts lock and summarise the fact before committing.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import update
from sqlmodel import Session, col, select

from app.core.config import Settings
from app.extract.validation import GroundedClaim, GroundingContext, Rejection, ground_claim
from app.services.errors import ErrorKind, ServiceError
from app.services.fact_summaries import summarise_facts
from app.services.facts import lock_facts
from app.store.crud import claim_row
from app.store.entities import upsert_entity
from app.store.fact_revisions import mark_changed
from app.store.models import Article, Claim, ClaimAudit, ClaimOrigin, ClaimStatus
from schemas import ExtractedClaim


class CurationError(ServiceError):
    """A curation refused: not grounded (unprocessable), or no longer active (conflict)."""

    def __init__(
        self, message: str, kind: ErrorKind, *, detail: dict[str, Any] | None = None
    ) -> None:
        super().__init__(kind, message, detail=detail)


def extracted_of(claim: Claim) -> ExtractedClaim:
    """The schema form of a stored claim, for editing and re-grounding."""
    quantity = None
    if claim.quantity_value is not None:
        quantity = {
            "value": claim.quantity_value,
            "unit": claim.quantity_unit or "",
            "qualifier": claim.quantity_qualifier or "exact",
        }
    time = None
    if claim.time_text:
        time = {"text": claim.time_text, "start": claim.time_start, "end": claim.time_end}
    return ExtractedClaim.model_validate(
        {
            "statement": claim.statement,
            "claim_type": claim.claim_type,
            "subject": {
                "name": claim.subject_name,
                "type": claim.subject_type,
                "mention": claim.subject_mention,
            },
            "predicate": claim.predicate,
            "object": claim.object,
            "quantity": quantity,
            "time": time,
            "location": claim.location,
            "attribution": claim.attribution,
            "modality": claim.modality,
            "evidence": claim.evidence_quote,
        }
    )


def _ground(claim: ExtractedClaim, article: Article, settings: Settings) -> GroundedClaim:
    ctx = GroundingContext(article.text, article.published_at, settings.grounding_fuzzy_threshold)
    outcome = ground_claim(claim, ctx)
    if isinstance(outcome, Rejection):
        raise CurationError(
            f"claim not grounded in article {article.id}: {outcome.reason}", ErrorKind.unprocessable
        )
    return outcome


def _entity_id(session: Session, grounded: GroundedClaim) -> int | None:
    subject = grounded.claim.subject
    entity = upsert_entity(
        session=session, name=subject.name, type_=subject.type.value, mention=subject.mention
    )
    return entity.id


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
    row = claim_row(
        grounded=grounded, article=article, run_id=None, entity_id=_entity_id(session, grounded)
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
    merged = extracted_of(claim).model_dump(mode="json") | changes
    try:
        corrected = ExtractedClaim.model_validate(merged)
    except ValueError as exc:
        raise CurationError(
            f"the corrected claim is not valid: {exc}", ErrorKind.unprocessable
        ) from exc
    grounded = _ground(corrected, article, settings)
    lock_facts(session)
    _take_active(session, claim, ClaimStatus.superseded)
    row = claim_row(
        grounded=grounded,
        article=article,
        run_id=claim.run_id,
        entity_id=_entity_id(session, grounded),
    )
    row.origin = ClaimOrigin.curated.value
    row.supersedes_id = claim.id
    _keep_canonical_fields(row, claim)
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


def _keep_canonical_fields(row: Claim, original: Claim) -> None:
    """A correction edits the fields every schema shares; the canonical fields of a
    news_claims@v2 claim carry over, or the corrected claim would leave its fact in the diff
    and the ledger. Unit kind and aspect hold while the claim has a figure: a curator fixes
    a figure or its wording, not what kind of thing it counts."""
    row.fact_kind = original.fact_kind
    row.object_entity_id = original.object_entity_id
    if row.quantity_value is not None:
        row.unit_kind, row.aspect = original.unit_kind, original.aspect


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
