"""The entities page: the names a story's actors go by, with forms to teach another one and to
remove one that does not belong."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlmodel import Session

from app.api.deps import IdPath, SessionDep
from app.services import entity_curation
from app.services.errors import ServiceError
from app.store.models import Entity
from app.web.deps import Caller, PageCaller, PageError, PageWriter, render

router = APIRouter(prefix="/pages", include_in_schema=False)

LISTED = 50
Name = Annotated[str, Form(max_length=200)]


def entities_response(
    request: Request,
    session: Session,
    caller: Caller,
    q: str,
    *,
    refused: dict[str, Any] | None = None,
) -> Any:
    """The entities page, with a refused alias shown at its entity, its form as filled in."""
    found = entity_curation.list_entities(session, q=q.strip() or None, limit=LISTED)
    ids = [e.id for e in found if e.id is not None]
    return render(
        request,
        "entities.html",
        refused.get("status", 422) if refused else 200,
        caller=caller,
        q=q,
        entities=found,
        audit=entity_curation.audit_of(session, ids),
        listed=LISTED,
        added=request.query_params.get("added", ""),
        removed=request.query_params.get("removed", ""),
        refused=refused,
    )


def entity_or_404(session: Session, entity_id: int) -> Entity:
    entity = session.get(Entity, entity_id)
    if entity is None:
        raise PageError(404, f"entity {entity_id} not found")
    return entity


@router.get("/entities", response_class=HTMLResponse)
def entities_page(
    request: Request,
    session: SessionDep,
    caller: PageCaller,
    q: Annotated[str, Query(max_length=200)] = "",
) -> Any:
    """Entities by name, the most claimed first, with their aliases and who added them."""
    return entities_response(request, session, caller, q)


@router.post("/entities/{entity_id}/aliases", response_class=HTMLResponse)
def add_alias(
    request: Request,
    entity_id: IdPath,
    session: SessionDep,
    caller: PageWriter,
    alias: Name,
    actor: Name,
    q: Annotated[str, Form(max_length=200)] = "",
) -> Any:
    """Teach another name for an entity; back to the entities page."""
    entity = entity_or_404(session, entity_id)
    missing = [
        name for name, value in (("alias", alias), ("your name", actor)) if not value.strip()
    ]
    if missing:
        refused = {
            "entity_id": entity_id,
            "message": f"{' and '.join(missing)} {'is' if len(missing) == 1 else 'are'} blank",
            "alias": alias,
            "actor": actor,
        }
        return entities_response(request, session, caller, q, refused=refused)
    entity_curation.add_alias(session, entity=entity, alias=alias, actor=actor)
    added = " ".join(alias.split())  # as it is stored
    return RedirectResponse(
        f"/pages/entities?q={quote(q)}&added={quote(added)}#e-{entity_id}", status_code=303
    )


@router.post("/entities/{entity_id}/aliases/remove", response_class=HTMLResponse)
def remove_alias(
    request: Request,
    entity_id: IdPath,
    session: SessionDep,
    caller: PageWriter,
    alias: Name,
    actor: Name,
    q: Annotated[str, Form(max_length=200)] = "",
) -> Any:
    """Remove a name of an entity; back to the entities page."""
    entity = entity_or_404(session, entity_id)
    refused = {"entity_id": entity_id, "alias": alias, "actor": actor, "removing": True}
    if not actor.strip():
        return entities_response(
            request, session, caller, q, refused={**refused, "message": "your name is blank"}
        )
    try:
        entity_curation.remove_alias(session, entity=entity, alias=alias, actor=actor)
    except ServiceError as exc:  # another curator removed it first
        return entities_response(
            request,
            session,
            caller,
            q,
            refused={**refused, "message": exc.message, "status": 404},
        )
    removed = " ".join(alias.split())
    return RedirectResponse(
        f"/pages/entities?q={quote(q)}&removed={quote(removed)}#e-{entity_id}", status_code=303
    )
