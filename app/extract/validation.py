"""Validate extracted claims against the article: ground each quote, check its numbers.

The same check runs twice: inside instructor, as a validator on the response model, so a
failing claim is sent back to the model with the reason (a bounded re-ask); and afterwards,
claim by claim, to keep what is grounded and set aside the rest as rejected claims.
"""

from __future__ import annotations

import functools
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import instructor
from pydantic import BaseModel, create_model, model_validator

from app.extract.dates import resolve_time
from app.extract.grounding import Span, format_number, locate_quote, quantity_in_evidence
from schemas import ExtractedClaim, ExtractionSchema, TimeRef


@dataclass(frozen=True)
class GroundingContext:
    text: str
    published_at: datetime | None
    fuzzy_threshold: float
    # Outcomes by claim object: the validator inside instructor grounds each claim of an
    # answer, and split_grounded then sorts the same objects without grounding them again.
    outcomes: dict[int, tuple[ExtractedClaim, GroundedClaim | Rejection]] = field(
        default_factory=dict, compare=False, repr=False
    )

    def ground(self, claim: ExtractedClaim) -> GroundedClaim | Rejection:
        # Keyed by id() and holding the claim itself, so an id is never reused while kept.
        known = self.outcomes.get(id(claim))
        if known is not None and known[0] is claim:
            return known[1]
        outcome = ground_claim(claim, self)
        self.outcomes[id(claim)] = (claim, outcome)
        return outcome


@dataclass(frozen=True)
class GroundedClaim:
    claim: ExtractedClaim
    span: Span  # offsets into the text it was grounded in

    def shifted(self, offset: int) -> GroundedClaim:
        span = Span(
            self.span.start + offset, self.span.end + offset, self.span.kind, self.span.score
        )
        return GroundedClaim(claim=self.claim, span=span)


@dataclass(frozen=True)
class Rejection:
    payload: dict[str, Any]  # the claim as the model gave it
    reason: str


def _short(text: str, limit: int = 120) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def ground_claim(claim: ExtractedClaim, ctx: GroundingContext) -> GroundedClaim | Rejection:
    span = locate_quote(claim.evidence, ctx.text, fuzzy_threshold=ctx.fuzzy_threshold)
    if span is None:
        return Rejection(
            claim.model_dump(mode="json"),
            f"evidence quote not found in the article: {_short(claim.evidence)!r}",
        )
    if claim.quantity is not None:
        # The number must be in the passage as it stands in the article, not merely in the
        # model's (possibly fuzzy-matched) rendering of it.
        passage = ctx.text[span.start : span.end]
        if not quantity_in_evidence(claim.quantity.value, passage):
            return Rejection(
                claim.model_dump(mode="json"),
                f"quantity {format_number(claim.quantity.value)} does not appear in its evidence: "
                f"{_short(passage)!r}",
            )
    return GroundedClaim(claim=resolve_claim_time(claim, ctx.published_at), span=span)


def resolve_claim_time(claim: ExtractedClaim, published_at: date | None) -> ExtractedClaim:
    """Resolve the time words ourselves; keep the model's dates where we cannot, or where they
    are the coming reading of the same words."""
    if claim.time is None:
        return claim
    resolved = resolve_time(claim.time.text, published_at)
    if resolved is None:
        return claim
    # "on Thursday" or "in June" may name the last one or the coming one; the model read the
    # sentence's tense, so its dates stand when they are the coming one the words name.
    given = claim.time.start
    if given is not None and given > resolved.end:  # dateparser is slow: only when it may be
        coming = resolve_time(claim.time.text, published_at, prefer="future")
        if coming is not None and given == coming.start and claim.time.end in {None, coming.end}:
            resolved = coming
    time = TimeRef(text=claim.time.text, start=resolved.start, end=resolved.end)
    return claim.model_copy(update={"time": time})


# What the validator grounds against. Not instructor's ``context=``: instructor also renders
# every message as a Jinja template with it, and an article is data, not a template (its
# braces would be evaluated, or fail the call). Each chunk's task sets its own value.
grounding_context: ContextVar[GroundingContext | None] = ContextVar(
    "factdiff_grounding_context", default=None
)


@functools.cache
def grounded_model(schema: ExtractionSchema) -> type[BaseModel]:
    """The schema's response model plus a validator that grounds every claim.

    Same class name, so the tool the model sees is unchanged; the grounding rule lives here,
    not in schemas/, which must not depend on the app.
    """
    base = schema.response_model

    def check(model: BaseModel) -> BaseModel:
        ctx = grounding_context.get()
        if ctx is None:
            return model
        problems = [
            f"claim {index}: {outcome.reason}"
            for index, claim in enumerate(getattr(model, "claims", []))
            if isinstance(outcome := ctx.ground(claim), Rejection)
        ]
        if problems:
            raise ValueError(
                "Some claims are not supported by the article text. Copy each evidence passage "
                "character for character from the article, and make each quantity match the "
                "number in its evidence, or drop the claim. " + "; ".join(problems)
            )
        return model

    validator = model_validator(mode="after")(check)
    model: type[BaseModel] = create_model(
        base.__name__,
        # instructor wraps any model that is not a ResponseSchema in a new class on every
        # call, and so derives its JSON Schema afresh every time: costlier than the rest of
        # a request. Built as one here, once, its schema is derived once.
        __base__=(base, instructor.ResponseSchema),
        __module__=base.__module__,
        __doc__=base.__doc__,
        __validators__={"grounded": validator},  # type: ignore[dict-item]
    )
    return model


def split_grounded(
    claims: list[ExtractedClaim], ctx: GroundingContext
) -> tuple[list[GroundedClaim], list[Rejection]]:
    kept: list[GroundedClaim] = []
    rejected: list[Rejection] = []
    for claim in claims:
        outcome = ctx.ground(claim)
        if isinstance(outcome, GroundedClaim):
            kept.append(outcome)
        else:
            rejected.append(outcome)
    return kept, rejected
