"""The LLM client: built in exactly one factory, with one error base class.

Retries live in two separate layers that never nest:
- network faults (429 honouring Retry-After, 5xx, timeouts) in the openai SDK, ``llm_max_retries``;
- validation faults (ungrounded quotes, wrong numbers) in instructor, ``llm_validation_retries``,
  which re-raises API errors untouched instead of retrying them.
Token usage is recorded per attempt from instructor's completion hook, because instructor's
own running total is known to drop fields.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

import httpx
import instructor
import openai
from aiolimiter import AsyncLimiter

from app.core.config import InstructorMode, LLMHttpClient, LLMMode, LLMProvider, Settings
from app.llm.aiohttp_transport import aiohttp_transport
from app.llm.replay import FIXTURE_HEADER, RecordTransport, ReplayTransport
from app.llm.sdk import check_async_validators_once, send_plain_json
from app.llm.slots import InFlightLimitedTransport

log = logging.getLogger(__name__)

INSTRUCTOR_MODES = {
    InstructorMode.tools: instructor.Mode.TOOLS,
    InstructorMode.json_schema: instructor.Mode.JSON_SCHEMA,
    InstructorMode.json: instructor.Mode.JSON,
    InstructorMode.md_json: instructor.Mode.MD_JSON,
}


@dataclass
class Usage:
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cached_tokens: int = 0
    llm_calls: int = 0  # instructor attempts: the first ask plus each validation re-ask
    http_requests: int = 0  # including the SDK's network retries
    attempts: list[dict[str, int]] = field(default_factory=list)

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens

    def add_response(self, response: Any) -> None:
        usage = getattr(response, "usage", None)
        prompt = int(getattr(usage, "prompt_tokens", 0) or 0)
        completion = int(getattr(usage, "completion_tokens", 0) or 0)
        details = getattr(usage, "prompt_tokens_details", None)
        cached = int(getattr(details, "cached_tokens", 0) or 0)
        self.prompt_tokens += prompt
        self.completion_tokens += completion
        self.cached_tokens += cached
        self.attempts.append({"prompt_tokens": prompt, "completion_tokens": completion})

    def merge(self, other: Usage) -> None:
        self.prompt_tokens += other.prompt_tokens
        self.completion_tokens += other.completion_tokens
        self.cached_tokens += other.cached_tokens
        self.llm_calls += other.llm_calls
        self.http_requests += other.http_requests
        self.attempts.extend(other.attempts)


_current_usage: ContextVar[Usage | None] = ContextVar("factdiff_llm_usage", default=None)


@contextmanager
def track_usage() -> Iterator[Usage]:
    """Collect the usage of every LLM call made inside the block, across awaits."""
    usage = Usage()
    token = _current_usage.set(usage)
    try:
        yield usage
    finally:
        _current_usage.reset(token)


def _on_attempt(*_args: Any, **_kwargs: Any) -> None:
    if (usage := _current_usage.get()) is not None:
        usage.llm_calls += 1


def _on_response(response: Any) -> None:
    if (usage := _current_usage.get()) is not None:
        usage.add_response(response)


async def _on_http_request(_request: httpx.Request) -> None:
    if (usage := _current_usage.get()) is not None:
        usage.http_requests += 1


class RateLimiter:
    """The provider's requests- and tokens-per-minute limits, kept on our side.

    A leaky bucket of rate/61 per second never lets any sliding 60-second window exceed the
    limit (a full bucket plus 60 seconds of leak is 61 seconds' worth), and still admits
    98% of it. Token cost is estimated before the call: request characters / 4 plus the
    expected answer.
    """

    def __init__(self, rpm: int, tpm: int, expected_output_tokens: int) -> None:
        self.requests = AsyncLimiter(rpm / 61, 1) if rpm else None
        self.tokens = AsyncLimiter(tpm / 61, 1) if tpm else None
        self.expected_output_tokens = expected_output_tokens

    async def __call__(self, request: httpx.Request) -> None:
        if self.requests is not None:
            await self.requests.acquire()
        if self.tokens is not None:
            cost = len(request.content) / 4 + self.expected_output_tokens
            await self.tokens.acquire(min(cost, self.tokens.max_rate))


class LLMError(Exception):
    """Base of every LLM failure, with what is known of the failed call attached."""

    status_code = 502
    reason = "llm_error"

    def __init__(
        self,
        message: str,
        *,
        attempts: int = 0,
        usage: Usage | None = None,
        last_completion: Any = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.attempts = attempts
        self.usage = usage
        self.last_completion = last_completion


class LLMUnavailableError(LLMError):
    """No answer could be had: no fixture, connection refused, endpoint down, rate limited."""

    status_code = 503
    reason = "llm_unavailable"


class LLMConfigurationError(LLMError):
    """The endpoint refused us: bad key, unknown model, stale fixture."""

    status_code = 503
    reason = "llm_misconfigured"


class LLMOutputError(LLMError):
    """The model answered, but nothing usable could be made of it."""

    status_code = 502
    reason = "llm_bad_output"


def translate_api_error(exc: openai.OpenAIError) -> LLMError:
    """Map the SDK's exceptions onto ours, with a message a caller can act on."""
    if isinstance(exc, openai.APIStatusError):
        fixture = exc.response.headers.get(FIXTURE_HEADER)
        detail = _error_message(exc)
        if fixture == "missing":
            return LLMUnavailableError(detail)
        if fixture == "stale":
            return LLMConfigurationError(detail)
        if exc.status_code in (401, 403):
            return LLMConfigurationError(
                f"the LLM endpoint refused the API key ({exc.status_code}): "
                "check FACTDIFF_LLM_API_KEY"
            )
        if exc.status_code == 404:
            return LLMConfigurationError(f"the LLM endpoint answered 404: {detail}")
        if exc.status_code == 429:
            return LLMUnavailableError(f"the LLM endpoint is rate limiting (429): {detail}")
        return LLMUnavailableError(f"the LLM endpoint answered {exc.status_code}: {detail}")
    if isinstance(exc, openai.APITimeoutError):
        return LLMUnavailableError("the LLM endpoint timed out (FACTDIFF_LLM_TIMEOUT_S)")
    if isinstance(exc, openai.APIConnectionError):
        return LLMUnavailableError(f"could not reach the LLM endpoint: {exc}")
    return LLMError(f"LLM call failed: {exc}")


def _error_message(exc: openai.APIStatusError) -> str:
    body = exc.body
    if isinstance(body, dict):
        inner = body.get("error", body)
        if isinstance(inner, dict) and inner.get("message"):
            return str(inner["message"])
    return str(exc.message)


def _aiohttp_transport(limits: httpx.Limits) -> httpx.AsyncBaseTransport:
    try:
        return aiohttp_transport(limits)
    except ImportError as exc:
        raise LLMConfigurationError(
            "FACTDIFF_LLM_HTTP_CLIENT=aiohttp needs the aiohttp extra: "
            "pip install 'factdiff[aiohttp]'"
        ) from exc


def build_client(
    settings: Settings, *, transport: httpx.AsyncBaseTransport | None = None
) -> instructor.AsyncInstructor:
    """The one place an LLM client is made. Fails fast on configuration it cannot use.

    ``transport`` replaces the mode's own (fixture stamping, the simulated LLM in tests).
    """
    check_async_validators_once()
    mode = settings.mode
    if transport is not None:
        pass
    elif mode is LLMMode.replay:
        transport = ReplayTransport(settings.fixtures_dir)
    elif mode is LLMMode.record:
        transport = RecordTransport(settings.fixtures_dir, settings.llm_endpoint)
    # Enough connections for every worker slot; httpx's default pool is 100.
    limits = httpx.Limits(max_connections=max(100, settings.worker_concurrency * 2))
    if transport is None and settings.llm_http_client is LLMHttpClient.aiohttp:
        transport = _aiohttp_transport(limits)
    hooks: list[Any] = [_on_http_request]
    if settings.llm_rpm or settings.llm_tpm:
        hooks.append(
            RateLimiter(settings.llm_rpm, settings.llm_tpm, settings.llm_max_output_tokens // 4)
        )
    if settings.llm_max_in_flight:
        transport = InFlightLimitedTransport(
            transport or httpx.AsyncHTTPTransport(limits=limits), settings.llm_max_in_flight
        )
    http_client = httpx.AsyncClient(
        transport=transport,
        timeout=httpx.Timeout(settings.llm_timeout_s),
        limits=limits,
        event_hooks={"request": hooks},
    )
    api_key = settings.llm_api_key.get_secret_value() if settings.llm_api_key else None
    # Local servers (Ollama, vLLM, llama.cpp) ignore the key, but the SDK requires one.
    api_key = api_key or "not-needed"
    common: dict[str, Any] = {
        "api_key": api_key,
        "timeout": settings.llm_timeout_s,
        "max_retries": 0 if mode is LLMMode.replay else settings.llm_max_retries,
        "http_client": http_client,
    }
    client: openai.AsyncOpenAI
    if settings.llm_provider is LLMProvider.azure and mode is not LLMMode.replay:
        client = openai.AsyncAzureOpenAI(
            azure_endpoint=settings.llm_base_url or "",
            api_version=settings.llm_azure_api_version,
            **common,
        )
    else:
        base_url = settings.llm_base_url or (
            "http://replay.invalid/v1" if mode is LLMMode.replay else None
        )
        client = openai.AsyncOpenAI(base_url=base_url, **common)
    patched = instructor.from_openai(client, mode=INSTRUCTOR_MODES[settings.instructor_mode])
    send_plain_json(patched, client)
    patched.on("completion:kwargs", _on_attempt)
    patched.on("completion:response", _on_response)
    log.info(
        "LLM client: mode=%s endpoint=%s model=%s instructor_mode=%s",
        mode.value,
        settings.llm_endpoint,
        settings.llm_model,
        settings.instructor_mode.value,
    )
    return patched


async def close_client(client: instructor.AsyncInstructor) -> None:
    """Close the client's connections (an aiohttp session warns when left open)."""
    sdk = getattr(client, "client", None)
    if isinstance(sdk, openai.AsyncOpenAI):
        await sdk.close()
