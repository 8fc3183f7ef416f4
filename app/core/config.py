"""Service settings: one class, read from the environment with the ``FACTDIFF_`` prefix."""

from __future__ import annotations

from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Self

from pydantic import (
    AliasChoices,
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, SettingsConfigDict

from app.core.redaction import strip_credentials

PROJECT_ROOT = Path(__file__).resolve().parents[2]


class LLMMode(StrEnum):
    replay = "replay"  # answer from fixtures/, no network
    live = "live"  # call the configured endpoint
    record = "record"  # call the endpoint and write what it answers as fixtures


class LLMProvider(StrEnum):
    openai = "openai"  # OpenAI or any OpenAI-compatible server (Ollama, vLLM, llama.cpp)
    azure = "azure"


class LLMHttpClient(StrEnum):
    httpx = "httpx"  # the openai SDK's own
    aiohttp = "aiohttp"  # the SDK's optional aiohttp transport: less CPU per call


class InstructorMode(StrEnum):
    tools = "tools"
    json_schema = "json_schema"
    json = "json"
    md_json = "md_json"


class AdjudicatorKind(StrEnum):
    off = "off"  # undecided pairs are shown as they are: deterministic and offline
    llm = "llm"  # each is put to the configured LLM endpoint (app/services/adjudication.py)


class ApiKeyScope(StrEnum):
    read = "read"
    write = "write"  # and read


class ApiKey(BaseModel):
    """One client's key (FACTDIFF_API_KEYS), with what it may do and spend."""

    # The key must never surface in an error message about the settings.
    model_config = ConfigDict(extra="forbid", hide_input_in_errors=True)

    name: str = Field(min_length=1, max_length=100, pattern=r"^[\w.@-]+$")
    key: SecretStr
    scope: ApiKeyScope = ApiKeyScope.read
    daily_tokens: int | None = Field(default=None, ge=0, description="None: no daily budget")
    rpm: int | None = Field(default=None, gt=0, description="None: no request rate limit")

    @field_validator("key")
    @classmethod
    def long_enough(cls, key: SecretStr) -> SecretStr:
        if not 16 <= len(key.get_secret_value()) <= 200:
            raise ValueError("an API key must be 16 to 200 characters long")
        return key


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="FACTDIFF_",
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        populate_by_name=True,
        hide_input_in_errors=True,  # inputs include the LLM key and the API keys
    )

    database_url: str = Field(
        default=f"sqlite:///{PROJECT_ROOT / 'factdiff.db'}",
        description="SQLAlchemy URL. postgres:// and postgresql:// are normalised to psycopg 3.",
    )

    # The requests' connection pool (app/store/db.py; the README's "Sizing"). Runs have a pool
    # of their own, sized by worker_concurrency.
    db_pool_size: int = Field(default=10, ge=1, le=1000, description="Connections kept open")
    db_max_overflow: int = Field(
        default=10, ge=0, le=1000, description="Connections opened beyond db_pool_size at peaks"
    )
    db_pool_timeout_s: float = Field(
        default=5.0,
        gt=0,
        le=300,
        description="How long a request waits for a connection; then 503 busy with Retry-After",
    )

    llm_mode: LLMMode | None = Field(
        default=None,
        description="replay, live or record. Unset: live when an endpoint or key is configured, "
        "else replay over fixtures/.",
    )
    llm_provider: LLMProvider = LLMProvider.openai
    llm_base_url: str | None = None
    llm_api_key: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("FACTDIFF_LLM_API_KEY", "OPENAI_API_KEY")
    )
    llm_model: str = "gpt-4.1-mini"
    llm_azure_api_version: str = "2024-10-21"
    instructor_mode: InstructorMode = InstructorMode.tools
    llm_timeout_s: float = Field(default=60.0, gt=0)
    llm_deadline_s: float | None = Field(
        default=None,
        gt=0,
        description="The whole of one request to the LLM endpoint: connect, headers and body. "
        "None: twice FACTDIFF_LLM_TIMEOUT_S",
    )
    llm_http_client: LLMHttpClient = LLMHttpClient.httpx
    # Network retries (429 with Retry-After, 5xx, timeouts) live in the openai SDK alone.
    llm_max_retries: int = Field(default=2, ge=0, le=10)
    # Validation retries (ungrounded quotes, bad numbers) live in instructor alone.
    llm_validation_retries: int = Field(default=1, ge=0, le=5)
    llm_temperature: float = Field(default=0.0, ge=0, le=2)
    llm_max_output_tokens: int = Field(default=4096, gt=0)
    llm_max_concurrency: int = Field(default=8, gt=0)
    # LLM requests in flight across the process (app/llm/slots.py); 0: as many as workers send.
    llm_max_in_flight: int = Field(default=0, ge=0)

    # Durable jobs (app/jobs/queue.py, app/jobs/worker.py).
    worker_concurrency: int = Field(
        default=8, ge=0, le=512, description="Runs in flight in this process; 0: no workers"
    )
    job_lease_s: float = Field(default=60.0, ge=1)
    # Workers assign what they stored to facts (app/services/facts.py) as they go; off, the
    # first /facts or /diff that reads them does, or `factdiff facts backfill`.
    facts_in_workers: bool = True
    job_max_attempts: int = Field(default=3, ge=1, le=20)
    worker_poll_s: float = Field(default=0.5, gt=0)
    request_wait_s: float = Field(
        default=300.0, gt=0, description="How long POST /articles waits for a run a worker holds"
    )
    # Client-side limits of the provider (0: none); shared by every call of this process.
    llm_rpm: int = Field(default=0, ge=0)
    llm_tpm: int = Field(default=0, ge=0)

    fixtures_dir: Path = PROJECT_ROOT / "fixtures" / "llm"
    default_schema: str = "news_claims"  # its latest version that is not a preview

    chunk_token_budget: int = Field(default=3000, ge=200)
    chunk_overlap_tokens: int = Field(default=200, ge=0)
    grounding_fuzzy_threshold: float = Field(default=90.0, ge=50, le=100)
    max_article_chars: int = Field(default=200_000, gt=0)
    max_body_bytes: int | None = Field(
        default=None,
        gt=0,
        description="Largest request body (413 beyond). None: room for max_article_chars "
        "escaped as \\uXXXX surrogate pairs (12 bytes each) or fetch_max_bytes of HTML sent "
        "as text, plus 64 KiB for the other fields",
    )
    # Request bodies (app/api/limits.py): each must arrive whole within body_timeout_s, and at
    # most max_bodies_in_flight are read at once; the rest wait for a slot in that time.
    body_timeout_s: float = Field(default=30.0, gt=0)
    max_bodies_in_flight: int = Field(default=16, gt=0)
    # POST /articles with a url (app/ingest/fetch.py): the whole fetch, redirects included.
    fetch_timeout_s: float = Field(default=10.0, gt=0)
    fetch_max_bytes: int = Field(default=5_000_000, gt=0)
    fetch_max_redirects: int = Field(default=5, ge=0, le=20)
    # Access control (app/api/auth.py). No keys: the API is open, and the start-up log says so.
    api_keys: list[ApiKey] = Field(default_factory=list, description="JSON list of ApiKey")
    cors_origins: list[str] = Field(default_factory=list, description="[]: no CORS headers")
    # Per-article consumption, checked before any LLM call (app/extract/budget.py). The defaults
    # admit an article of max_article_chars at the default chunking and retries.
    max_llm_calls_per_article: int = Field(default=40, gt=0)
    max_input_tokens_per_article: int = Field(default=250_000, gt=0)
    # The diff's undecided pairs (app/services/adjudication.py): off, or each put to the LLM,
    # at most adjudicator_max_pairs per diff; verdicts are stored and never asked twice.
    adjudicator: AdjudicatorKind = AdjudicatorKind.off
    adjudicator_max_pairs: int = Field(default=20, ge=1, le=200)
    # A judge of its own (a stronger model than the extractor's, or a local one); where
    # unset, the extraction's endpoint, key and model.
    adjudicator_base_url: str | None = None
    adjudicator_api_key: SecretStr | None = None
    adjudicator_model: str | None = None
    # The judge's requests in flight at once (0: as extraction's); 1 for a local server that
    # answers in turn, so a diff's questions do not time out queued behind each other.
    adjudicator_max_in_flight: int = Field(default=0, ge=0)

    @field_validator("database_url")
    @classmethod
    def normalise_database_url(cls, value: str) -> str:
        for prefix in ("postgres://", "postgresql://"):
            if value.startswith(prefix):
                return "postgresql+psycopg://" + value[len(prefix) :]
        return value

    @field_validator("llm_base_url", "adjudicator_base_url")
    @classmethod
    def strip_base_url(cls, value: str | None) -> str | None:
        return value.rstrip("/") if value else None

    @field_validator("api_keys")
    @classmethod
    def distinct_api_keys(cls, keys: list[ApiKey]) -> list[ApiKey]:
        names = [k.name for k in keys]
        if dup := next((n for n in names if names.count(n) > 1), None):
            raise ValueError(f"FACTDIFF_API_KEYS: the name {dup!r} is used twice")
        values = [k.key.get_secret_value() for k in keys]
        for i, value in enumerate(values):
            if value in values[:i]:
                first = names[values.index(value)]
                raise ValueError(f"FACTDIFF_API_KEYS: {first!r} and {names[i]!r} share one key")
        return keys

    @model_validator(mode="after")
    def choose_llm_mode(self) -> Self:
        has_endpoint = bool(self.llm_base_url or self.llm_api_key)
        if self.llm_mode is None:
            self.llm_mode = LLMMode.live if has_endpoint else LLMMode.replay
        if self.llm_mode in (LLMMode.live, LLMMode.record) and not has_endpoint:
            raise ValueError(
                f"FACTDIFF_LLM_MODE={self.llm_mode.value} needs an endpoint: set "
                "FACTDIFF_LLM_BASE_URL (Ollama, vLLM, llama.cpp, Azure) and/or "
                "FACTDIFF_LLM_API_KEY (or OPENAI_API_KEY)"
            )
        remote = self.llm_mode is not LLMMode.replay
        if self.llm_provider is LLMProvider.azure and remote and not self.llm_base_url:
            raise ValueError("FACTDIFF_LLM_PROVIDER=azure needs FACTDIFF_LLM_BASE_URL")
        if self.chunk_overlap_tokens >= self.chunk_token_budget // 2:
            raise ValueError("FACTDIFF_CHUNK_OVERLAP_TOKENS must be under half the token budget")
        return self

    @property
    def adjudicator_endpoint_own(self) -> bool:
        """Whether the adjudicator calls an endpoint of its own, with a client of its own."""
        return bool(self.adjudicator_base_url or self.adjudicator_api_key)

    def adjudicator_settings(self) -> Settings:
        """These settings as the adjudicator's client sees them: its own endpoint, key and
        model where set. An endpoint of its own is live: a judge has no fixtures of its own.
        A key goes only where it was given for: extraction's key is not sent to the judge's
        URL, and the judge's own key alone goes to extraction's URL."""
        own: dict[str, object] = {}
        if self.adjudicator_endpoint_own:
            own["llm_mode"] = LLMMode.live
            own["llm_base_url"] = self.adjudicator_base_url or self.llm_base_url
            own["llm_api_key"] = self.adjudicator_api_key
        if self.adjudicator_model:
            own["llm_model"] = self.adjudicator_model
        if self.adjudicator_max_in_flight:
            own["llm_max_in_flight"] = self.adjudicator_max_in_flight
            own["llm_max_concurrency"] = self.adjudicator_max_in_flight
        return self.model_copy(update=own) if own else self

    @property
    def mode(self) -> LLMMode:
        assert self.llm_mode is not None  # set by choose_llm_mode
        return self.llm_mode

    @property
    def body_limit(self) -> int:
        """The request body limit in bytes (app/api/limits.py)."""
        if self.max_body_bytes is not None:
            return self.max_body_bytes
        return max(12 * self.max_article_chars, self.fetch_max_bytes) + 65_536

    @property
    def llm_deadline(self) -> float:
        """Seconds one request to the LLM endpoint may take in all (app/llm/deadline.py).

        httpx's FACTDIFF_LLM_TIMEOUT_S bounds each wait for the network, the longest of which
        is the model writing its answer before the headers: the default leaves as long again
        for the body.
        """
        return self.llm_deadline_s or 2 * self.llm_timeout_s

    @property
    def llm_endpoint(self) -> str:
        """Where calls go, for run records, logs and /healthz: never with a key, nor with
        credentials written into FACTDIFF_LLM_BASE_URL (user:password@, ?api_key=)."""
        if self.mode is LLMMode.replay:
            return f"replay:{self.fixtures_dir}"
        return strip_credentials(self.llm_base_url or "https://api.openai.com/v1")


@lru_cache
def get_settings() -> Settings:
    return Settings()
