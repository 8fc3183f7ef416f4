"""Checks on what the endpoint answered, made before instructor or our own code reads it.

The SDK builds its response objects without validating them, so ``"choices": null``, a tool
call that is a bare string or a usage figure of 2**70 arrive as they were sent. instructor
then trips over them with a TypeError, and a figure flows on to the database. Each answer is
checked here once, where it enters: a malformed one fails the call with a reason
(LLMBadResponseError), a tool called under another name than the one asked for is refused
as the model's unusable output (LLMOutputError), and usage figures are made sane numbers.
"""

from __future__ import annotations

import logging
from typing import Any

from app.llm.errors import LLMBadResponseError, LLMOutputError

log = logging.getLogger(__name__)

# More tokens than any model reads and writes in one call, and under PostgreSQL's INTEGER
# even when summed over the most calls an article may make (FACTDIFF_MAX_LLM_CALLS_PER_ARTICLE
# is validated against it in app.core.config).
MAX_TOKENS_PER_CALL = 10_000_000


def token_count(value: Any, field: str) -> int:
    """A usage figure as a count of tokens: a whole number from 0 to MAX_TOKENS_PER_CALL.

    Anything else is clamped into that range (a negative or non-numeric figure counts as 0,
    a fractional one is rounded up) and logged: the run keeps its claims, and its usage
    stays a number the database can hold.
    """
    if isinstance(value, int) and not isinstance(value, bool):
        count = value
    elif isinstance(value, float) and value == value and abs(value) != float("inf"):
        count = -int(-value // 1)  # ceil
    else:
        count = 0
    clamped = min(max(count, 0), MAX_TOKENS_PER_CALL)
    if value is not None and (clamped != value or not isinstance(value, int)):
        log.warning("LLM usage %s=%.40r is not a token count; counted as %d", field, value, clamped)
    return clamped


USAGE_FIELDS = ("prompt_tokens", "completion_tokens", "total_tokens")


def sanitize_usage(completion: Any) -> None:
    """Make the answer's usage figures token counts, in place, for instructor and for us."""
    usage = getattr(completion, "usage", None)
    if usage is None:
        return
    if isinstance(usage, str | int | float | list | dict | bool):
        log.warning("LLM usage is %s, not an object; ignored", _shape(usage))
        completion.usage = None
        return
    for field in USAGE_FIELDS:
        setattr(usage, field, token_count(getattr(usage, field, 0), field))
    details = getattr(usage, "prompt_tokens_details", None)
    if details is not None and hasattr(details, "cached_tokens"):
        details.cached_tokens = token_count(details.cached_tokens, "cached_tokens")


def requested_tool(kwargs: dict[str, Any]) -> str | None:
    """The function a request forces the model to call (instructor's tools mode), if any."""
    choice = kwargs.get("tool_choice")
    if isinstance(choice, dict) and isinstance(choice.get("function"), dict):
        name = choice["function"].get("name")
        return name if isinstance(name, str) else None
    return None


def check_completion(completion: Any, tool_name: str | None) -> None:
    """Raise unless ``completion`` has a readable first choice (and calls ``tool_name``)."""
    choices = getattr(completion, "choices", None)
    if not isinstance(choices, list) or not choices:
        raise LLMBadResponseError(
            f"the LLM endpoint's answer has no choices ({_shape(choices)}), so no message to read",
            last_completion=completion,
        )
    message = getattr(choices[0], "message", None)
    if message is None or isinstance(message, str | int | float | list | dict):
        raise LLMBadResponseError(
            f"the LLM endpoint's answer has no message in its first choice ({_shape(message)})",
            last_completion=completion,
        )
    content = getattr(message, "content", None)
    if content is not None and not isinstance(content, str):
        raise LLMBadResponseError(
            f"the LLM endpoint's message content is {_shape(content)}, not text",
            last_completion=completion,
        )
    tool_calls = getattr(message, "tool_calls", None)
    if tool_calls is None:
        return
    if not isinstance(tool_calls, list):
        raise LLMBadResponseError(
            f"the LLM endpoint's tool_calls are {_shape(tool_calls)}, not a list",
            last_completion=completion,
        )
    for call in tool_calls:
        function = getattr(call, "function", None)
        name = getattr(function, "name", None)
        arguments = getattr(function, "arguments", None)
        if not isinstance(name, str) or not isinstance(arguments, str | dict | None):
            raise LLMBadResponseError(
                "the LLM endpoint's tool call has no function name and arguments",
                last_completion=completion,
            )
        if tool_name is not None and name != tool_name:
            raise LLMOutputError(
                f"the model called the tool {name[:100]!r}, not {tool_name!r} as asked; "
                "its answer was not used",
                last_completion=completion,
            )


def _shape(value: Any) -> str:
    if value is None:
        return "null"
    if value == []:
        return "an empty list"
    return f"a {type(value).__name__}"
