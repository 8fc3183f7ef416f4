"""Shared vocabulary of every extraction schema: the fields a stored claim always has.

Field descriptions are sent to the model as part of the tool / JSON schema, so they are
written as instructions to it.
"""

from __future__ import annotations

import math
from datetime import date
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator


class ClaimType(StrEnum):
    event = "event"
    quantity = "quantity"
    statement = "statement"  # a quote or a position someone states
    pledge = "pledge"  # a pledge, plan or commitment
    status = "status"  # a state of affairs
    other = "other"


class EntityType(StrEnum):
    person = "person"
    organization = "organization"
    country = "country"
    government = "government"
    location = "location"
    group = "group"
    event = "event"
    other = "other"


class Qualifier(StrEnum):
    exact = "exact"
    over = "over"
    under = "under"
    about = "about"
    at_least = "at_least"
    up_to = "up_to"


class Modality(StrEnum):
    asserted = "asserted"  # the article states it in its own voice
    reported = "reported"  # the article attributes it to someone
    expected = "expected"  # hedged, forecast, planned
    denied = "denied"  # someone denies it


class StrictModel(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Entity(StrictModel):
    name: str = Field(
        min_length=1,
        max_length=200,
        description="Canonical name of the entity, e.g. 'Kenya', 'Multinational Security "
        "Support mission', 'Kipchumba Murkomen'.",
    )
    type: EntityType = Field(description="Kind of entity.")
    mention: str | None = Field(
        default=None,
        max_length=200,
        description="The words the article uses for it when they differ from the canonical "
        "name, e.g. 'Nairobi' for the Kenyan government.",
    )


class Quantity(StrictModel):
    value: float = Field(
        description="The number as a plain number: 'over 3,100 troops' -> 3100; "
        "'$300 million' -> 300000000; 'one million' -> 1000000."
    )
    unit: str = Field(
        min_length=1,
        max_length=60,
        description="What is counted, plural noun ('officers', 'troops', 'people', "
        "'countries'), or an ISO 4217 currency code for money ('USD').",
    )
    qualifier: Qualifier = Field(
        default=Qualifier.exact,
        description="'over 3,100' -> over; 'nearly 20' / 'about' -> about; 'at least' -> "
        "at_least; 'up to' -> up_to; 'fewer than' -> under; a bare number -> exact.",
    )

    @field_validator("value")
    @classmethod
    def finite(cls, value: float) -> float:
        if not math.isfinite(value):
            raise ValueError("quantity value must be a finite number")
        return value


class TimeRef(StrictModel):
    text: str = Field(
        min_length=1,
        max_length=120,
        description="The time words exactly as written in the article: 'on Saturday', "
        "'Friday night', 'in June'.",
    )
    start: date | None = Field(
        default=None,
        description="First day the time words refer to, ISO date, resolved against the "
        "article's publication date.",
    )
    end: date | None = Field(
        default=None, description="Last day (inclusive); equal to start for a single day."
    )

    @model_validator(mode="after")
    def ordered(self) -> TimeRef:
        if self.start and self.end and self.end < self.start:
            raise ValueError("time.end is before time.start")
        return self


class ExtractedClaim(StrictModel):
    """One checkable fact stated in the article."""

    statement: str = Field(
        min_length=8,
        max_length=600,
        description="One self-contained sentence that states the fact and is understandable "
        "without the article: resolve pronouns and phrases like 'the mission' to names.",
    )
    claim_type: ClaimType
    subject: Entity = Field(description="Who or what the claim is about.")
    predicate: str = Field(
        min_length=1,
        max_length=120,
        description="Short verb phrase linking subject and object, e.g. 'deployed', 'pledged'.",
    )
    object: str | None = Field(
        default=None, max_length=300, description="What the predicate applies to, if any."
    )
    quantity: Quantity | None = Field(
        default=None, description="The main number of the claim, if it has one."
    )
    time: TimeRef | None = Field(default=None, description="When it happened or will happen.")
    location: str | None = Field(default=None, max_length=200)
    attribution: str | None = Field(
        default=None,
        max_length=200,
        description="Who says so, when the article attributes it: 'Reuters', 'Interior "
        "Minister Kipchumba Murkomen'. Null when the article asserts it itself.",
    )
    modality: Modality = Modality.asserted
    evidence: str = Field(
        min_length=3,
        max_length=1000,
        description="A verbatim quote from the article, copied character for character, "
        "that supports the claim, including the number if the claim has one.",
    )


class ClaimSet(StrictModel):
    """Every checkable factual claim in the article."""

    claims: list[ExtractedClaim] = Field(default_factory=list, max_length=200)
