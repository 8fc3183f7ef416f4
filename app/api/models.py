"""Request and response bodies of the HTTP API (the Create / Public family of each table)."""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from app.core.redaction import strip_credentials
from app.store.models import ArticleBase, Claim, ExtractionRun, RunStatus, UTCDateTime
from app.store.models import ArticleCreate as ArticleCreate
from schemas import (
    ClaimType,
    Entity,
    EntityType,
    ExtractedClaim,
    Modality,
    Qualifier,
    Quantity,
    TimeRef,
)


class ArticlePublic(ArticleBase):
    id: int
    content_hash: str
    chars: int
    published_at: UTCDateTime | None = None
    created_at: UTCDateTime


class ArticleDetail(ArticlePublic):
    text: str


class ArticlesPublic(BaseModel):
    data: list[ArticlePublic]
    count: int


class RunPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    article_id: int
    status: RunStatus
    schema_name: str
    schema_version: str
    prompt_version: str
    model: str
    endpoint: str
    llm_mode: str
    instructor_mode: str
    error_reason: str | None
    error: str | None
    llm_calls: int = Field(description="LLM calls: the first ask plus each validation re-ask.")
    http_requests: int = Field(description="HTTP requests, including network retries.")
    prompt_tokens: int
    completion_tokens: int
    cached_tokens: int
    total_tokens: int
    usage_by_attempt: list[dict[str, int]]
    chunks: int
    claims_count: int
    rejected_count: int
    latency_ms: float | None
    created_at: UTCDateTime
    started_at: UTCDateTime | None
    finished_at: UTCDateTime | None

    @classmethod
    def of(cls, run: ExtractionRun) -> RunPublic:
        data = run.model_dump()
        data["total_tokens"] = run.prompt_tokens + run.completion_tokens
        # Stored without credentials since migration 3f1c9a7e5d20; shown without them always.
        data["endpoint"] = strip_credentials(run.endpoint)
        return cls.model_validate(data)


class SubjectPublic(BaseModel):
    name: str
    type: EntityType | str
    mention: str | None = None
    entity_id: int | None = None


class QuantityPublic(BaseModel):
    value: float
    unit: str
    qualifier: Qualifier | str


class TimePublic(BaseModel):
    text: str
    start: date | None = None
    end: date | None = None


class EvidencePublic(BaseModel):
    quote: str = Field(description="The passage exactly as it stands in the article text.")
    char_start: int = Field(
        description="Offset of the passage in the article (Unicode code points)."
    )
    char_end: int = Field(description="Exclusive end offset: text[char_start:char_end] == quote.")
    match: str = Field(description="How the model's quote was found: exact, normalized or fuzzy.")
    score: float


class ClaimPublic(BaseModel):
    id: int
    article_id: int
    run_id: int | None
    statement: str
    claim_type: ClaimType | str
    subject: SubjectPublic
    predicate: str
    object: str | None
    quantity: QuantityPublic | None
    time: TimePublic | None
    location: str | None
    attribution: str | None
    modality: Modality | str
    evidence: EvidencePublic
    status: str = Field(description="active, retracted or superseded (by a curated correction)")
    origin: str = Field(description="extracted by the LLM, or curated by a person")
    supersedes_id: int | None = None

    @classmethod
    def of(cls, claim: Claim) -> ClaimPublic:
        assert claim.id is not None
        quantity = None
        if claim.quantity_value is not None:
            quantity = QuantityPublic(
                value=claim.quantity_value,
                unit=claim.quantity_unit or "",
                qualifier=claim.quantity_qualifier or Qualifier.exact,
            )
        time = None
        if claim.time_text:
            time = TimePublic(text=claim.time_text, start=claim.time_start, end=claim.time_end)
        return cls(
            id=claim.id,
            article_id=claim.article_id,
            run_id=claim.run_id,
            statement=claim.statement,
            claim_type=claim.claim_type,
            subject=SubjectPublic(
                name=claim.subject_name,
                type=claim.subject_type,
                mention=claim.subject_mention,
                entity_id=claim.entity_id,
            ),
            predicate=claim.predicate,
            object=claim.object,
            quantity=quantity,
            time=time,
            location=claim.location,
            attribution=claim.attribution,
            modality=claim.modality,
            evidence=EvidencePublic(
                quote=claim.evidence_quote,
                char_start=claim.char_start,
                char_end=claim.char_end,
                match=claim.match_kind,
                score=claim.match_score,
            ),
            status=claim.status,
            origin=claim.origin,
            supersedes_id=claim.supersedes_id,
        )


class ClaimsPublic(BaseModel):
    data: list[ClaimPublic]
    count: int = Field(description="Claims in this page.")
    next_cursor: str | None = Field(
        default=None, description="Pass as ?cursor= for the next page; null on the last page."
    )


class RejectedClaimPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    run_id: int
    article_id: int
    reason: str
    payload: dict[str, Any]
    created_at: UTCDateTime


class RejectedClaimsPublic(BaseModel):
    data: list[RejectedClaimPublic]
    count: int


class ArticleExtraction(BaseModel):
    """An article with its extraction run and the claims it yielded."""

    article: ArticlePublic
    run: RunPublic
    claims: list[ClaimPublic]
    reused: bool = Field(description="True when a stored run was reused: no LLM call was made.")


class SchemaPublic(BaseModel):
    ref: str
    name: str
    version: str
    description: str
    prompt: str
    json_schema: dict[str, Any]


class Health(BaseModel):
    status: str
    database: str
    # Left out for a caller without a valid key when FACTDIFF_API_KEYS is set.
    llm_mode: str | None = None
    llm_endpoint: str | None = Field(default=None, description="Without any credential.")
    model: str | None = None


class Curator(BaseModel):
    actor: str = Field(
        min_length=1, max_length=200, description="Who makes the change: a name or key id."
    )
    reason: str = Field(min_length=1, max_length=2000, description="Why, for the audit trail.")


CURATED_EXAMPLE: dict[str, Any] = {
    "statement": "Kenya deployed 217 police officers to Haiti on 18 January 2025.",
    "claim_type": "event",
    "subject": {"name": "Kenya", "type": "country"},
    "predicate": "deployed",
    "object": "police officers to Haiti",
    "quantity": {"value": 217, "unit": "officers", "qualifier": "exact"},
    "time": {"text": "on Saturday"},
    "modality": "asserted",
    "evidence": "Kenya sent 217 more police officers to Haiti on Saturday",
    "actor": "desk@example.org",
    "reason": "Missed by the extraction",
}


class CuratedClaimCreate(ExtractedClaim):
    """A claim added by hand: the extraction schema plus who and why."""

    model_config = ConfigDict(json_schema_extra={"examples": [CURATED_EXAMPLE]})

    actor: str = Field(min_length=1, max_length=200)
    reason: str = Field(min_length=1, max_length=2000)


class ClaimPatch(Curator):
    """A correction: only the fields given change. The original claim is kept, superseded."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "quantity": {"value": 270, "unit": "officers", "qualifier": "exact"},
                    "actor": "desk@example.org",
                    "reason": "Wrong figure",
                }
            ]
        },
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
    model_config = ConfigDict(from_attributes=True)

    id: int
    claim_id: int
    action: str
    actor: str
    reason: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    created_at: UTCDateTime
