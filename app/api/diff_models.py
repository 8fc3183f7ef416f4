"""Response bodies of the diff and the fact ledger."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from app.api import diff_examples
from app.api.models import QuantityPublic, TimePublic
from app.diff.align import DiffClaim, DiffResult
from app.diff.ledger import Fact
from app.diff.types import Pair
from app.diff.undecided import why
from app.store.models import UTCDateTime


class SpanPublic(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [diff_examples.SPAN]})

    quote: str = Field(description="The passage exactly as it stands in the article text.")
    char_start: int
    char_end: int


class CarrierPublic(BaseModel):
    """A publication of the claim's text: an outlet that carries it."""

    model_config = ConfigDict(json_schema_extra={"examples": [diff_examples.CARRIER]})

    id: int
    outlet: str | None
    url: str | None


class DiffClaimPublic(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [diff_examples.NAIROBI_LEDGER_270]})

    id: int
    article_id: int
    run_id: int | None
    outlet: str | None
    published_at: UTCDateTime | None
    statement: str
    claim_type: str
    subject: str = Field(description="Canonical subject, after the entity table's aliases.")
    predicate: str
    object: str | None
    quantity: QuantityPublic | None
    time: TimePublic | None
    location: str | None
    attribution: str | None
    modality: str
    evidence: SpanPublic
    publications: list[CarrierPublic] = Field(
        default_factory=list, description="Every outlet's publication of the claim's text."
    )

    @classmethod
    def of(cls, c: DiffClaim) -> DiffClaimPublic:
        return cls.model_validate(cls.fields(c))

    @staticmethod
    def fields(c: DiffClaim) -> dict[str, Any]:
        """The claim as plain data: a response of thousands of claims is validated in one
        pass, not a model (and three nested ones) at a time, five times slower."""
        quantity = None
        if c.value is not None:
            quantity = {"value": c.value, "unit": c.unit or "", "qualifier": c.qualifier or "exact"}
        time = (
            {"text": c.time_text, "start": c.time_start, "end": c.time_end} if c.time_text else None
        )
        return {
            "id": c.id,
            "article_id": c.article_id,
            "run_id": c.run_id,
            "outlet": c.outlet,
            "published_at": c.published_at,
            "statement": c.statement,
            "claim_type": c.claim_type,
            "subject": c.subject,
            "predicate": c.predicate,
            "object": c.object,
            "quantity": quantity,
            "time": time,
            "location": c.location,
            "attribution": c.attribution,
            "modality": c.modality,
            "evidence": {"quote": c.quote, "char_start": c.char_start, "char_end": c.char_end},
            "publications": [
                {"id": p.id, "outlet": p.outlet, "url": p.url} for p in c.publications
            ],
        }


class PairBase(BaseModel):
    relation: str = Field(
        description="agree, conflict, refines or updates (a later value of a changing figure)"
    )
    explanation: str
    score: float = Field(description="Alignment score, 0-1")
    left: DiffClaimPublic
    right: DiffClaimPublic

    @classmethod
    def pair_fields(cls, p: Pair) -> dict[str, Any]:
        return {
            "relation": p.relation.value,
            "explanation": p.explanation,
            "score": round(p.score, 3),
            "left": DiffClaimPublic.fields(p.left),
            "right": DiffClaimPublic.fields(p.right),
        }


class PairPublic(PairBase):
    model_config = ConfigDict(json_schema_extra={"examples": [diff_examples.PAIR]})

    linked_by: DiffClaimPublic | None = Field(
        default=None,
        description="The claim of a third article that matched both claims and so made a pair "
        "they scored too low to make alone (its explanation starts 'linked through'); null "
        "otherwise.",
    )

    story_pairs: int | None = Field(
        default=None,
        description="For two claims that name no entity in common, paired as their articles "
        "make this many other pairs (its explanation starts 'no entity named in common, "
        "paired as'); null otherwise.",
    )

    scored_without_figure: float | None = Field(
        default=None,
        description="For two claims that give one precise figure (two significant digits or "
        "more: 14, 1,200, 61.4) and were paired by it: what they scored without it, under the "
        "threshold (its explanation starts 'paired by one precise figure'); null otherwise.",
    )

    @classmethod
    def of(cls, p: Pair) -> PairPublic:
        linked_by = DiffClaimPublic.fields(p.linked_by) if p.linked_by else None
        alone = None if p.scored_without_figure is None else round(p.scored_without_figure, 3)
        extra = {"linked_by": linked_by, "story_pairs": p.story_pairs}
        return cls.model_validate(cls.pair_fields(p) | extra | {"scored_without_figure": alone})


