"""Cheaper paths through instructor and the openai SDK, each found by profiling a worker.

Both keep what reaches the endpoint and what instructor checks exactly as they were
(tests/app/llm/test_client.py compares request bodies with a plain instructor client's).
"""

from __future__ import annotations

import contextlib
import functools
import weakref
from collections.abc import Awaitable, Callable
from typing import Any

import instructor
import openai
from instructor.v2.core import patch as instructor_patch
from instructor.v2.validation import async_validators

from app.llm.answers import check_completion, requested_tool, sanitize_usage
from app.llm.usage import current_usage


def check_async_validators_once() -> None:
    """Remember instructor's refusal check of async validators, per response model.

    instructor walks the response model's whole type tree several times on every call to
    refuse async validators it cannot run: a fifth of the CPU per article in the service
    overhead benchmark. A class's answer never changes, so it is worked out once.
    """
    original = async_validators.reject_async_validators
    if getattr(original, "checks_once", False):
        return
    passed: weakref.WeakSet[Any] = weakref.WeakSet()

    @functools.wraps(original)
    def reject_async_validators(response_model: Any) -> None:
        check = reject_async_validators.__wrapped__
        try:
            if response_model in passed:
                return
        except TypeError:  # neither hashable nor weakly referenceable: check every time
            check(response_model)
            return
        check(response_model)  # raises for a model that has async validators
        with contextlib.suppress(TypeError):
            passed.add(response_model)

    reject_async_validators.checks_once = True  # type: ignore[attr-defined]
    # The patched create() imported the function by name when instructor loaded: replaced
    # there too, or every call would still walk the model.
    for module in (async_validators, instructor_patch):
        module.reject_async_validators = reject_async_validators  # type: ignore[attr-defined]


# Request fields that are plain JSON already: the message list, the model's name and the
# sampling figures, the tool's JSON Schema, the structured-output format. In this order the
# request body's keys come out as the SDK orders them.
_PLAIN_JSON_FIELDS = (
    "messages", "model", "max_tokens", "temperature", "tools", "tool_choice", "response_format",
)  # fmt: skip


def send_plain_json(patched: instructor.AsyncInstructor, client: openai.AsyncOpenAI) -> None:
    """Make ``patched`` call the SDK through plain_json_create, with instructor's own
    wrapping (mode, retries, hooks) as instructor.from_openai set it up."""
    patched.create_fn = instructor_patch.patch_v2(
        func=plain_json_create(client), provider=patched.provider, mode=patched.mode
    )


def plain_json_create(client: openai.AsyncOpenAI) -> Callable[..., Awaitable[Any]]:
    """``chat.completions.create``, with the plain-JSON fields sent as they are.

    The SDK walks every request field against its TypedDict annotations, to rename aliased
    keys and format dates and files; messages are tried against each of their six shapes in
    turn. For our fields (strings, lists and dicts) it changes nothing, and it cost a seventh
    of a run's CPU; the model's name alone, its annotation a Literal of every model the SDK
    knows, cost 50 us a call. Sent through ``extra_body``, the SDK's documented way to add
    fields to the request body, they reach the endpoint unchanged and untouched.

    The answer is checked before instructor reads it (app.llm.answers): one that is no
    readable completion, or calls another tool than the one asked for, fails the call.
    """
    create = client.chat.completions.create

    async def create_plain_json(**kwargs: Any) -> Any:
        plain = {name: kwargs.pop(name) for name in _PLAIN_JSON_FIELDS if name in kwargs}
        extra_body = {**plain, **(kwargs.pop("extra_body", None) or {})}
        # `messages` and `model` are required arguments: an empty list, replaced by
        # extra_body's, and omit (left out of the body the SDK transforms; extra_body's comes
        # in its place).
        if "model" in plain:
            kwargs["model"] = openai.omit
        completion = await create(messages=[], extra_body=extra_body, **kwargs)
        sanitize_usage(completion)
        # Counted before the checks: an answer refused below was paid for all the same.
        if (usage := current_usage()) is not None:
            usage.add_response(completion)
        check_completion(completion, requested_tool(plain))
        return completion

    return create_plain_json
