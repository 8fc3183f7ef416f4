"""Per-article consumption limits, checked before any LLM call.

Pure: it splits and renders the article exactly as the pipeline will, and counts.

- LLM calls: chunks × attempts, where attempts = 1 + ``llm_validation_retries`` (the first ask
  and each re-ask, what a run records as ``llm_calls``). Network retries of the SDK
  (``llm_max_retries``) repeat a call that got no answer and are not counted here.
- Input tokens: each chunk's request (instructions, response schema, chunk text), estimated
  at four characters a token, once per attempt. A re-ask also carries the earlier answer,
  which the output limit bounds.
- Output tokens: ``llm_max_output_tokens`` is sent as ``max_tokens`` on every call, so an
  article can produce at most its LLM calls × that many.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from datetime import datetime
from functools import cache

from app.core.config import Settings
from app.extract.chunking import CHARS_PER_TOKEN, split_text
from app.extract.prompting import ArticleInput, render_messages
from schemas import ExtractionSchema

# The longest wait before a request the SDK allows itself (a Retry-After it honours) and room
# for the client-side rate limits (FACTDIFF_LLM_RPM, FACTDIFF_LLM_TPM) to let it go.
WAIT_BEFORE_REQUEST_S = 60.0


@dataclass(frozen=True)
class ArticleBudget:
    chunks: int
    attempts: int
    input_tokens_per_pass: int  # every chunk's request once

    @property
    def llm_calls(self) -> int:
        return self.chunks * self.attempts

    @property
    def input_tokens(self) -> int:
        return self.input_tokens_per_pass * self.attempts


@cache
def _schema_chars(schema: ExtractionSchema) -> int:
    return len(json.dumps(schema.response_model.model_json_schema()))


def estimate_budget(
    text: str,
    schema: ExtractionSchema,
    settings: Settings,
    *,
    title: str | None = None,
    outlet: str | None = None,
    published_at: datetime | None = None,
) -> ArticleBudget:
    chunks = split_text(
        text,
        token_budget=settings.chunk_token_budget,
        overlap_tokens=settings.chunk_overlap_tokens,
    )
    chars = 0
    for chunk in chunks:
        messages = render_messages(
            schema.prompt, ArticleInput(chunk.text, title, outlet, published_at)
        )
        chars += sum(len(m["content"]) for m in messages) + _schema_chars(schema)
    return ArticleBudget(
        chunks=len(chunks),
        attempts=1 + settings.llm_validation_retries,
        input_tokens_per_pass=max(1, chars // CHARS_PER_TOKEN),
    )


def over_limit(budget: ArticleBudget, settings: Settings) -> str | None:
    """Why the article may not be sent to the LLM, or None when it is within every limit."""
    shape = f"{budget.chunks} chunk(s) × {budget.attempts} attempt(s)"
    if budget.llm_calls > settings.max_llm_calls_per_article:
        return (
            f"article needs up to {budget.llm_calls} LLM calls ({shape}); the limit is "
            f"{settings.max_llm_calls_per_article} (FACTDIFF_MAX_LLM_CALLS_PER_ARTICLE)"
        )
    if budget.input_tokens > settings.max_input_tokens_per_article:
        return (
            f"article needs up to {budget.input_tokens} input tokens ({shape}); the limit is "
            f"{settings.max_input_tokens_per_article} (FACTDIFF_MAX_INPUT_TOKENS_PER_ARTICLE)"
        )
    return None


def refusal(
    text: str,
    schema: ExtractionSchema,
    settings: Settings,
    *,
    title: str | None = None,
    outlet: str | None = None,
    published_at: datetime | None = None,
) -> str | None:
    """The message refusing this article, or None when it may be extracted."""
    budget = estimate_budget(
        text, schema, settings, title=title, outlet=outlet, published_at=published_at
    )
    return over_limit(budget, settings)


def time_limit_s(chunks: int, settings: Settings) -> float:
    """The longest an extraction of ``chunks`` chunks may take when every call is as slow as
    its deadline allows: each chunk's attempts and their network retries one after another,
    ``llm_max_concurrency`` chunks at a time."""
    rounds = math.ceil(chunks / settings.llm_max_concurrency)
    requests = (1 + settings.llm_validation_retries) * (1 + settings.llm_max_retries)
    return rounds * requests * (settings.llm_deadline + WAIT_BEFORE_REQUEST_S)
