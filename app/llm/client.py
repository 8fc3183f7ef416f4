"""The LLM client: built in exactly one factory, with one error base class.

Retries live in two separate layers that never nest:
- network faults (429 honouring Retry-After, 5xx, timeouts) in the openai SDK, ``llm_max_retries``;
- validation faults (ungrounded quotes, wrong numbers) in instructor, ``llm_validation_retries``,
  which re-raises API errors untouched instead of retrying them.
Token usage is recorded per answer where the SDK hands it over (app.llm.sdk), because
instructor's own running total is known to drop fields. Every request to the endpoint runs
under an overall deadline (app.llm.deadline).
"""

from __future__ import annotations

import logging
import urllib.request
from typing import Any

import httpx
import instructor
import openai
from aiolimiter import AsyncLimiter

from app.core.config import InstructorMode, LLMHttpClient, LLMMode, LLMProvider, Settings
from app.llm.aiohttp_transport import aiohttp_transport
from app.llm.deadline import DeadlineTransport
from app.llm.errors import LLMBadResponseError as LLMBadResponseError
from app.llm.errors import LLMConfigurationError
from app.llm.errors import LLMError as LLMError
from app.llm.errors import LLMOutputError as LLMOutputError
from app.llm.errors import LLMTimeoutError as LLMTimeoutError
from app.llm.errors import LLMUnavailableError as LLMUnavailableError
from app.llm.errors import translate_api_error as translate_api_error
from app.llm.replay import RecordTransport, ReplayTransport
from app.llm.sdk import check_async_validators_once, send_plain_json
from app.llm.slots import InFlightLimitedTransport
from app.llm.usage import Usage as Usage
from app.llm.usage import current_usage
from app.llm.usage import track_usage as track_usage

log = logging.getLogger(__name__)

INSTRUCTOR_MODES = {
    InstructorMode.tools: instructor.Mode.TOOLS,
    InstructorMode.json_schema: instructor.Mode.JSON_SCHEMA,
    InstructorMode.json: instructor.Mode.JSON,
    InstructorMode.md_json: instructor.Mode.MD_JSON,
}


def _on_attempt(*_args: Any, **_kwargs: Any) -> None:
    if (usage := current_usage()) is not None:
        usage.llm_calls += 1


async def _on_http_request(_request: httpx.Request) -> None:
    if (usage := current_usage()) is not None:
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
    if transport is None:
        transport = httpx.AsyncHTTPTransport(limits=limits, proxy=_env_proxy(settings))
    hooks: list[Any] = [_on_http_request]
    if settings.llm_rpm or settings.llm_tpm:
        hooks.append(
            RateLimiter(settings.llm_rpm, settings.llm_tpm, settings.llm_max_output_tokens // 4)
        )
    # Inside the in-flight cap: waiting for a slot does not eat into a call's deadline.
    transport = DeadlineTransport(transport, settings.llm_deadline)
    if settings.llm_max_in_flight:
        transport = InFlightLimitedTransport(transport, settings.llm_max_in_flight)
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
    log.info(
        "LLM client: mode=%s endpoint=%s model=%s instructor_mode=%s",
        mode.value,
        settings.llm_endpoint,
        settings.llm_model,
        settings.instructor_mode.value,
    )
    return patched


def _env_proxy(settings: Settings) -> str | None:
    """The proxy the environment names for the endpoint (HTTPS_PROXY, NO_PROXY...).

    httpx only reads them for a client without a transport of its own; this one always has
    one (the deadline), so they are read here, with the standard library's rules.
    """
    url = httpx.URL(settings.llm_base_url or "https://api.openai.com/v1")
    if urllib.request.proxy_bypass(url.host):
        return None
    proxies = urllib.request.getproxies()
    return proxies.get(url.scheme) or proxies.get("all")


async def close_client(client: instructor.AsyncInstructor) -> None:
    """Close the client's connections (an aiohttp session warns when left open)."""
    sdk = getattr(client, "client", None)
    if isinstance(sdk, openai.AsyncOpenAI):
        await sdk.close()
