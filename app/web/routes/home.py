"""The home page: the stories, a search over claims, recent articles and the submit form."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse
from sqlmodel import Session

from app.api.deps import SessionDep, SettingsDep
from app.core.config import Settings
from app.services import reading
from app.store.claim_query import ClaimFilter, list_claims
from app.web.deps import PageCaller, render

router = APIRouter(include_in_schema=False)


def home_context(session: Session, settings: Settings, q: str | None) -> dict[str, Any]:
    results = None
    if q and q.strip():
        results, _ = list_claims(
            session=session, filters=ClaimFilter(q=q.strip()), cursor=None, limit=25
        )
    return {
        "stories": reading.list_stories(session=session, schema_name=settings.default_schema),
        "recent": reading.recent_articles(session=session, limit=10),
        "q": q or "",
        "results": results,
    }


@router.get("/", response_class=HTMLResponse)
def home(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    caller: PageCaller,
    q: Annotated[str | None, Query(max_length=200)] = None,
) -> Any:
    """The home page."""
    context = home_context(session, settings, q)
    return render(request, "home.html", caller=caller, form={}, error=None, **context)
