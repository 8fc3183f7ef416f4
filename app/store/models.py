"""Database tables (SQLModel), and ArticleCreate, the article a submission stores.

Singular snake_case table names, ``_at`` for datetimes. A little past 300 lines: the tables
and the Create model of an article are one family, read together (the fact tables, which only
the fact services read, live in app.store.fact_models).
"""

from __future__ import annotations

import unicodedata
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Annotated, Any, Self

from pydantic import AfterValidator, BaseModel, ConfigDict, field_validator, model_validator
from pydantic import Field as PydanticField
from sqlalchemy import JSON, Column, DateTime, Index, Table, Text, UniqueConstraint, event
from sqlmodel import Field, SQLModel

from app.store import entity_models as entity_models  # curators' aliases, audited
from app.store import fact_models as fact_models  # the fact table claim.fact_id references
from app.store import search_index
from app.store import verdict_models as verdict_models  # the adjudicator's stored verdicts

# Ids and counts are INTEGER columns: 32-bit on PostgreSQL. A larger id in a request is
# refused, never sent to the database, where it would overflow.
MAX_INTEGER = 2**31 - 1
MAX_ID = MAX_INTEGER


def utcnow() -> datetime:
    return datetime.now(UTC)


class ClaimStatus(StrEnum):
    active = "active"
    retracted = "retracted"  # withdrawn by a curator
    superseded = "superseded"  # replaced by a curator's corrected claim


class ClaimOrigin(StrEnum):
    extracted = "extracted"  # by the LLM, grounded
    curated = "curated"  # added or corrected by a person, grounded the same way


class RunStatus(StrEnum):
    queued = "queued"
    running = "running"
    succeeded = "succeeded"
    failed = "failed"


class ArticleBase(SQLModel):
    title: str | None = Field(default=None, max_length=500)
    url: str | None = Field(default=None, max_length=2000)
    outlet: str | None = Field(default=None, max_length=200, index=True)
    published_at: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))


class Article(ArticleBase, table=True):
    # title, url, outlet and published_at are those of the submission that stored the text
    # first (the extraction's prompt shows them); every outlet carrying it is a Publication.
    id: int | None = Field(default=None, primary_key=True)
    # sha256 of the NFC-normalised text: a resubmitted article is the same article.
    content_hash: str = Field(max_length=64, unique=True, index=True)
    text: str = Field(sa_column=Column(Text, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_type=DateTime(timezone=True))


class PublicationBase(SQLModel):
    outlet: str | None = Field(default=None, max_length=200, index=True)
    url: str | None = Field(default=None, max_length=2000)
    title: str | None = Field(default=None, max_length=500)
    published_at: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))


class Publication(PublicationBase, table=True):
    """One outlet's publication of an article's text: wire copy carried by three outlets is
    one article (one extraction) with three publications. Publications, not the article's
    own outlet, say who carried a text (app/store/publications.py)."""

    __table_args__ = (
        UniqueConstraint("article_id", "identity", name="uq_publication_article_identity"),
    )

    id: int | None = Field(default=None, primary_key=True)
    article_id: int = Field(foreign_key="article.id", index=True)
    # sha256 of (outlet, url): the same text from the same outlet at the same address is one
    # publication. Hashed because a url may be too long for a unique index.
    identity: str = Field(max_length=64)
    created_at: datetime = Field(default_factory=utcnow, sa_type=DateTime(timezone=True))


