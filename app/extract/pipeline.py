"""The extraction pipeline: article → chunks → prompt → LLM → grounding → claims.

Pure of storage: it takes an article and returns what to store; app.store.crud stores it.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import instructor
import openai
from instructor.core.exceptions import IncompleteOutputException, InstructorRetryException
from pydantic import BaseModel, ValidationError

from app.core.config import Settings
from app.core.validation_errors import error_line
from app.extract import budget
from app.extract.chunking import Chunk, split_text
from app.extract.prompting import ArticleInput, render_messages
from app.extract.validation import (
    GroundedClaim,
    GroundingContext,
    Rejection,
    grounded_model,
    grounding_context,
    split_grounded,
)
from app.llm.client import (
    LLMError,
    LLMOutputError,
    LLMTimeoutError,
    Usage,
    track_usage,
    translate_api_error,
)
from app.llm.errors import error_behind
from schemas import ExtractedClaim, ExtractionSchema

log = logging.getLogger(__name__)


@dataclass
class ExtractionResult:
    claims: list[GroundedClaim]
    rejected: list[Rejection]
    usage: Usage
    chunks: int
    latency_ms: float
    notes: list[str] = field(default_factory=list)


def _completion_payload(completion: Any) -> dict[str, Any] | None:
    """The JSON object a completion carries, in a tool call or in the message content.

    The completion is one instructor gave up on: any part of it may be missing or of
    another type (app.llm.answers checks only answers that reach instructor whole).
    """
    try:
        message = completion.choices[0].message
        tool_calls = getattr(message, "tool_calls", None)
        content = getattr(message, "content", None)
        if tool_calls:
            raw = tool_calls[0].function.arguments
        elif isinstance(content, str):
            raw = content.strip().removeprefix("```json").removesuffix("```")
        else:
            return None
        payload = json.loads(raw) if isinstance(raw, str | bytes) and raw else raw
    except (AttributeError, IndexError, KeyError, TypeError, ValueError):
        return None
    return payload if isinstance(payload, dict) else None


def _used_every_output_token(completion: Any, max_output_tokens: int) -> bool:
    """Whether an answer is as long as it was allowed to be. Some servers (llama.cpp's, in
    tools mode) report such an answer as finished, not cut off."""
    tokens = getattr(getattr(completion, "usage", None), "completion_tokens", None)
    return isinstance(tokens, int) and tokens >= max_output_tokens


def _salvage(
    exc: InstructorRetryException,
    schema: ExtractionSchema,
    ctx: GroundingContext,
    max_output_tokens: int,
) -> tuple[list[GroundedClaim], list[Rejection]]:
    """After the re-asks are spent, keep the grounded claims of the last answer."""
    payload = _completion_payload(exc.last_completion)
    if payload is None:
        hint = ""
        if _used_every_output_token(exc.last_completion, max_output_tokens):
            hint = (
                f"; the last used all {max_output_tokens} output tokens allowed, so it was "
                "likely cut off: raise FACTDIFF_LLM_MAX_OUTPUT_TOKENS"
            )
        raise LLMOutputError(
            f"the model's answer could not be parsed after {exc.n_attempts} attempt(s){hint}",
            attempts=exc.n_attempts,
            last_completion=exc.last_completion,
        )
    try:
        parsed: BaseModel = schema.response_model.model_validate(payload)
    except ValidationError as err:
        raise LLMOutputError(
            f"the model's answer does not fit schema {schema.ref} after {exc.n_attempts} "
            f"attempt(s): {err.error_count()} error(s), first: {error_line(err.errors()[0])}",
            attempts=exc.n_attempts,
            last_completion=exc.last_completion,
        ) from err
    claims: list[ExtractedClaim] = list(getattr(parsed, "claims", []))
    return split_grounded(claims, ctx)


async def _extract_chunk(
    client: instructor.AsyncInstructor,
    chunk: Chunk,
    article: ArticleInput,
    schema: ExtractionSchema,
    settings: Settings,
) -> tuple[list[GroundedClaim], list[Rejection]]:
    piece = ArticleInput(chunk.text, article.title, article.outlet, article.published_at)
    ctx = GroundingContext(chunk.text, article.published_at, settings.grounding_fuzzy_threshold)
    # Set in this chunk's own task (or the run's, for a lone chunk): no other chunk sees it.
    token = grounding_context.set(ctx)
    try:
        answer = await client.create(
            model=settings.llm_model,
            messages=render_messages(schema.prompt, piece),  # type: ignore[arg-type]
            response_model=grounded_model(schema),
            max_retries=settings.llm_validation_retries,
            temperature=settings.llm_temperature,
            max_tokens=settings.llm_max_output_tokens,
        )
        kept, rejected = split_grounded(list(getattr(answer, "claims", [])), ctx)
    except InstructorRetryException as exc:
        # instructor wraps the errors of the call it does not retry: the SDK's, and ours
        # from the checks of the answer (app.llm.answers).
        if isinstance(cause := error_behind(exc), LLMError):
            raise cause from exc
        if cause is not None:
            raise translate_api_error(cause, mode=settings.instructor_mode) from exc
        kept, rejected = _salvage(exc, schema, ctx, settings.llm_max_output_tokens)
    except openai.OpenAIError as exc:
        raise translate_api_error(exc, mode=settings.instructor_mode) from exc
    except IncompleteOutputException as exc:
        raise LLMOutputError(
            "the model's answer was cut off (finish_reason=length): raise "
            "FACTDIFF_LLM_MAX_OUTPUT_TOKENS or lower FACTDIFF_CHUNK_TOKEN_BUDGET",
            last_completion=exc.last_completion,
        ) from exc
    finally:
        grounding_context.reset(token)
    return [c.shifted(chunk.start) for c in kept], rejected


def _merge(
    parts: list[tuple[list[GroundedClaim], list[Rejection]]],
) -> tuple[list[GroundedClaim], list[Rejection]]:
    """Join chunk results; a claim found in two overlapping chunks is kept once.

    Within one chunk, claims that share their evidence and figure are all kept: "Corran and
    Lisker both recorded 61.4 percent" is two districts' turnout. Across chunks, a chunk's
    claims with one evidence and figure are kept only past as many as earlier chunks gave.
    """
    claims: list[GroundedClaim] = []
    seen: set[tuple[str, int, int]] = set()
    found: Counter[tuple[int, int, str, float | None]] = Counter()
    for kept, _ in parts:
        before, here = found.copy(), Counter[tuple[int, int, str, float | None]]()
        for grounded in kept:
            statement = " ".join(grounded.claim.statement.casefold().split())
            key = (statement, grounded.span.start, grounded.span.end)
            if key in seen:
                continue
            fact = _fact_key(grounded)
            here[fact] += 1
            if here[fact] <= before[fact]:
                continue
            seen.add(key)
            found[fact] = max(found[fact], here[fact])
            claims.append(grounded)
    rejected = [r for _, rej in parts for r in rej]
    claims.sort(key=lambda c: (c.span.start, c.span.end))
    return claims, rejected


def _fact_key(grounded: GroundedClaim) -> tuple[int, int, str, float | None]:
    # Overlapping chunks see the same sentence twice: the same evidence span and the same
    # number mean the same claim even when the model worded the statement differently.
    quantity = grounded.claim.quantity
    value = None if quantity is None else quantity.value
    return grounded.span.start, grounded.span.end, grounded.claim.claim_type, value


class InternalExtractionError(LLMError):
    """The extraction failed on our side (a bug): the run still ends, with its usage."""

    status_code = 500
    reason = "internal_error"


def _ending(error: BaseException, usage: Usage) -> LLMError:
    """The error that ends the run, with the run's usage so far: the failed calls are paid
    too. Anything but an LLMError is a fault of ours, logged here with its traceback."""
    if not isinstance(error, LLMError):
        log.error("the extraction failed unexpectedly", exc_info=error)
        error = InternalExtractionError(
            f"the extraction failed unexpectedly ({type(error).__name__}); see the service log"
        )
    error.usage = usage
    error.attempts = error.attempts or usage.llm_calls
    return error


async def extract_claims(
    client: instructor.AsyncInstructor,
    article: ArticleInput,
    schema: ExtractionSchema,
    settings: Settings,
) -> ExtractionResult:
    """Run one extraction over the whole article. Raises LLMError with usage attached.

    The whole extraction runs under the time its calls may take at most (budget.time_limit_s),
    so a run ends, and its lease stops being renewed, even if something waits forever.
    """
    started = time.perf_counter()
    chunks = split_text(
        article.text,
        token_budget=settings.chunk_token_budget,
        overlap_tokens=settings.chunk_overlap_tokens,
    )
    limit = asyncio.Semaphore(settings.llm_max_concurrency)
    time_limit_s = budget.time_limit_s(len(chunks), settings)
    deadline = asyncio.timeout(time_limit_s)

    async def bounded(chunk: Chunk) -> tuple[list[GroundedClaim], list[Rejection]]:
        async with limit:
            return await _extract_chunk(client, chunk, article, schema, settings)

    with track_usage() as usage:
        try:
            async with deadline:
                if len(chunks) == 1:  # most articles: no tasks to make
                    parts = [await _extract_chunk(client, chunks[0], article, schema, settings)]
                else:
                    # A TaskGroup cancels the other chunks as soon as one fails: no paid
                    # calls for a run that is already lost.
                    async with asyncio.TaskGroup() as group:
                        tasks = [group.create_task(bounded(c)) for c in chunks]
                    parts = [t.result() for t in tasks]
        except TimeoutError as error:
            if not deadline.expired():
                raise _ending(error, usage) from error
            late = LLMTimeoutError(
                f"the extraction took longer than its {len(chunks)} chunk(s) may, retries "
                f"and FACTDIFF_LLM_DEADLINE_S included ({time_limit_s:g} s)"
            )
            raise _ending(late, usage) from None
        except ExceptionGroup as group_error:
            raise _ending(group_error.exceptions[0], usage) from None
        except Exception as error:
            raise _ending(error, usage) from error
    claims, rejected = _merge(parts)
    return ExtractionResult(
        claims=claims,
        rejected=rejected,
        usage=usage,
        chunks=len(chunks),
        latency_ms=(time.perf_counter() - started) * 1000,
    )
