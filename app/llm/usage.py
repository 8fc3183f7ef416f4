"""Token usage of the LLM calls a run makes, collected per attempt across awaits."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any


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
        """Add one answer's usage; its figures are token counts (app.llm.answers)."""
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


def current_usage() -> Usage | None:
    return _current_usage.get()
