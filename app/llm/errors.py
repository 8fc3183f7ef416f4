"""The one base class of every LLM failure, its kinds, and the SDK's exceptions mapped onto them.

Each kind carries the ``reason`` a run stores and the HTTP status a waiting caller gets.
"""

from __future__ import annotations

from typing import Any

import httpx
import openai

from app.core.config import InstructorMode
from app.llm.replay import FIXTURE_HEADER
from app.llm.usage import Usage


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


class LLMTimeoutError(LLMError):
    """An answer did not arrive whole within FACTDIFF_LLM_DEADLINE_S."""

    status_code = 503
    reason = "llm_timeout"


class LLMConfigurationError(LLMError):
    """The endpoint refused us: bad key, unknown model, stale fixture."""

    status_code = 503
    reason = "llm_misconfigured"


class LLMOutputError(LLMError):
    """The model answered, but nothing usable could be made of it."""

    status_code = 502
    reason = "llm_bad_output"


class LLMBadResponseError(LLMError):
    """The endpoint's answer is not a chat completion we can read: no choices, no message."""

    status_code = 502
    reason = "llm_bad_response"


class DeadlineExceededError(openai.APITimeoutError):
    """Raised by the HTTP transport when a whole answer took longer than its deadline.

    An OpenAIError, so the SDK passes it on as it is instead of retrying: the deadline
    already bounds the call.
    """

    def __init__(self, request: httpx.Request, deadline_s: float) -> None:
        openai.APIConnectionError.__init__(
            self,
            message=f"the LLM endpoint's answer did not arrive whole within {deadline_s:g} s "
            "(FACTDIFF_LLM_DEADLINE_S)",
            request=request,
        )


# The part of a request each instructor mode adds, as endpoints name it when they refuse it:
# llama.cpp's server takes response_format "json_object" but not "json_schema"; some
# Ollama models "do not support tools".
MODE_FIELD = {
    InstructorMode.json_schema: "response_format",
    InstructorMode.json: "response_format",
    InstructorMode.tools: "tool",
}


def translate_api_error(exc: openai.OpenAIError, *, mode: InstructorMode | None = None) -> LLMError:
    """Map the SDK's exceptions onto ours, with a message a caller can act on. ``mode``, the
    instructor mode the call was made in, lets a refusal of that mode say how to change it."""
    if isinstance(exc, DeadlineExceededError):
        return LLMTimeoutError(str(exc))
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
        if mode is not None and (field := MODE_FIELD.get(mode)) and field in detail.lower():
            others = ", ".join(m.value for m in InstructorMode if m is not mode)
            return LLMConfigurationError(
                f"the LLM endpoint refused the request's {field} ({exc.status_code}), which "
                f"FACTDIFF_INSTRUCTOR_MODE={mode.value} sends: set FACTDIFF_INSTRUCTOR_MODE to a "
                f"mode it takes ({others}). It said: {detail}"
            )
        return LLMUnavailableError(f"the LLM endpoint answered {exc.status_code}: {detail}")
    if isinstance(exc, openai.APITimeoutError):
        return LLMUnavailableError("the LLM endpoint timed out (FACTDIFF_LLM_TIMEOUT_S)")
    if isinstance(exc, openai.APIConnectionError):
        return LLMUnavailableError(f"could not reach the LLM endpoint: {exc}")
    return LLMError(f"LLM call failed: {exc}")


def _error_message(exc: openai.APIStatusError) -> str:
    """The endpoint's own message, to its first blank line: llama.cpp's server goes on with
    where in its code the error arose, which means nothing to our caller."""
    body = exc.body
    message = str(exc.message)
    if isinstance(body, dict):
        inner = body.get("error", body)
        if isinstance(inner, dict) and inner.get("message"):
            message = str(inner["message"])
    return message.split("\n\n", 1)[0].strip()


def error_behind(exc: BaseException) -> LLMError | openai.OpenAIError | None:
    """Ours or the SDK's error behind an instructor exception: not the model's fault."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, LLMError | openai.OpenAIError):
            return seen
        seen = seen.__cause__ or seen.__context__
    return None
