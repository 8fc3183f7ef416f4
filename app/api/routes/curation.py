"""Curation: add a claim by hand, correct or retract one, read its audit trail."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, status
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError

from app.api.curation_models import ClaimAuditPublic, ClaimPatch, CuratedClaimCreate
from app.api.deps import ArticleDep, ClaimDep, SessionDep, SettingsDep
from app.api.error_docs import refusal, refusals
from app.api.models import ClaimPublic, claim_public
from app.services import curation
from app.services.curated_claims import parse_claim

router = APIRouter(tags=["curation"])

NO_CLAIM = refusal("No such claim", "claim_404")
NOT_ACTIVE = refusal("The claim was already retracted or superseded", "claim_not_active")
NOT_GROUNDED = "Invalid, or the evidence is not in the article"


@router.post(
    "/articles/{article_id}/claims",
    status_code=status.HTTP_201_CREATED,
    response_model=ClaimPublic,
    responses=refusals(
        refusal("No such article", "article_404"),
        refusal(NOT_GROUNDED, "not_grounded", "unknown_fact_kind"),
    ),
)
def add_claim(
    article: ArticleDep, body: CuratedClaimCreate, session: SessionDep, settings: SettingsDep
) -> ClaimPublic:
    """Add a claim by hand; it must be grounded in the article like an extracted one."""
    fields = body.model_dump(mode="json", exclude_unset=True, exclude={"actor", "reason"})
    try:
        claim = parse_claim(fields)
    except ValidationError as exc:
        # The schema's own field errors, answered as any other invalid body is.
        raise RequestValidationError(
            [{**e, "loc": ("body", *e["loc"])} for e in exc.errors()]
        ) from exc
    row = curation.add_claim(
        session=session,
        article=article,
        claim=claim,
        actor=body.actor,
        reason=body.reason,
        settings=settings,
    )
    return claim_public(session, row)


@router.get("/claims/{claim_id}", response_model=ClaimPublic, responses=NO_CLAIM)
def read_claim(claim: ClaimDep, session: SessionDep) -> ClaimPublic:
    """Read one claim, whatever its status."""
    return claim_public(session, claim)


@router.patch(
    "/claims/{claim_id}",
    response_model=ClaimPublic,
    responses=refusals(
        NO_CLAIM, NOT_ACTIVE, refusal(NOT_GROUNDED, "nothing_to_change", "not_grounded")
    ),
)
def correct_claim(
    claim: ClaimDep, body: ClaimPatch, session: SessionDep, settings: SettingsDep
) -> ClaimPublic:
    """Correct a claim: a new curated claim replaces it; the original is kept, superseded."""
    changes = body.model_dump(mode="json", exclude_unset=True, exclude={"actor", "reason"})
    if not changes:
        raise HTTPException(422, "nothing to change: give at least one claim field")
    row = curation.correct_claim(
        session=session,
        claim=claim,
        changes=changes,
        actor=body.actor,
        reason=body.reason,
        settings=settings,
    )
    return claim_public(session, row)


@router.delete(
    "/claims/{claim_id}", response_model=ClaimPublic, responses=refusals(NO_CLAIM, NOT_ACTIVE)
)
def retract_claim(
    claim: ClaimDep,
    session: SessionDep,
    actor: Annotated[str, Query(min_length=1, max_length=200, description="Who retracts it")],
    reason: Annotated[str, Query(min_length=1, max_length=2000, description="Why")],
) -> ClaimPublic:
    """Retract a claim: it stays stored, marked retracted, and leaves diffs and the ledger."""
    row = curation.retract_claim(session=session, claim=claim, actor=actor, reason=reason)
    return claim_public(session, row)


@router.get("/claims/{claim_id}/audit", response_model=list[ClaimAuditPublic], responses=NO_CLAIM)
def read_claim_audit(claim: ClaimDep, session: SessionDep) -> list[ClaimAuditPublic]:
    """Read the audit trail of a claim and of the claims it replaced."""
    assert claim.id is not None
    rows = curation.audit_of(session=session, claim_id=claim.id)
    return [ClaimAuditPublic.model_validate(r) for r in rows]
