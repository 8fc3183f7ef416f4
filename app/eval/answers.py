"""What the evaluation reads of the service's answers, checked where it enters.

Only the fields the figures use are required; anything else (v2 fields such as fact_kind
included) is kept as the service sent it, so a newer service's claims still score.
"""

from __future__ import annotations

from typing import Any, TypeVar

import httpx
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from app.core.validation_errors import error_line


class _Answer(BaseModel):
    model_config = ConfigDict(extra="allow")


class Ref(_Answer):
    id: int


class RunAnswer(_Answer):
    id: int
    status: str
    llm_calls: int = Field(default=0, ge=0)
    prompt_tokens: int = Field(default=0, ge=0)
    completion_tokens: int = Field(default=0, ge=0)
    error_reason: str | None = None
    error: str | None = None


class Extraction(_Answer):
    article: Ref
    run: RunAnswer
    reused: bool = False


class ArticleAnswer(_Answer):
    text: str


class Evidence(_Answer):
    char_start: int = Field(ge=0)
    char_end: int = Field(ge=0)


class QuantityAnswer(_Answer):
    value: float


class SubjectAnswer(_Answer):
    name: str


class ClaimAnswer(_Answer):
    id: int
    run_id: int | None = None
    statement: str
    subject: SubjectAnswer | None = None
    quantity: QuantityAnswer | None = None
    fact_kind: str | None = None  # news_claims@v2 and later
    evidence: Evidence


class ClaimsAnswer(_Answer):
    data: list[ClaimAnswer]


class Rejection(_Answer):
    reason: str
    payload: dict[str, Any] = Field(default_factory=dict)


class RejectionsAnswer(_Answer):
    data: list[Rejection]


class PairAnswer(_Answer):
    left: Ref
    right: Ref
    relation: str
    explanation: str = ""
    linked_by: Ref | None = None  # the third source's claim, when one made the pair


class DiffAnswer(_Answer):
    pairs: list[PairAnswer]
    undecided: list[PairAnswer] = Field(default_factory=list)  # offered to check, not made


class Health(_Answer):
    model: str | None = None
    llm_mode: str | None = None


Model = TypeVar("Model", bound=BaseModel)


class UnexpectedAnswerError(ValueError):
    pass


def read(model: type[Model], response: httpx.Response, what: str) -> Model:
    """The response's JSON as ``model``; UnexpectedAnswerError saying what did not fit."""
    try:
        return model.model_validate_json(response.content)
    except ValidationError as exc:
        first = error_line(exc.errors()[0], top="body")
        raise UnexpectedAnswerError(f"{what}: unexpected answer: {first}") from exc
