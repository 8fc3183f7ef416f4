"""news_claims v2: every checkable claim, with canonical fact fields (issue 13).

The model sees one article at a time, so two articles' claims about one fact meet only if
each names the fact in the same canonical terms: what kind of fact it is (a controlled
vocabulary), the canonical entities it is about, what kind of unit its figure counts, and
whether the figure is an event (happened at a time) or a state (true as of a time). The
descriptions below are sent to the model as part of the schema.
"""

from __future__ import annotations

import re
from enum import StrEnum

from pydantic import Field, model_validator

from schemas.base import Entity, ExtractedClaim, Quantity, StrictModel
from schemas.registry import ExtractionSchema


class FactKind(StrEnum):
    deployment = "deployment"  # personnel sent to or stationed in a place
    pledge = "pledge"  # a promise of personnel, money or action not yet delivered
    funding = "funding"  # money given, approved or spent
    displacement = "displacement"  # people forced from their homes
    casualties = "casualties"  # people killed or injured
    infections = "infections"  # people infected, ill or tested positive
    control_of_territory = "control_of_territory"  # area or share held by a group
    arrest = "arrest"  # people detained or arrested
    legal_outcome = "legal_outcome"  # charges, verdicts, sentences, fines
    vote_share = "vote_share"  # share or count of votes for a candidate or party
    turnout = "turnout"  # share of voters who voted
    price = "price"  # a price, fee or cost of a thing, transfer fees included
    economic_indicator = "economic_indicator"  # inflation, growth, unemployment, rates, output
    participation = "participation"  # people taking part: strikers, protesters
    damage = "damage"  # property destroyed or its cost
    other = "other"


class UnitKind(StrEnum):
    persons = "persons"
    currency = "currency"
    percent = "percent"
    area = "area"
    duration = "duration"
    # things that are not people; the member shadows str.count, which no caller uses on it
    count = "count"  # type: ignore[assignment]
    other = "other"


class Aspect(StrEnum):
    event = "event"
    state = "state"


_ISO_4217 = re.compile(r"[A-Z]{3}")


class QuantityV2(Quantity):
    unit_kind: UnitKind = Field(
        description="What kind of thing the number counts: persons (people of any role: "
        "officers, troops, voters, strikers, victims); currency (money: `unit` is then the "
        "ISO 4217 code, 'USD', 'EUR'); percent (a share or rate: `value` in percent points, "
        "41.5 for 41.5%, and percentage points too); area; duration (days, weeks, years); "
        "count (things that are not people: ships, buildings, countries, votes); other."
    )
    aspect: Aspect = Field(
        description="event: the number happened at a time ('217 officers arrived on "
        "Saturday', '23 people were killed on Sunday'). state: the number is true as of a "
        "time and may change later: a running total, a share, a level, a price ('the "
        "contingent now totals over 600', 'unemployment stood at 7%', 'the death toll rose "
        "to 87'). For a state, `time` is the time it is true as of."
    )

    @model_validator(mode="after")
    def currency_code(self) -> QuantityV2:
        if self.unit_kind is UnitKind.currency and not _ISO_4217.fullmatch(self.unit):
            raise ValueError(
                f"a currency amount's unit must be an ISO 4217 code such as USD, not {self.unit!r}"
            )
        return self


class ExtractedClaimV2(ExtractedClaim):
    """One checkable fact stated in the article, named in canonical terms."""

    fact_kind: FactKind = Field(
        description="What kind of fact the claim states, from this list; the same fact "
        "gets the same kind in any article, however it is worded. deployment: personnel "
        "sent to or stationed in a place. pledge: a promise of personnel, money or action "
        "not yet delivered. funding: money given, approved or spent. displacement: people "
        "forced from their homes. casualties: people killed or injured. infections: people "
        "infected, ill or tested positive. control_of_territory: area or share held by a "
        "group. arrest: people detained or arrested. legal_outcome: charges, verdicts, "
        "sentences, fines. vote_share: share or count of votes for a candidate or party. "
        "turnout: share of voters who voted. price: a price, fee or cost of a thing, transfer "
        "fees included. economic_indicator: inflation, growth, unemployment, rates, output. "
        "participation: people taking part (strikers, protesters). damage: property "
        "destroyed or its cost. other: none of these."
    )
    object_entity: Entity | None = Field(
        default=None,
        description="The canonical entity the claim is about besides its subject, when its "
        "object is one: Kenya deployed officers to Haiti -> Haiti; the union demands a raise "
        "from Halvard Terminals -> Halvard Terminals. Null when the object is not an entity.",
    )
    quantity: QuantityV2 | None = Field(
        default=None, description="The main number of the claim, if it has one."
    )


class ClaimSetV2(StrictModel):
    """Every checkable factual claim in the article."""

    claims: list[ExtractedClaimV2] = Field(default_factory=list, max_length=200)


NEWS_CLAIMS_V2 = ExtractionSchema(
    name="news_claims",
    version="v2",
    description="Every checkable factual claim, with canonical fact fields (fact kind, "
    "object entity, unit kind, event or state) so claims from different articles align.",
    response_model=ClaimSetV2,
    prompt="extract_claims/v2",
)
