"""One undecided pair put to the LLM: its prompt, its content hash, and the typed call.

The prompt (prompts/adjudicate_pair/v1) shows both claims as JSON between delimiter lines, the
articles' words as data. The claims are put in an order of their content, not of the diff's
sides, so a pair and its mirror (diff(b, a)) are one question with one answer and one hash.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
from dataclasses import dataclass
from typing import Any

import instructor
import openai
from instructor.core.exceptions import IncompleteOutputException, InstructorRetryException

from app.core.config import Settings
from app.diff.types import DiffClaim, Pair
from app.extract.budget import time_limit_s
from app.extract.prompting import render_chat
from app.llm.client import LLMError, LLMOutputError, LLMTimeoutError, translate_api_error
from app.llm.errors import error_behind
from schemas.adjudication import PairVerdict

PROMPT = "adjudicate_pair/v1"
# A verdict is a bool, a word and a line of at most 200 characters.
MAX_OUTPUT_TOKENS = 300


@dataclass(frozen=True)
class Adjudicator:
    """The configured LLM client and settings, for FACTDIFF_ADJUDICATOR=llm."""

    llm: instructor.AsyncInstructor
    settings: Settings

    @property
    def model(self) -> str:
        return self.settings.llm_model


def claim_content(c: DiffClaim) -> dict[str, Any]:
    """What the prompt shows of a claim, and so what its verdict depends on."""
    figure = None
    if c.value is not None:
        figure = {"value": c.value, "unit": c.unit, "qualifier": c.qualifier or "exact"}
    time = None
    if c.time_text or c.time_start:
        time = {
            "text": c.time_text,
            "start": c.time_start.isoformat() if c.time_start else None,
            "end": c.time_end.isoformat() if c.time_end else None,
        }
    return {
        "outlet": c.outlet,
        "published": c.published_at.date().isoformat() if c.published_at else None,
        "statement": c.statement,
        "quote": c.quote,
        "subject": c.subject,
        "predicate": c.predicate,
        "object": c.object,
        "object_entity": c.object_entity,
        "figure": figure,
        "time": time,
        "location": c.location,
        "attribution": c.attribution,
        "modality": c.modality,
        "fact_kind": c.fact_kind,
        "unit_kind": c.unit_kind,
        "aspect": c.aspect,
    }


def _canonical(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def pair_contents(pair: Pair) -> list[dict[str, Any]]:
    """Both claims' contents, in an order of their own (the same for a pair's mirror)."""
    return sorted((claim_content(pair.left), claim_content(pair.right)), key=_canonical)


def pair_hash(pair: Pair, model: str) -> str:
    """The verdict's key: both claims' contents, the model, and the prompt's version."""
    key = {"claims": pair_contents(pair), "model": model, "prompt": PROMPT}
    return hashlib.sha256(_canonical(key).encode()).hexdigest()


def pair_messages(contents: list[dict[str, Any]]) -> list[dict[str, str]]:
    """The chat messages asking about two claims' contents (pair_contents)."""
    a, b = (json.dumps(c, ensure_ascii=False, indent=2) for c in contents)
    delimiter = hashlib.sha256(f"{a}\n{b}".encode()).hexdigest()[:12]
    return render_chat(PROMPT, {"delimiter": delimiter, "claim_a": a, "claim_b": b})


async def ask(adjudicator: Adjudicator, pair: Pair) -> PairVerdict:
    """The model's verdict on ``pair``; LLMError when none could be had, with why."""
    return await ask_contents(adjudicator, pair_contents(pair))


async def ask_contents(adjudicator: Adjudicator, contents: list[dict[str, Any]]) -> PairVerdict:
    """The model's verdict on two claims' contents (``factdiff fixtures stamp`` asks so)."""
    settings = adjudicator.settings
    limit = time_limit_s(1, settings)  # one request's attempts and network retries
    try:
        async with asyncio.timeout(limit):
            verdict: PairVerdict = await adjudicator.llm.create(
                model=settings.llm_model,
                messages=pair_messages(contents),  # type: ignore[arg-type]
                response_model=PairVerdict,
                max_retries=settings.llm_validation_retries,
                temperature=settings.llm_temperature,
                max_tokens=MAX_OUTPUT_TOKENS,
            )
    except TimeoutError as exc:
        raise LLMTimeoutError(f"no verdict within {limit:g} s") from exc
    except InstructorRetryException as exc:
        if isinstance(cause := error_behind(exc), LLMError):
            raise cause from exc
        if cause is not None:
            raise translate_api_error(cause, mode=settings.instructor_mode) from exc
        raise LLMOutputError(
            f"the model's verdict did not fit the schema after {exc.n_attempts} attempt(s)",
            attempts=exc.n_attempts,
        ) from exc
    except openai.OpenAIError as exc:
        raise translate_api_error(exc, mode=settings.instructor_mode) from exc
    except IncompleteOutputException as exc:
        raise LLMOutputError("the model's verdict was cut off (finish_reason=length)") from exc
    return verdict
