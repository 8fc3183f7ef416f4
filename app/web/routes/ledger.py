"""The fact ledger of a story: one row per fact, each source's value, conflicts first."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse
from sqlmodel import Session

from app.api.deps import SessionDep, SettingsDep
from app.core.config import Settings
from app.diff.ledger import Fact
from app.diff.rules import describe_quantity, describe_time
from app.diff.types import DiffClaim
from app.services import comparison, related_facts
from app.services.fact_summaries import PAGE_SOURCES, SummarisedFact
from app.web.deps import Caller, PageCaller, render

router = APIRouter(prefix="/pages", include_in_schema=False)


@dataclass(frozen=True)
class Step:
    """A point of a fact's timeline: when a source said it, and what it said."""

    when: datetime | None
    outlet: str
    value: str
    claim: DiffClaim


def timeline(fact: SummarisedFact) -> list[Step]:
    """When the figure changed, from the fact's stored steps (app.services.fact_summaries)."""
    return [Step(c.published_at, c.source, describe_quantity(c), c) for c in fact.steps]


def compared(fact: Fact) -> tuple[int, int] | None:
    """Two articles of a conflicting fact that give different values, to open side by side
    (the shown sources hold the first source of each value)."""
    if fact.status != "conflict":
        return None
    firsts: dict[str, int] = {}
    for c in fact.sources:
        firsts.setdefault(describe_quantity(c), c.article_id)
    ids = list(firsts.values())
    return (ids[0], ids[1]) if len(ids) > 1 else None


NOTICES = {
    "merged": "The two facts are one now; your reason is kept in the fact's audit.",
    "split": "The claim is a fact of its own now; your reason is kept in the audit.",
}


def ledger_response(
    request: Request,
    session: Session,
    settings: Settings,
    caller: Caller,
    entity: str | None,
    *,
    refused: dict[str, Any] | None = None,
    with_to_check: bool = False,
) -> Any:
    """The ledger page of a story, with a refused curation shown at its fact."""
    facts: list[SummarisedFact] = []
    if entity and entity.strip():
        facts = comparison.fact_ledger(
            session,
            schema_name=settings.default_schema,
            entity=entity.strip(),
            with_steps=True,
            sources=PAGE_SOURCES,
        )
    return render(
        request,
        "ledger.html",
        422 if refused else 200,
        caller=caller,
        entity=entity or "",
        facts=facts,
        timelines={f.key: timeline(f) for f in facts},
        compare={f.key: compared(f) for f in facts},
        # Asked for: scoring every fact against its block's others costs a busy story's page
        # a second (news_claims@v2, 55 facts), ten times the page.
        with_to_check=with_to_check,
        to_check=(
            related_facts.to_check_of(session, [f.id for f in facts if f.id])
            if with_to_check
            else {}
        ),
        conflicts=sum(f.status == "conflict" for f in facts),
        describe_quantity=describe_quantity,
        describe_time=describe_time,
        notice=NOTICES.get(request.query_params.get("done", "")),
        refused=refused,
    )


@router.get("/ledger", response_class=HTMLResponse)
def ledger_page(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    caller: PageCaller,
    entity: Annotated[str | None, Query(max_length=200)] = None,
    to_check: bool = False,
) -> Any:
    """A story's facts across every source (``entity``: a name or an alias); with
    ``to_check``, each fact's facts that may be the same, to merge."""
    return ledger_response(request, session, settings, caller, entity, with_to_check=to_check)
