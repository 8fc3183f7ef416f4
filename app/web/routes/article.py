"""The article page: its text with each claim's evidence marked, and the claims beside it."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from sqlmodel import Session

from app.api.deps import IdPath, SessionDep, SettingsDep
from app.services import reading
from app.services.curated_claims import claim_fields
from app.services.run_notes import run_notes
from app.store import crud
from app.store.models import Article, Claim, Entity
from app.web.claim_form import form_values
from app.web.deps import Caller, PageCaller, PageError, render
from app.web.marks import Span, stretches

router = APIRouter(prefix="/pages", include_in_schema=False)

# A stretch under several quotes takes the colour of the most disputed one.
SEVERITY = {"conflict": 0, "updates": 1, "consensus": 2, "single": 3}
NOTICES = {
    "retracted": "The claim was retracted; it is kept, with your reason, in its audit trail.",
    "corrected": "The claim was corrected; the original is kept, superseded, in the audit trail.",
    "added": "The claim was added; it is kept, with your reason, in its audit trail.",
}


def article_or_page_error(session: Session, article_id: int) -> Article:
    article = session.get(Article, article_id)
    if article is None:
        raise PageError(
            404, f"article {article_id} not found", hint="The home page lists the articles."
        )
    return article


def article_context(
    session: Session, article: Article, schema_name: str, caller: Caller
) -> dict[str, Any]:
    article_id = article.id
    assert article_id is not None
    # Readying the facts takes connections of its own: the request's goes back to the pool
    # first (nothing is written here), or racing requests would each hold one while waiting
    # for a second, and a small pool would run dry.
    session.rollback()
    facts = reading.facts_of_article(
        session=session, article_id=article_id, schema_name=schema_name
    )
    claims = reading.article_claims(session=session, article_id=article_id)
    status: dict[int | None, str] = {
        c.id: facts[c.id].status if c.id in facts else "single" for c in claims
    }
    objects = {i: session.get(Entity, i) for i in {c.object_entity_id for c in claims} if i}
    spans = [Span(c.id, c.char_start, c.char_end) for c in claims if c.id is not None]
    marked = [
        (s, min((status[i] for i in s.claims), key=SEVERITY.__getitem__) if s.claims else None)
        for s in stretches(article.text, spans)
    ]
    runs = reading.article_runs(session=session, article_id=article_id)
    return {
        "article": article,
        "claims": claims,
        "numbers": {c.id: n for n, c in enumerate(claims, start=1)},
        "facts": facts,
        "status": status,
        "marked": marked,
        "runs": runs,
        "run_notes": {run.id: run_notes(run) for run in runs},
        "rejected": crud.list_rejected(session=session, article_id=article_id),
        "caller": caller,
        # The correction forms, filled in with each claim's fields as its schema has them.
        "forms": {c.id: form_values(claim_fields(session, c)) for c in claims}
        if caller.can_write
        else {},
        "object_names": {i: e.name for i, e in objects.items() if e is not None},
        "conflicts": sum(s == "conflict" for s in status.values()),
    }


@router.get("/articles/{article_id}", response_class=HTMLResponse)
def article_page(
    request: Request,
    article_id: IdPath,
    session: SessionDep,
    settings: SettingsDep,
    caller: PageCaller,
) -> Any:
    """An article with its claims marked in place."""
    article = article_or_page_error(session, article_id)
    context = article_context(session, article, settings.default_schema, caller)
    notice = NOTICES.get(request.query_params.get("done", ""))
    return render(request, "article.html", **context, notice=notice, refused=None, adding=None)


def claim_or_page_error(session: Session, claim_id: int) -> Claim:
    claim = session.get(Claim, claim_id)
    if claim is None:
        raise PageError(404, f"claim {claim_id} not found")
    return claim
