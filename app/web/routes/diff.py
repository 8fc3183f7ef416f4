"""The diff page: two sources side by side, their aligned claims linked across the texts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse
from sqlmodel import Session

from app.api.deps import AdjudicatorDep, SessionDep, SettingsDep
from app.api.errors import STATUS
from app.diff.bridges import relation_reason
from app.diff.scoring import DEFAULT_THRESHOLD
from app.diff.types import DiffClaim, DiffResult, Pair
from app.diff.undecided import why
from app.services import comparison, reading
from app.services.adjudicator import Adjudicator
from app.services.diff_sources import Side, parse_side
from app.services.errors import ServiceError
from app.store.models import Article, ExtractionRun
from app.web.deps import PageCaller, PageError, render
from app.web.marks import Span, Stretch, stretches

router = APIRouter(prefix="/pages", include_in_schema=False)

# Conflicts first, then what one side states more precisely or later, then agreements.
SECTION_ORDER = {"conflict": 0, "refines": 1, "updates": 2, "agree": 3}
SECTION_TITLES = {
    "conflict": "Conflicts",
    "refines": "Refinements",
    "updates": "Updates",
    "agree": "Agreements",
}
SideSpec = Annotated[str | None, Query(max_length=300)]


@dataclass(frozen=True)
class Pane:
    """One side of the diff: its label and, for an article or a run, the marked text."""

    prefix: str  # "L" or "R": ids in the page are per side, the same article may be both
    side: Side
    article: Article | None
    marked: list[tuple[Stretch, str | None]]  # each stretch with the relation it shows
    claims: list[DiffClaim]


def _article_of(session: Session, side: Side) -> Article | None:
    if side.kind == "article":
        return session.get(Article, int(side.value))
    if side.kind == "run":
        run = session.get(ExtractionRun, int(side.value))
        return session.get(Article, run.article_id) if run else None
    return None  # an outlet has many texts: its claims are listed, not marked


def _pane(
    session: Session, prefix: str, side: Side, claims: list[DiffClaim], relation: dict[int, str]
) -> Pane:
    article = _article_of(session, side)
    marked: list[tuple[Stretch, str | None]] = []
    if article is not None:
        spans = [Span(c.id, c.char_start, c.char_end) for c in claims]
        for s in stretches(article.text, spans):
            kinds = sorted((relation.get(i, "only") for i in s.claims), key=_rank)
            marked.append((s, kinds[0] if kinds else None))
    return Pane(prefix, side, article, marked, claims)


def _rank(relation: str) -> int:
    return SECTION_ORDER.get(relation, len(SECTION_ORDER))


def _sections(result: DiffResult) -> list[tuple[str, str, list[tuple[int, Pair, str]]]]:
    """Each relation's pairs, numbered, each with why its relation is what it is (a third
    source that linked a pair is shown on its own line)."""
    numbered = list(enumerate(result.pairs, start=1))
    kinds = sorted({p.relation.value for p in result.pairs}, key=_rank)
    return [
        (
            k,
            SECTION_TITLES.get(k, k.title()),
            [(n, p, relation_reason(p)) for n, p in numbered if p.relation == k],
        )
        for k in kinds
    ]


def diff_context(
    session: Session,
    schema_name: str,
    left: str,
    right: str,
    adjudicator: Adjudicator | None = None,
) -> dict[str, Any]:
    try:
        done = comparison.diff_sources(
            session, left=left, right=right, schema_name=schema_name, adjudicator=adjudicator
        )
    except ServiceError as exc:
        raise PageError(STATUS[exc.kind], exc.message, hint="Pick the two sources above.") from exc
    result = done.result
    relation: dict[int, str] = {}
    partners: dict[str, list[str]] = {}
    for pair in result.pairs:
        relation[pair.left.id] = relation[pair.right.id] = pair.relation.value
        partners.setdefault(f"L{pair.left.id}", []).append(f"R{pair.right.id}")
        partners.setdefault(f"R{pair.right.id}", []).append(f"L{pair.left.id}")
    claims = (
        [p.left for p in result.pairs] + result.only_left,
        [p.right for p in result.pairs] + result.only_right,
    )
    return {
        "left": left,
        "right": right,
        "result": result,
        "warnings": done.warnings,
        "sections": _sections(result),
        "checks": [(n, p, why(p)) for n, p in enumerate(result.undecided, start=1)],
        "panes": [
            _pane(session, "L", parse_side(left), _distinct(claims[0]), relation),
            _pane(session, "R", parse_side(right), _distinct(claims[1]), relation),
        ],
        "partners": partners,
        "threshold": DEFAULT_THRESHOLD,
    }


def _distinct(claims: list[DiffClaim]) -> list[DiffClaim]:
    """A side's claims once each (a claim may pair twice), in text order."""
    unique = {c.id: c for c in claims}
    return sorted(unique.values(), key=lambda c: (c.article_id, c.char_start, c.id))


@router.get("/diff", response_class=HTMLResponse)
def diff_page(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    adjudicator: AdjudicatorDep,
    caller: PageCaller,
    left: SideSpec = None,
    right: SideSpec = None,
) -> Any:
    """Two sources side by side (``left``, ``right``: article:ID, run:ID or outlet:NAME)."""
    picker = {
        "articles": reading.recent_articles(session=session, limit=200),
        "outlets": reading.list_outlets(session=session),
    }
    context: dict[str, Any] = {"left": left or "", "right": right or "", "result": None}
    if left and right:
        try:
            context = diff_context(session, settings.default_schema, left, right, adjudicator)
        except PageError as exc:
            return render(
                request, "diff.html", exc.status, caller=caller, picker=picker, error=exc,
                **context,
            )  # fmt: skip
    return render(request, "diff.html", caller=caller, picker=picker, error=None, **context)
