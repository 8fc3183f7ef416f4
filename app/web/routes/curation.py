"""Curation from the article page: add a claim by hand, correct or retract one, with a reason.

Each form goes through the service call the API's curation routes make, so a claim added or
corrected on the page is grounded and checked by its schema as one sent to the API is.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import ValidationError
from sqlmodel import Session

from app.api.curation_models import Curator
from app.api.deps import IdPath, SessionDep, SettingsDep
from app.api.errors import STATUS
from app.core.config import Settings
from app.services import curation
from app.services.curated_claims import claim_fields, field_errors, parse_claim
from app.services.errors import ErrorKind, ServiceError
from app.web import claim_form
from app.web.claim_form import ClaimForm
from app.web.deps import Caller, PageWriter, render
from app.web.routes.article import (
    article_context,
    article_or_page_error,
    claim_or_page_error,
)

router = APIRouter(prefix="/pages", include_in_schema=False)

Who = Annotated[str, Form(min_length=1, max_length=200)]
Why = Annotated[str, Form(min_length=1, max_length=2000)]
Posted = Annotated[ClaimForm, Form()]


def _refused(
    request: Request,
    session: Session,
    settings: Settings,
    caller: Caller,
    article_id: int,
    exc: ServiceError,
    **refusal: Any,
) -> Any:
    """The article page again, the refusal shown at its form, with the values as posted:
    ``refused`` at a claim's row (its ``claim_id``), ``adding`` at the add-claim form."""
    article = article_or_page_error(session, article_id)
    context = article_context(session, article, settings.default_schema, caller)
    shown = {"refused": None, "adding": None} | {
        where: {**given, "message": exc.message} for where, given in refusal.items()
    }
    return render(request, "article.html", STATUS[exc.kind], **context, notice=None, **shown)


def _curator(form: ClaimForm) -> Curator:
    if (too_long := form.too_long()) is not None:
        raise ServiceError(ErrorKind.unprocessable, too_long)
    try:
        return form.curator()
    except ValidationError as exc:
        raise ServiceError(ErrorKind.unprocessable, field_errors(exc)) from exc


@router.post("/claims/{claim_id}/retract", response_class=HTMLResponse)
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
        refused = {"claim_id": claim_id, "values": None}
        return _refused(request, session, settings, caller, claim.article_id, exc, refused=refused)
    return RedirectResponse(f"/pages/articles/{claim.article_id}?done=retracted", 303)


@router.post("/claims/{claim_id}/correct", response_class=HTMLResponse)
def correct(
    request: Request,
    claim_id: IdPath,
    session: SessionDep,
    settings: SettingsDep,
    caller: PageWriter,
    form: Posted,
) -> Any:
    """Correct a claim's statement, figure, canonical fields or evidence; back to its article."""
    claim = claim_or_page_error(session, claim_id)
    original = claim_fields(session, claim)
    changes = claim_form.correction_changes(original, form)
    try:
        who = _curator(form)
        if not changes:
            raise ServiceError(
                ErrorKind.unprocessable, "nothing to change: edit at least one field"
            )
        row = curation.correct_claim(
            session=session, claim=claim, changes=changes, actor=who.actor,
            reason=who.reason, settings=settings,
        )  # fmt: skip
    except ServiceError as exc:
        values = form.shown(defaults=claim_form.form_values(original))
        refused = {"claim_id": claim_id, "values": values}
        return _refused(request, session, settings, caller, claim.article_id, exc, refused=refused)
    return RedirectResponse(f"/pages/articles/{row.article_id}?done=corrected#c-{row.id}", 303)


@router.post("/articles/{article_id}/claims", response_class=HTMLResponse)
def add(
    request: Request,
    article_id: IdPath,
    session: SessionDep,
    settings: SettingsDep,
    caller: PageWriter,
    form: Posted,
) -> Any:
    """Add a claim by hand, grounded in the article like an extracted one; back to it."""
    article = article_or_page_error(session, article_id)
    try:
        who = _curator(form)
        try:
            claim = parse_claim(claim_form.fields_of_form(form.values()))
        except ValidationError as exc:
            message = f"the claim is not valid: {field_errors(exc)}"
            raise ServiceError(ErrorKind.unprocessable, message) from exc
        row = curation.add_claim(
            session=session, article=article, claim=claim, actor=who.actor,
            reason=who.reason, settings=settings,
        )  # fmt: skip
    except ServiceError as exc:
        adding = {"values": form.shown()}
        return _refused(request, session, settings, caller, article_id, exc, adding=adding)
    return RedirectResponse(f"/pages/articles/{article_id}?done=added#c-{row.id}", 303)
