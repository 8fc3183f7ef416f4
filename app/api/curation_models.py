"""Request and response bodies of curation: claims added, corrected or retracted by hand."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from app.api import curation_examples
from app.store.models import UTCDateTime
from schemas import ClaimType, Entity, ExtractedClaim, Modality, Quantity, TimeRef


class Curator(BaseModel):
    actor: str = Field(
        min_length=1, max_length=200, description="Who makes the change: a name or key id."
    )
    reason: str = Field(min_length=1, max_length=2000, description="Why, for the audit trail.")


class CuratedClaimCreate(ExtractedClaim):
    """A claim added by hand: the extraction schema plus who and why."""

    model_config = ConfigDict(json_schema_extra={"examples": [curation_examples.CURATED_CLAIM]})

    actor: str = Field(min_length=1, max_length=200)
    reason: str = Field(min_length=1, max_length=2000)


class ClaimPatch(Curator):
    """A correction: only the fields given change. The original claim is kept, superseded."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [curation_examples.CLAIM_PATCH]},
    )

    statement: str | None = Field(default=None, min_length=8, max_length=600)
    claim_type: ClaimType | None = None
    subject: Entity | None = None
    predicate: str | None = Field(default=None, min_length=1, max_length=120)
    object: str | None = None
    quantity: Quantity | None = None
    time: TimeRef | None = None
    location: str | None = None
    attribution: str | None = None
    modality: Modality | None = None
    evidence: str | None = Field(default=None, min_length=3, max_length=1000)


class ClaimAuditPublic(BaseModel):
    model_config = ConfigDict(
        from_attributes=True, json_schema_extra={"examples": [curation_examples.CLAIM_AUDIT]}
    )

    id: int
    claim_id: int
    action: str
    actor: str
    reason: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    created_at: UTCDateTime
