"""The diff between two sets of claims, and the cross-source fact ledger."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Query
from fastapi.openapi.models import Example
from fastapi.responses import PlainTextResponse

from app.api import examples
from app.api.deps import QueryDate, SessionDep, SettingsDep
from app.api.diff_examples import DIFF_MARKDOWN, FACTS_MARKDOWN
from app.api.diff_models import DiffPublic, FactsPublic
from app.api.error_docs import refusal
from app.diff.render import render_diff_markdown, render_ledger_markdown
from app.services import comparison
from app.services.fact_summaries import PAGE_SOURCES
from schemas import ClaimType

router = APIRouter(tags=["diff"])

Format = Annotated[Literal["json", "md"], Query(description="json, or md for a Markdown rendering")]
SIDE = "article:ID, run:ID or outlet:NAME"


def side(value: str, outlet: str, article: int) -> Any:
    """A diff side, with the seed story's article as the value /docs fills in."""
    named: dict[str, Example] = {
        outlet: {"summary": f"{outlet}'s article", "value": value},
        "outlet": {"summary": f"Every article {outlet} carries", "value": f"outlet:{outlet}"},
        "run": {"summary": "One extraction run", "value": f"run:{article}"},
    }
    return Query(max_length=300, description=SIDE, openapi_examples=named)


# Harbor Wire's 217 officers against Nairobi Ledger's 270 (app.api.examples).
LeftSide = Annotated[str, side("article:3", "Harbor Wire", 3)]
RightSide = Annotated[str, side("article:4", "Nairobi Ledger", 4)]


def markdown(example: str) -> dict[str, Any]:
    return {"text/markdown": {"schema": {"type": "string"}, "example": example}}


@router.get(
    "/diff",
    response_model=DiffPublic,
    responses={
        200: {"content": markdown(DIFF_MARKDOWN)},
        **refusal("A side that cannot be read", "side_unreadable"),
        **refusal("A side that names nothing stored", "article_404"),
    },
)
def diff(
    session: SessionDep,
    settings: SettingsDep,
    left: LeftSide,
    right: RightSide,
    format: Format = "json",
    schema: Annotated[str | None, Query(max_length=100, description="Default: news_claims")] = None,
) -> DiffPublic | PlainTextResponse:
    """Compare the claims of two articles, runs or outlets: agreements, conflicts, refinements."""
    schema_name = (schema or settings.default_schema).split("@")[0]
    done = comparison.diff_sources(session, left=left, right=right, schema_name=schema_name)
    if format == "md":
        markdown = render_diff_markdown(
            done.result, done.left_label, done.right_label, warnings=done.warnings
        )
        return PlainTextResponse(markdown, media_type="text/markdown; charset=utf-8")
    return DiffPublic.of(done.result, done.left_label, done.right_label, warnings=done.warnings)


@router.get(
    "/facts",
    response_model=FactsPublic,
    responses={
        200: {"content": markdown(FACTS_MARKDOWN)},
        **refusal("Dates out of order", "dates_out_of_order"),
    },
)
def facts(
    session: SessionDep,
    settings: SettingsDep,
    entity: Annotated[
        str | None,
        Query(
            max_length=200, description="Name or alias", openapi_examples=examples.ENTITY_PARAMETER
        ),
    ] = None,
    claim_type: ClaimType | None = None,
    date_from: QueryDate | None = None,
    date_to: QueryDate | None = None,
    conflicts: Annotated[bool, Query(description="Only facts the sources disagree on")] = False,
    format: Format = "json",
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
    offset: Annotated[int, Query(ge=0, le=1_000_000, description="Facts to skip")] = 0,
    sources: Annotated[
        int, Query(ge=0, le=25, description="Sources listed a fact, the first of each value first")
    ] = PAGE_SOURCES,
) -> FactsPublic | PlainTextResponse:
    """List the fact ledger: every source's claims clustered by fact, conflicts first."""
    # A fact is listed whole when any of its claims passes the filters; paged by limit/offset.
    if date_from and date_to and date_to < date_from:
        raise HTTPException(400, "date_to is before date_from")
    ledger = comparison.fact_ledger(
        session,
        schema_name=settings.default_schema.split("@")[0],  # every version of the schema
        entity=entity,
        claim_type=claim_type.value if claim_type else None,
        date_from=date_from,
        date_to=date_to,
        conflicts_only=conflicts,
        limit=limit,
        offset=offset,
        sources=sources,
    )
    warnings = comparison.ledger_warnings(session, schema_name=settings.default_schema)
    if format == "md":
        return PlainTextResponse(
            render_ledger_markdown(ledger, warnings=warnings),
            media_type="text/markdown; charset=utf-8",
        )
    return FactsPublic.of(ledger, date_from=date_from, date_to=date_to, warnings=warnings)
