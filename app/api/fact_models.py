"""Response bodies of one stored fact: its sources, timeline, audit and the facts to check."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from app.api import diff_examples
from app.api.diff_models import FactPublic
from app.diff.ledger import Fact
from app.services.related_facts import FactToCheck
from app.store.models import UTCDateTime


class TimelinePoint(BaseModel):
    """One source's value of a fact, placed at its time (as-of time, or publication date)."""

    model_config = ConfigDict(json_schema_extra={"examples": [diff_examples.TIMELINE[0]]})

    date: date | None
    value: str
    outlet: str
    claim_id: int


class FactAuditPublic(BaseModel):
    model_config = ConfigDict(
        from_attributes=True, json_schema_extra={"examples": [diff_examples.FACT_AUDIT]}
    )

    id: int
    fact_id: int
    action: str = Field(description="merged (other_fact_id moved in) or split (claim_id moved out)")
    other_fact_id: int | None
    claim_id: int | None
    actor: str
    reason: str
    created_at: UTCDateTime


class FactToCheckPublic(BaseModel):
    """Another fact that may be this one: a curator checks it, and merges it if it is."""

    model_config = ConfigDict(json_schema_extra={"examples": [diff_examples.TO_CHECK]})

    id: int = Field(description="The other fact's id: merge it with POST /facts/{id}/merge")
    label: str = Field(description="The other fact's first claim: subject · predicate · object")
    score: float = Field(
        description="The best mean score, 0-1, of a claim of one fact against the other's first "
        "claims, as a new claim is scored against a fact; under the threshold a claim needs "
        "to join a fact, by at most the band the diff offers undecided pairs in"
    )
    relation: str = Field(
        description="How the best pair of the two relates: agree, conflict, refines or updates"
    )
    explanation: str = Field(description="The best pair's explanation, as the diff gives it")
    why: str = Field(description="Why the fact is offered to check, one line")

    @classmethod
    def of(cls, found: FactToCheck) -> FactToCheckPublic:
        r = found.related
        return cls(
            id=r.fact_id,
            label=found.label,
            score=round(r.score, 3),
            relation=r.relation.value,
            explanation=r.explanation,
            why=r.why,
        )


class FactDetailPublic(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [diff_examples.FACT_DETAIL]})

    fact: FactPublic
    timeline: list[TimelinePoint]
    audit: list[FactAuditPublic]
    to_check: list[FactToCheckPublic] = Field(
        description="Other facts that may be the same fact, best first, at most 5: each scored "
        "under the threshold for joining this fact, but near it. Facts a curator split apart "
        "from this one are not offered."
    )

    @classmethod
    def of(
        cls, fact: Fact, audit: list[Any], to_check: Sequence[FactToCheck] = ()
    ) -> FactDetailPublic:
        points = [
            {
                "date": s.claim.time_start
                or (s.claim.published_at.date() if s.claim.published_at else None),
                "value": s.value,
                "outlet": s.outlet,
                "claim_id": s.claim.id,
            }
            for s in fact.fact_sources()
        ]
        points.sort(key=lambda p: (p["date"] is None, p["date"] or date.min, p["claim_id"]))
        return cls.model_validate(
            {
                "fact": FactPublic.fields(fact),
                "timeline": points,
                "audit": [FactAuditPublic.model_validate(a) for a in audit],
                "to_check": [FactToCheckPublic.of(t) for t in to_check],
            }
        )