class ExtractionRun(SQLModel, table=True):
    __tablename__ = "extraction_run"
    # Which articles have a successful run of a schema, read from the index alone: the
    # ledger's warnings count them on every request.
    __table_args__ = (Index("ix_extraction_run_done", "schema_name", "status", "article_id"),)

    id: int | None = Field(default=None, primary_key=True)
    article_id: int = Field(foreign_key="article.id", index=True)
    # Hash of (article, schema version, prompt version, model): never sent to the LLM twice.
    cache_key: str = Field(max_length=64, unique=True, index=True)
    schema_name: str = Field(max_length=100)
    schema_version: str = Field(max_length=20)
    prompt_version: str = Field(max_length=100)
    model: str = Field(max_length=200)
    endpoint: str = Field(max_length=500)
    llm_mode: str = Field(max_length=20)
    instructor_mode: str = Field(max_length=20)
    # The API key whose request caused the run: its tokens count against that key's daily
    # budget. Null when the service has no keys.
    api_key_name: str | None = Field(default=None, max_length=100, index=True)
    status: RunStatus = Field(default=RunStatus.queued, index=True)
    error_reason: str | None = Field(default=None, max_length=50)
    error: str | None = Field(default=None, sa_column=Column(Text))
    llm_calls: int = 0
    http_requests: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cached_tokens: int = 0
    usage_by_attempt: list[dict[str, int]] = Field(default_factory=list, sa_column=Column(JSON))
    chunks: int = 0
    claims_count: int = 0
    rejected_count: int = 0
    latency_ms: float | None = None
    # The run is also the durable job: stored before any LLM call, leased by one worker at a
    # time. A lease that is not renewed expires and the sweeper queues the job again.
    attempts: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    lease_owner: str | None = Field(default=None, max_length=100)
    lease_expires_at: datetime | None = Field(
        default=None, sa_type=DateTime(timezone=True), index=True
    )
    created_at: datetime = Field(default_factory=utcnow, sa_type=DateTime(timezone=True))
    started_at: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))
    finished_at: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))


class Entity(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("key", name="uq_entity_key"),)

    id: int | None = Field(default=None, primary_key=True)
    # The canonical name folded (entities.entity_key), unique: "Kenya" is one row however it is
    # capitalised or spaced, and whatever type an article gives it.
    key: str = Field(max_length=300, index=True)
    name: str = Field(max_length=200)
    type: str = Field(max_length=30)
    aliases: list[str] = Field(default_factory=list, sa_column=Column(JSON))
    created_at: datetime = Field(default_factory=utcnow, sa_type=DateTime(timezone=True))


class Claim(SQLModel, table=True):
    __table_args__ = (
        Index("ix_claim_entity_id_id", "entity_id", "id"),
        # Claims not yet in a fact, in id order (an index's rows end with the id): assignment's
        # check for pending claims is one seek, where it walked every claim of a store.
        Index("ix_claim_fact_status", "fact_id", "status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    # Null for a claim a curator added by hand.
    run_id: int | None = Field(default=None, foreign_key="extraction_run.id", index=True)
    article_id: int = Field(foreign_key="article.id", index=True)
    # Indexed with the id (ix_claim_entity_id_id): PostgreSQL then walks one entity's claims
    # in id order, as the /claims pages are, and stops at the page's end.
    entity_id: int | None = Field(default=None, foreign_key="entity.id")
    # The stored fact it belongs to (app.store.fact_models); None until assigned. Indexed
    # by ix_claim_fact_status, which leads with it.
    fact_id: int | None = Field(default=None, foreign_key="fact.id")
    statement: str = Field(sa_column=Column(Text, nullable=False))
    claim_type: str = Field(max_length=30, index=True)
    subject_name: str = Field(max_length=200)
    subject_type: str = Field(max_length=30)
    subject_mention: str | None = Field(default=None, max_length=200)
    predicate: str = Field(max_length=120)
    object: str | None = Field(default=None, max_length=300)
    quantity_value: float | None = None
    quantity_unit: str | None = Field(default=None, max_length=60)
    quantity_qualifier: str | None = Field(default=None, max_length=20)
    time_text: str | None = Field(default=None, max_length=120)
    time_start: date | None = Field(default=None, index=True)
    time_end: date | None = None
    location: str | None = Field(default=None, max_length=200)
    attribution: str | None = Field(default=None, max_length=200)
    modality: str = Field(max_length=20)
    evidence_quote: str = Field(sa_column=Column(Text, nullable=False))
    char_start: int
    char_end: int
    match_kind: str = Field(max_length=20)
    match_score: float
    # Canonical fact fields (news_claims@v2): null for claims of v1, which had none.
    fact_kind: str | None = Field(default=None, max_length=40)
    object_entity_id: int | None = Field(default=None, foreign_key="entity.id")
    unit_kind: str | None = Field(default=None, max_length=20)
    aspect: str | None = Field(default=None, max_length=10)  # event or state
    # Fields a schema adds beyond the shared core, kept as the model gave them.
    extra: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON))
    # Plain strings, not database enums: portable, and a new value needs no type migration.
    status: str = Field(
        default=ClaimStatus.active.value,
        max_length=20,
        index=True,
        sa_column_kwargs={"server_default": ClaimStatus.active.value},
    )
    origin: str = Field(
        default=ClaimOrigin.extracted.value,
        max_length=20,
        sa_column_kwargs={"server_default": ClaimOrigin.extracted.value},
    )
    supersedes_id: int | None = Field(default=None, foreign_key="claim.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=DateTime(timezone=True))


class ClaimAudit(SQLModel, table=True):
    """Who changed a claim by hand, when and why; the claim as it was and as it became."""

    __tablename__ = "claim_audit"

    id: int | None = Field(default=None, primary_key=True)
    claim_id: int = Field(foreign_key="claim.id", index=True)
    action: str = Field(max_length=20)  # added, corrected, retracted
    actor: str = Field(max_length=200)
    reason: str = Field(sa_column=Column(Text, nullable=False))
    before: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    after: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    created_at: datetime = Field(default_factory=utcnow, sa_type=DateTime(timezone=True))


class RejectedClaim(SQLModel, table=True):
    __tablename__ = "rejected_claim"

    id: int | None = Field(default=None, primary_key=True)
    run_id: int = Field(foreign_key="extraction_run.id", index=True)
    article_id: int = Field(foreign_key="article.id", index=True)
    reason: str = Field(sa_column=Column(Text, nullable=False))
    payload: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON))
    created_at: datetime = Field(default_factory=utcnow, sa_type=DateTime(timezone=True))