class UndecidedPairPublic(PairBase):
    """Two claims that may be one fact but were not paired; not counted in the summary."""

    model_config = ConfigDict(json_schema_extra={"examples": [diff_examples.UNDECIDED]})

    why: str = Field(description="Why the pair is offered to check instead of made, one line.")


class DiffPublic(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [diff_examples.DIFF]})

    left: str
    right: str
    pairs: list[PairPublic]
    only_left: list[DiffClaimPublic]
    only_right: list[DiffClaimPublic]
    summary: dict[str, int]
    warnings: list[str] = Field(
        default_factory=list,
        description="A side with no successful extraction or no claims, said in words.",
    )
    undecided: list[UndecidedPairPublic] = Field(
        default_factory=list,
        description="Pairs that may be one fact but were not made (a conflict held back as "
        "ambiguous or as one between an event's figure and a state's, a pair scored under "
        "the threshold), each with why; not counted in the summary.",
    )

    @classmethod
    def of(
        cls, result: DiffResult, left: str, right: str, *, warnings: Sequence[str] = ()
    ) -> DiffPublic:
        return cls(
            left=left,
            right=right,
            pairs=[PairPublic.of(p) for p in result.pairs],
            only_left=[DiffClaimPublic.of(c) for c in result.only_left],
            only_right=[DiffClaimPublic.of(c) for c in result.only_right],
            summary=result.summary,
            warnings=list(warnings),
            undecided=[
                UndecidedPairPublic.model_validate(PairBase.pair_fields(p) | {"why": why(p)})
                for p in result.undecided
            ],
        )


class FactPublic(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [diff_examples.FACT]})

    id: int | None = Field(
        description="The stored fact (GET /facts/{id}); null for claims not yet assigned"
    )
    key: str
    subject: str
    claim_type: str
    headline: str
    status: str = Field(
        description="conflict, updates (values of a changing figure over time), consensus "
        "(2+ texts agree) or single (one text, however many outlets carry it)"
    )
    values: list[str]
    explanation: str
    source_count: int = Field(
        description="Outlets carrying the fact: wire copy carried by three outlets counts 3; "
        "an outlet carrying two texts that state it counts 1."
    )
    outlets: list[str] = Field(description="Those outlets, sorted.")
    article_count: int = Field(description="Distinct texts stating the fact.")
    publication_count: int = Field(description="Publications of those texts.")
    claim_count: int = Field(
        description="Claims stating the fact: each article's latest successful extraction, "
        "and claims curators added."
    )
    sources: list[DiffClaimPublic] = Field(
        description="In GET /facts, up to `sources` of the claims (10 unless asked, at most 25; "
        "the first of each value first); GET /facts/{id} lists them all."
    )

    @classmethod
    def of(cls, fact: Fact) -> FactPublic:
        return cls.model_validate(cls.fields(fact))

    @staticmethod
    def fields(fact: Fact) -> dict[str, Any]:
        return {
            "id": fact.id,
            "key": fact.key,
            "subject": fact.subject,
            "claim_type": fact.claim_type,
            "headline": fact.headline,
            "status": fact.status,
            "values": fact.values,
            "explanation": fact.explanation,
            "source_count": fact.source_count,
            "outlets": fact.outlets,
            "article_count": fact.article_count,
            "publication_count": fact.publication_count,
            "claim_count": fact.claim_count,
            "sources": [DiffClaimPublic.fields(c) for c in fact.sources],
        }


class FactsPublic(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [diff_examples.FACTS]})

    data: list[FactPublic]
    count: int
    date_from: date | None = None
    date_to: date | None = None
    warnings: list[str] = Field(
        default_factory=list,
        description="Articles left out for want of a successful extraction, said in words.",
    )

    @classmethod
    def of(
        cls,
        facts: Sequence[Fact],
        *,
        date_from: date | None,
        date_to: date | None,
        warnings: Sequence[str] = (),
    ) -> FactsPublic:
        return cls.model_validate(
            {
                "data": [FactPublic.fields(f) for f in facts],
                "count": len(facts),
                "date_from": date_from,
                "date_to": date_to,
                "warnings": list(warnings),
            }
        )
