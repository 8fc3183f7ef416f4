"""Request and response bodies of curation: claims added, corrected or retracted by hand."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from app.api import curation_examples
from app.store.models import UTCDateTime
from schemas import (
    Aspect,
    ClaimType,
    Entity,
    ExtractedClaimV2,
    FactKind,
    Modality,
    QuantityV2,
    TimeRef,
    UnitKind,
)


class Curator(BaseModel):
    actor: str = Field(
        min_length=1, max_length=200, description="Who makes the change: a name or key id."
    )
    reason: str = Field(min_length=1, max_length=2000, description="Why, for the audit trail.")


FACT_KIND = (
    "news_claims@v2's fact kind. With it (or any canonical field) the claim is a v2 claim, "
    "checked as the extraction schema checks the model's claims (a figure then needs "
    "`unit_kind` and `aspect`), and pairs with v2 claims in the diff and the ledger; "
    "without, it has news_claims@v1's fields only. "
)


class CuratedQuantity(QuantityV2):
    """A figure; `unit_kind` and `aspect` are required of a v2 claim's figure."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [curation_examples.CURATED_CLAIM["quantity"]]}
    )

    unit_kind: UnitKind | None = Field(  # type: ignore[assignment]  # optional here only
        default=None, description=QuantityV2.model_fields["unit_kind"].description
    )
    aspect: Aspect | None = Field(  # type: ignore[assignment]
        default=None, description=QuantityV2.model_fields["aspect"].description
    )


class CuratedClaimCreate(ExtractedClaimV2):
    """A claim added by hand: the extraction schema's fields (v2's canonical ones optional)
    plus who and why."""

    model_config = ConfigDict(json_schema_extra={"examples": [curation_examples.CURATED_CLAIM]})

    fact_kind: FactKind | None = Field(  # type: ignore[assignment]  # optional here only
        default=None,
        description=FACT_KIND + str(ExtractedClaimV2.model_fields["fact_kind"].description),
    )
    quantity: CuratedQuantity | None = Field(
        default=None, description="The main number of the claim, if it has one."
    )
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
    quantity: CuratedQuantity | None = None
    time: TimeRef | None = None
    location: str | None = None
    attribution: str | None = None
    modality: Modality | None = None
    evidence: str | None = Field(default=None, min_length=3, max_length=1000)
    fact_kind: FactKind | None = None
    object_entity: Entity | None = None


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
