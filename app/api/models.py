"""Request and response bodies of the HTTP API (the Create / Public family of each table)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from sqlmodel import Session

from app.api import examples
from app.core.redaction import strip_credentials
from app.services.run_notes import run_notes
from app.store.entities import entities_by_id
from app.store.models import (
    ArticleBase,
    Claim,
    Entity,
    ExtractionRun,
    PublicationBase,
    RunStatus,
    UTCDateTime,
)
from app.store.models import ArticleCreate as ArticleCreate
from schemas import (
    Aspect,
    ClaimType,
    EntityType,
    FactKind,
    Modality,
    Qualifier,
    UnitKind,
)


class PublicationPublic(PublicationBase):
    """One outlet's publication of the article's text."""

    # SQLModel types its config as its own TypedDict, of which ConfigDict is the base.
    model_config = ConfigDict(json_schema_extra={"examples": [examples.PUBLICATION]})  # type: ignore[assignment]

    id: int
    article_id: int
    published_at: UTCDateTime | None = None
    created_at: UTCDateTime


class ArticlePublic(ArticleBase):
    """An article: one text. Its own title, url, outlet and date are those it was first
    submitted with; ``publications`` lists every outlet that carries it."""

    # SQLModel types its config as its own TypedDict, of which ConfigDict is the base.
    model_config = ConfigDict(json_schema_extra={"examples": [examples.ARTICLE]})  # type: ignore[assignment]

    id: int
    content_hash: str
    chars: int
    published_at: UTCDateTime | None = None
    created_at: UTCDateTime
    publications: list[PublicationPublic] = Field(
        default_factory=list, description="Every outlet's publication of this text, oldest first."
    )


class ArticleDetail(ArticlePublic):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.ARTICLE_DETAIL]})

    text: str


class ArticlesPublic(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.ARTICLES]})

    data: list[ArticlePublic]
    count: int


class RunPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True, json_schema_extra={"examples": [examples.RUN]})

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
    notes: list[str] = Field(
        default_factory=list,
        description="What the counts alone do not say: a succeeded run that stored no claim, "
        "or that grounding rejected more claims than it kept.",
    )

    @classmethod
    def of(cls, run: ExtractionRun) -> RunPublic:
        data = run.model_dump()
        data["total_tokens"] = run.prompt_tokens + run.completion_tokens
        data["notes"] = run_notes(run)
        # Stored without credentials since migration 3f1c9a7e5d20; shown without them always.
        data["endpoint"] = strip_credentials(run.endpoint)
        return cls.model_validate(data)


class SubjectPublic(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.CLAIM_270["subject"]]})

    name: str
    type: EntityType | str
    mention: str | None = None
    entity_id: int | None = None


class ObjectEntityPublic(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.OBJECT_ENTITY]})

    entity_id: int
    name: str = Field(description="The entity's canonical name in the entity table.")
    type: EntityType | str


class QuantityPublic(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.CLAIM_270["quantity"]]})

    value: float
    unit: str
    qualifier: Qualifier | str


class TimePublic(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.CLAIM_270["time"]]})

    text: str
    start: date | None = None
    end: date | None = None


class EvidencePublic(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.CLAIM_270["evidence"]]})

    quote: str = Field(description="The passage exactly as it stands in the article text.")
    char_start: int = Field(
        description="Offset of the passage in the article (Unicode code points)."
    )
    char_end: int = Field(description="Exclusive end offset: text[char_start:char_end] == quote.")
    match: str = Field(description="How the model's quote was found: exact, normalized or fuzzy.")
    score: float


class ClaimPublic(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.CLAIM_270]})

    id: int
    article_id: int
    run_id: int | None
    statement: str
    claim_type: ClaimType | str
    fact_kind: FactKind | str | None = Field(
        default=None,
        description="What kind of fact the claim states (news_claims@v2's vocabulary); "
        "null for a news_claims@v1 claim.",
    )
    subject: SubjectPublic
    predicate: str
    object: str | None
    object_entity: ObjectEntityPublic | None = Field(
        default=None,
        description="The canonical entity the claim is about besides its subject; null when "
        "the object is not an entity, and for a news_claims@v1 claim.",
    )
    quantity: QuantityPublic | None
    unit_kind: UnitKind | str | None = Field(
        default=None,
        description="What the quantity counts: persons, currency, percent, area, duration, "
        "count or other; null without a quantity, and for a news_claims@v1 claim.",
    )
    aspect: Aspect | str | None = Field(
        default=None,
        description="event (the figure happened at a time) or state (true as of a time); "
        "null without a quantity, and for a news_claims@v1 claim.",
    )
    time: TimePublic | None
    location: str | None
    attribution: str | None
    modality: Modality | str
    evidence: EvidencePublic
    status: str = Field(description="active, retracted or superseded (by a curated correction)")
    origin: str = Field(description="extracted by the LLM, or curated by a person")
    supersedes_id: int | None = None

    @classmethod
    def of(cls, claim: Claim, object_entity: Entity | None = None) -> ClaimPublic:
        """``object_entity``: the row of ``claim.object_entity_id`` (see claims_public)."""
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
            fact_kind=claim.fact_kind,
            subject=SubjectPublic(
                name=claim.subject_name,
                type=claim.subject_type,
                mention=claim.subject_mention,
                entity_id=claim.entity_id,
            ),
            predicate=claim.predicate,
            object=claim.object,
            object_entity=None
            if object_entity is None or object_entity.id is None
            else ObjectEntityPublic(
                entity_id=object_entity.id, name=object_entity.name, type=object_entity.type
            ),
            quantity=quantity,
            unit_kind=claim.unit_kind,
            aspect=claim.aspect,
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


def claims_public(session: Session, claims: Sequence[Claim]) -> list[ClaimPublic]:
    """Claims as the API shows them, their object entities read in one query."""
    ids = {c.object_entity_id for c in claims if c.object_entity_id is not None}
    objects = entities_by_id(session=session, ids=ids)
    return [
        ClaimPublic.of(c, None if c.object_entity_id is None else objects.get(c.object_entity_id))
        for c in claims
    ]


def claim_public(session: Session, claim: Claim) -> ClaimPublic:
    [public] = claims_public(session, [claim])
    return public


class ClaimsPublic(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.CLAIMS]})

    data: list[ClaimPublic]
    count: int = Field(description="Claims in this page.")
    next_cursor: str | None = Field(
        default=None, description="Pass as ?cursor= for the next page; null on the last page."
    )


class RejectedClaimPublic(BaseModel):
    model_config = ConfigDict(
        from_attributes=True, json_schema_extra={"examples": [examples.REJECTED_CLAIM]}
    )

    id: int
    run_id: int
    article_id: int
    reason: str
    payload: dict[str, Any]
    created_at: UTCDateTime


class RejectedClaimsPublic(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.REJECTED_CLAIMS]})

    data: list[RejectedClaimPublic]
    count: int


class ArticleExtraction(BaseModel):
    """An article with its extraction run and the claims it yielded."""

    model_config = ConfigDict(json_schema_extra={"examples": [examples.ARTICLE_EXTRACTION]})

    article: ArticlePublic
    run: RunPublic
    claims: list[ClaimPublic]
    reused: bool = Field(description="True when a stored run was reused: no LLM call was made.")
    publication: PublicationPublic | None = Field(
        default=None, description="The publication this submission stands for."
    )
    publication_created: bool = Field(
        default=False,
        description="True when this submission stored a new publication; false when the "
        "same outlet and url had submitted this text before.",
    )


class SchemaPublic(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.SCHEMA]})

    ref: str
    name: str
    version: str
    description: str
    prompt: str
    json_schema: dict[str, Any]


class Health(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.HEALTH]})

    status: str
    database: str
    # Left out for a caller without a valid key when FACTDIFF_API_KEYS is set.
    llm_mode: str | None = None
    llm_endpoint: str | None = Field(default=None, description="Without any credential.")
    model: str | None = None
    # Set when FACTDIFF_ADJUDICATOR=llm: whom the diff's undecided pairs are put to.
    adjudicator_endpoint: str | None = Field(default=None, description="Without any credential.")
    adjudicator_model: str | None = None
