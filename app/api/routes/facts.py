"""Stored facts: one fact's sources and timeline, and curators' merges and splits."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path
from pydantic import BaseModel, ConfigDict, Field

from app.api import diff_examples
from app.api.deps import SessionDep
from app.api.error_docs import refusal, refusals
from app.api.fact_models import FactDetailPublic
from app.services import comparison, fact_curation, related_facts
from app.store.models import MAX_ID

router = APIRouter(prefix="/facts", tags=["facts"])

FactId = Annotated[int, Path(ge=1, le=MAX_ID, description="A fact's id (GET /facts)")]
NO_FACT = refusal("No such fact, or none of its claims is active", "fact_404", "fact_retracted")
MERGED = "The fact was merged into another, or the claim is its only one"
INVALID = "Invalid: a fact into itself, another schema, a claim not in the fact"


class Curator(BaseModel):
    model_config = ConfigDict(extra="forbid")

    actor: str = Field(min_length=1, max_length=200, description="Who makes the change")
    reason: str = Field(min_length=1, max_length=2000, description="Why")


class FactMerge(Curator):
    model_config = ConfigDict(json_schema_extra={"examples": [diff_examples.FACT_MERGE]})

    other_fact_id: int = Field(ge=1, le=MAX_ID, description="The fact whose claims move in")


class FactSplit(Curator):
    model_config = ConfigDict(json_schema_extra={"examples": [diff_examples.FACT_SPLIT]})

    claim_id: int = Field(ge=1, le=MAX_ID, description="The claim to move to a fact of its own")


def _detail(session: SessionDep, fact_id: int) -> FactDetailPublic:
    fact = comparison.read_fact(session, fact_id)
    assert fact.id is not None
    audit = fact_curation.audit_of(session=session, fact_id=fact.id)
    to_check = related_facts.to_check(session, fact_id=fact.id, claims=fact.sources)
    return FactDetailPublic.of(fact, audit, to_check)


@router.get("/{fact_id}", response_model=FactDetailPublic, responses=NO_FACT)
def read_fact(fact_id: FactId, session: SessionDep) -> FactDetailPublic:
    """Read one fact: its sources, timeline, what curators changed and the facts to check."""
    return _detail(session, fact_id)


@router.post(
    "/{fact_id}/merge",
    response_model=FactDetailPublic,
    responses=refusals(
        NO_FACT, refusal(MERGED, "fact_merged"), refusal(INVALID, "merge_into_itself")
    ),
)
def merge_fact(fact_id: FactId, body: FactMerge, session: SessionDep) -> FactDetailPublic:
    """Merge another fact into this one: its claims move here, and the change is audited."""
    fact_curation.merge_facts(
        session=session,
        fact_id=fact_id,
        other_id=body.other_fact_id,
        actor=body.actor,
        reason=body.reason,
    )
    return _detail(session, fact_id)


@router.post(
    "/{fact_id}/split",
    response_model=FactDetailPublic,
    responses=refusals(
        NO_FACT,
        refusal(MERGED, "fact_merged", "only_claim"),
        refusal(INVALID, "claim_not_in_fact"),
    ),
)
def split_fact(fact_id: FactId, body: FactSplit, session: SessionDep) -> FactDetailPublic:
    """Split a claim out of this fact into a fact of its own; answers the new fact."""
    new = fact_curation.split_claim(
        session=session,
        fact_id=fact_id,
        claim_id=body.claim_id,
        actor=body.actor,
        reason=body.reason,
    )
    assert new.id is not None
    return _detail(session, new.id)
