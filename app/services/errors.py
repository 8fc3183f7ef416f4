"""Domain errors of the use cases: what went wrong, in words, and of which kind.

Each entry point maps a kind to its own form: app.api.errors to an HTTP status, the CLI to a
message and an exit code, a web page to a message in place. A use case never names a status.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any


class ErrorKind(StrEnum):
    invalid = "invalid"  # the request cannot be read: an unknown schema, a refused url
    not_found = "not_found"
    conflict = "conflict"  # the stored state no longer allows it: a claim already retracted
    too_large = "too_large"  # over a configured size or per-article LLM limit
    unsupported_media = "unsupported_media"  # a url serving neither HTML nor text
    unprocessable = "unprocessable"  # well-formed but unusable: no text, not grounded
    quota_exhausted = "quota_exhausted"  # a key's daily token budget is spent
    internal = "internal"  # a fault of the service's own (a bug), logged where it happened
    upstream_failed = "upstream_failed"  # the model's answer was unusable, a page unreachable
    unavailable = "unavailable"  # no LLM answer could be had


class ServiceError(Exception):
    """A use case refused or failed; ``detail`` is extra data an entry point may show."""

    def __init__(
        self,
        kind: ErrorKind,
        message: str,
        *,
        detail: dict[str, Any] | None = None,
        retry_after_s: int | None = None,
    ) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.detail = detail
        self.retry_after_s = retry_after_s
