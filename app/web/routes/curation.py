"""Curation from the article page: correct or retract a claim, with a reason."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlmodel import Session

from app.api.deps import IdPath, SessionDep, SettingsDep
from app.core.config import Settings
from app.services import curation
from app.services.curated_claims import claim_fields
from app.services.errors import ErrorKind, ServiceError
from app.web.deps import Caller, PageWriter, render
from app.web.routes.article import (
    article_context,
    article_or_page_error,
    claim_or_page_error,
)

router = APIRouter(prefix="/pages/claims", include_in_schema=False)

Who = Annotated[str, Form(min_length=1, max_length=200)]
Why = Annotated[str, Form(min_length=1, max_length=2000)]
Line = Annotated[str, Form(max_length=2000)]

STATUS = {"conflict": 409, "unprocessable": 422}


def _refused(
    request: Request,
    session: Session,
    settings: Settings,
    caller: Caller,
    article_id: int,
    claim_id: int,
    exc: ServiceError,
) -> Any:
    """The article page again, the refusal shown at the claim's row."""
    article = article_or_page_error(session, article_id)
    context = article_context(session, article, settings.default_schema, caller)
    refused = {"claim_id": claim_id, "message": exc.message}
    status = STATUS.get(exc.kind.value, 400)
    return render(request, "article.html", status, **context, notice=None, refused=refused)


@router.post("/{claim_id}/retract", response_class=HTMLResponse)
def retract(
    request: Request,
    claim_id: IdPath,
    session: SessionDep,
    settings: SettingsDep,
    caller: PageWriter,
    actor: Who,
    reason: Why,
) -> Any:
    """Retract a claim; back to its article."""
    claim = claim_or_page_error(session, claim_id)
    try:
        curation.retract_claim(session=session, claim=claim, actor=actor, reason=reason)
    except ServiceError as exc:
        return _refused(request, session, settings, caller, claim.article_id, claim_id, exc)
    return RedirectResponse(f"/pages/articles/{claim.article_id}?done=retracted", 303)


@router.post("/{claim_id}/correct", response_class=HTMLResponse)
def correct(
    request: Request,
    claim_id: IdPath,
    session: SessionDep,
    settings: SettingsDep,
    caller: PageWriter,
    actor: Who,
    reason: Why,
    statement: Line = "",
    value: Line = "",
    unit: Line = "",
    evidence: Line = "",
) -> Any:
    """Correct a claim's statement, figure or evidence; back to its article."""
    claim = claim_or_page_error(session, claim_id)
    changes: dict[str, Any] = {}
    if statement.strip() and statement.strip() != claim.statement:
        changes["statement"] = statement.strip()
    if evidence.strip() and evidence.strip() != claim.evidence_quote:
        changes["evidence"] = evidence.strip()
    if value.strip() or unit.strip():
        current = claim_fields(session, claim)["quantity"]
        quantity: dict[str, Any] = dict(current) if current else {"qualifier": "exact"}
        try:
            quantity["value"] = float(value) if value.strip() else quantity.get("value")
        except ValueError:
            error = ServiceError(ErrorKind.unprocessable, f"the figure {value!r} is not a number")
            return _refused(request, session, settings, caller, claim.article_id, claim_id, error)
        quantity["unit"] = unit.strip() or quantity.get("unit") or ""
        changes["quantity"] = quantity
    try:
        if not changes:
            raise ServiceError(
                ErrorKind.unprocessable, "nothing to change: edit at least one field"
            )
        row = curation.correct_claim(
            session=session, claim=claim, changes=changes, actor=actor, reason=reason,
            settings=settings,
        )  # fmt: skip
    except ServiceError as exc:
        return _refused(request, session, settings, caller, claim.article_id, claim_id, exc)
    return RedirectResponse(f"/pages/articles/{row.article_id}?done=corrected#c-{row.id}", 303)