# The tables themselves, for bulk inserts that skip the ORM.
CLAIM_TABLE: Table = Claim.__table__  # type: ignore[attr-defined]
REJECTED_CLAIM_TABLE: Table = RejectedClaim.__table__  # type: ignore[attr-defined]

# The text-search index goes with the claim table however the schema is made: migrations
# build it, and so does metadata.create_all (tests, benchmarks).
event.listen(CLAIM_TABLE, "after_create", search_index.after_create)


def as_utc(value: datetime | None) -> datetime | None:
    # Everything is stored in UTC: SQLite keeps no offset and hands back naive datetimes.
    if value is None:
        return None
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


UTCDateTime = Annotated[datetime, AfterValidator(as_utc)]

SAMPLE_TEXT = (
    "Kenya sent a further 217 police officers to Haiti on Saturday to reinforce the "
    "Multinational Security Support mission."
)


class ArticleCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        populate_by_name=True,
        json_schema_extra={
            "examples": [
                {
                    "text": SAMPLE_TEXT,
                    "title": "Kenya reinforces Haiti mission",
                    "outlet": "Example Daily",
                    "published_at": "2025-01-18T09:00:00Z",
                    "url": "https://example.org/kenya-haiti",
                    "schema": "news_claims",
                }
            ]
        },
    )

    text: str = PydanticField(
        default="",
        description="The article's plain text (HTML is made plain text). It is stored in "
        "Unicode NFC, and the offsets in claims index the stored text (GET /articles/{id}). "
        "Leave it out to fetch the article from url.",
    )
    title: str | None = PydanticField(default=None, max_length=500)
    url: str | None = PydanticField(
        default=None,
        max_length=2000,
        description="Without text: the http(s) page to fetch the article from. With text: kept "
        "as metadata.",
    )
    outlet: str | None = PydanticField(default=None, max_length=200)
    published_at: datetime | None = PydanticField(
        default=None, description="Publication time; relative dates in claims resolve against it."
    )
    schema_ref: str | None = PydanticField(
        default=None,
        alias="schema",
        max_length=100,
        description="Extraction schema, 'name' or 'name@version' (GET /schemas). "
        "Default: news_claims.",
    )

    @field_validator("text")
    @classmethod
    def not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("text is empty: send the article's text")
        # One text, one form: the same words in NFD are the same article, with the same offsets.
        return unicodedata.normalize("NFC", value)

    @field_validator("published_at")
    @classmethod
    def aware(cls, value: datetime | None) -> datetime | None:
        try:
            return as_utc(value)
        except OverflowError:  # 0001-01-01T00:00:00+01:00 is in year 0 once in UTC
            raise ValueError(
                "published_at is outside the range of dates once converted to UTC "
                "(0001-01-01 to 9999-12-31)"
            ) from None

    @model_validator(mode="after")
    def text_or_url(self) -> Self:
        if not self.text and not (self.url or "").strip():
            raise ValueError("Field required: send the article's text or a url")
        return self
