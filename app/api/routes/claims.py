"""Claims across articles: filter, search and page through them."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query

from app.api import examples
from app.api.deps import QueryDate, SessionDep
from app.api.error_docs import refusal
from app.api.models import ClaimsPublic, claims_public
from app.store.claim_query import BadCursorError, ClaimFilter, list_claims
from app.store.models import MAX_ID
from schemas import ClaimType

router = APIRouter(prefix="/claims", tags=["claims"])

Id = Annotated[int | None, Query(ge=1, le=MAX_ID)]


@router.get(
    "",
    response_model=ClaimsPublic,
    responses=refusal(
        "Malformed cursor, or dates out of order", "bad_cursor", "dates_out_of_order"
    ),
)
def search_claims(
    session: SessionDep,
    article_id: Id = None,
    run_id: Id = None,
    outlet: Annotated[str | None, Query(max_length=200)] = None,
    entity: Annotated[
        str | None,
        Query(
            max_length=200,
            description="Canonical name or alias",
            openapi_examples=examples.ENTITY_PARAMETER,
        ),
    ] = None,
    claim_type: ClaimType | None = None,
    q: Annotated[
        str | None, Query(max_length=200, description="Text in the statement or evidence")
    ] = None,
    date_from: Annotated[
        QueryDate | None, Query(description="Claims whose time window ends on or after")
    ] = None,
    date_to: Annotated[
        QueryDate | None, Query(description="Claims whose time window starts on or before")
    ] = None,
    include_inactive: Annotated[
        bool, Query(description="Also list retracted and superseded claims")
    ] = False,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> ClaimsPublic:
    """Search claims by article, run, outlet, entity, type, text and dates, a page at a time."""
    if date_from and date_to and date_to < date_from:
        raise HTTPException(400, "date_to is before date_from")
    filters = ClaimFilter(
        article_id=article_id,
        run_id=run_id,
        outlet=outlet,
        entity=entity,
        claim_type=claim_type.value if claim_type else None,
        q=q,
        date_from=date_from,
        date_to=date_to,
        include_inactive=include_inactive,
    )
    try:
        rows, next_cursor = list_claims(
            session=session, filters=filters, cursor=cursor, limit=limit
        )
    except BadCursorError as exc:
        raise HTTPException(400, str(exc)) from exc
    return ClaimsPublic(data=claims_public(session, rows), count=len(rows), next_cursor=next_cursor)
