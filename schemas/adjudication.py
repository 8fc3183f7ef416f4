"""The adjudicator's answer: whether two claims from two articles state one fact (issue 13).

The diff leaves some pairs undecided (app.diff.align); with FACTDIFF_ADJUDICATOR=llm each is
put to the model with this as its response schema. The descriptions are sent to the model.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field, field_validator

from schemas.base import StrictModel


class PairRelation(StrEnum):
    agree = "agree"
    conflict = "conflict"
    refines = "refines"
    updates = "updates"


class PairVerdict(StrictModel):
    """Whether claims A and B state the same fact, how they relate, and why, in one line."""

    same_fact: bool = Field(
        description="true when A and B report the same fact: the same actor, the same kind of "
        "figure or event, the same place and time (or the same changing quantity at two "
        "times). false when they are two different facts, however alike their words or "
        "figures (inflation and core inflation, arrivals and a running total)."
    )
    relation: PairRelation = Field(
        description="How B relates to A if they are the same fact: agree (the same value), "
        "conflict (values or details that cannot both be true), refines (one states it more "
        "precisely), updates (a later value of a changing quantity). When same_fact is false, "
        "the relation they would have: it is not used."
    )
    reason: str = Field(
        min_length=1,
        max_length=200,
        description="One line, at most 200 characters: what decided it, naming the field "
        "(figure, measure, actor, time, place).",
    )

    @field_validator("reason")
    @classmethod
    def one_line(cls, value: str) -> str:
        if "\n" in value or "\r" in value:
            raise ValueError("reason must be one line, without line breaks")
        return value
