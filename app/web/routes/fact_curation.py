"""Curation of stored facts from the ledger page: two facts are one, a claim is not of a fact."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from app.api.deps import IdPath, SessionDep, SettingsDep
from app.services import fact_curation
from app.services.errors import ServiceError
from app.store.models import MAX_ID
from app.web.deps import PageWriter
from app.web.routes.ledger import ledger_response

router = APIRouter(prefix="/pages/facts", include_in_schema=False)

Who = Annotated[str, Form(min_length=1, max_length=200)]
Why = Annotated[str, Form(min_length=1, max_length=2000)]
Story = Annotated[str, Form(max_length=200)]
OtherId = Annotated[int, Form(ge=1, le=MAX_ID)]


def _back(entity: str, done: str) -> RedirectResponse:
    return RedirectResponse(f"/pages/ledger?entity={quote(entity)}&done={done}", 303)


@router.post("/{fact_id}/merge", response_class=HTMLResponse)
def merge(
    request: Request,
    fact_id: IdPath,
    session: SessionDep,
    settings: SettingsDep,
    caller: PageWriter,
    other_id: OtherId,
    actor: Who,
    reason: Why,
    entity: Story = "",
) -> Any:
    """Merge another fact into this one; back to the story's ledger."""
    try:
        fact_curation.merge_facts(
            session=session, fact_id=fact_id, other_id=other_id, actor=actor, reason=reason
        )
    except ServiceError as exc:
        refused = {"fact_id": fact_id, "message": exc.message}
        return ledger_response(request, session, settings, caller, entity, refused=refused)
    return _back(entity, "merged")


@router.post("/{fact_id}/split", response_class=HTMLResponse)
def split(
    request: Request,
    fact_id: IdPath,
    session: SessionDep,
    settings: SettingsDep,
    caller: PageWriter,
    claim_id: OtherId,
    actor: Who,
    reason: Why,
    entity: Story = "",
) -> Any:
    """Move a claim out of this fact into one of its own; back to the story's ledger."""
    try:
        fact_curation.split_claim(
            session=session, fact_id=fact_id, claim_id=claim_id, actor=actor, reason=reason
        )
    except ServiceError as exc:
        refused = {"fact_id": fact_id, "message": exc.message}
        return ledger_response(request, session, settings, caller, entity, refused=refused)
    return _back(entity, "split")
