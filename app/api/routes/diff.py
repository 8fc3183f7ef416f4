"""The diff between two sets of claims, and the cross-source fact ledger."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, HTTPException, Query
from fastapi.responses import PlainTextResponse

from app.api.deps import AdjudicatorDep, QueryDate, SessionDep, SettingsDep
from app.api.diff_models import DiffPublic, FactsPublic
from app.diff.render import render_diff_markdown, render_ledger_markdown
from app.services import comparison
from schemas import ClaimType

router = APIRouter(tags=["diff"])

Format = Annotated[Literal["json", "md"], Query(description="json, or md for a Markdown rendering")]
SideSpec = Annotated[
    str,
    Query(
        max_length=300,
        description="article:ID, run:ID or outlet:NAME",
        examples=["article:2"],
    ),
]
MARKDOWN = {"text/markdown": {"schema": {"type": "string"}}}


@router.get(
    "/diff",
    response_model=DiffPublic,
    responses={
        200: {"content": MARKDOWN},
        400: {"description": "A side that cannot be read"},
        404: {"description": "A side that names nothing stored"},
    },
)
def diff(
    session: SessionDep,
    settings: SettingsDep,
    adjudicator: AdjudicatorDep,
    left: SideSpec,
    right: SideSpec,
    format: Format = "json",
    schema: Annotated[str | None, Query(max_length=100, description="Default: news_claims")] = None,
) -> DiffPublic | PlainTextResponse:
    """Compare the claims of two articles, runs or outlets: agreements, conflicts, refinements."""
    schema_name = (schema or settings.default_schema).split("@")[0]
    done = comparison.diff_sources(
        session, left=left, right=right, schema_name=schema_name, adjudicator=adjudicator
    )
    if format == "md":
        markdown = render_diff_markdown(
            done.result, done.left_label, done.right_label, warnings=done.warnings
        )
        return PlainTextResponse(markdown, media_type="text/markdown; charset=utf-8")
    return DiffPublic.of(done.result, done.left_label, done.right_label, warnings=done.warnings)


@router.get(
    "/facts",
    response_model=FactsPublic,
    responses={200: {"content": MARKDOWN}, 400: {"description": "Dates out of order"}},
)
def facts(
    session: SessionDep,
    settings: SettingsDep,
    entity: Annotated[str | None, Query(max_length=200, description="Name or alias")] = None,
    claim_type: ClaimType | None = None,
    date_from: QueryDate | None = None,
    date_to: QueryDate | None = None,
    conflicts: Annotated[bool, Query(description="Only facts the sources disagree on")] = False,
    format: Format = "json",
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> FactsPublic | PlainTextResponse:
    """The fact ledger: claims from every source clustered by fact, with each source's value."""
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
    )
    warnings = comparison.ledger_warnings(session, schema_name=settings.default_schema)
    if format == "md":
        return PlainTextResponse(
            render_ledger_markdown(ledger, warnings=warnings),
            media_type="text/markdown; charset=utf-8",
        )
    return FactsPublic.of(ledger, date_from=date_from, date_to=date_to, warnings=warnings)
