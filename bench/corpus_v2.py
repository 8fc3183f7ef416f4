"""Synthetic news claims shaped like news_claims@v2's: each with its canonical fact fields.

Every claim names its fact kind from the schema's vocabulary (schemas/news_claims_v2.py), its
object entity (the place a deployment went to, the country a vote was held in), the kind of
unit its figure counts and whether that figure is an event or a state, as v2's prompt asks the
model to. Kinds come in a spread like a general news desk's: many claims with no figure
(statements, who leads what), then deployments, casualties, money, arrests, votes, prices.

Like bench.diff_bench.corpus: 300 entities drawn Zipf-like (a few are in many articles), 40
facts each, every article reporting 12-18 of its entities' facts in its own words, some vaguer
("about", "over"), some with a conflicting figure or a date a day off. But its entities' names
share no word: "Org 12" and "Org 40" share "Org", which v2's alignment takes for one actor
named two ways (as "Kenya" and "Kenyan police" are).
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from app.diff.types import DiffClaim
from bench.diff_bench import CAUSES, DAY0, MISSIONS, reported
from bench.diff_bench import PLACES as DIFF_PLACES
from schemas.news_claims_v2 import Aspect, FactKind, UnitKind


@dataclass(frozen=True)
class Kind:
    fact_kind: FactKind
    claim_type: str
    predicate: str
    unit: str | None  # None: a claim without a figure
    unit_kind: UnitKind | None
    aspect: Aspect | None
    base: float | None  # the figure's order of magnitude
    share: float  # how often an entity's fact is of this kind
    about_place: bool  # the place is the claim's object entity
    phrasings: tuple[str, ...]  # {e} entity, {n} figure, {p} place, {m} mission, {c} cause, {d} day


P, CUR, PCT = UnitKind.persons, UnitKind.currency, UnitKind.percent
EV, ST = Aspect.event, Aspect.state
KINDS: tuple[Kind, ...] = (
    Kind(FactKind.other, "statement", "said", None, None, None, None, 0.14, True, (
        "{e} said it will not step back from the {m} in {p}.",
        "{e} reiterated its commitment to the {m} in {p}.")),
    Kind(FactKind.other, "status", "leads", None, None, None, None, 0.08, True, (
        "{e} leads the {m} in {p}.", "{e} is in charge of the {m} in {p}.")),
    Kind(FactKind.other, "event", "approved", None, None, None, None, 0.06, True, (
        "{e} approved the {m} for {p} on {d}.", "The {m} for {p} was approved by {e} on {d}.")),
    Kind(FactKind.deployment, "event", "deployed", "officers", P, EV, 250, 0.08, True, (
        "{e} deployed {n} additional police officers to {p} on {d}.",
        "A new contingent of {n} officers from {e} arrived in {p} on {d}.")),
    Kind(FactKind.casualties, "event", "killed", "people", P, EV, 40, 0.08, True, (
        "{c} in {p} killed {n} people on {d}, according to {e}.",
        "{e} said {n} people died in {p} on {d} as a result of {c}.")),
    Kind(FactKind.funding, "event", "gave", "USD", CUR, EV, 3e8, 0.07, True, (
        "{e} gave {n} dollars to the {m} in {p} on {d}.",
        "{e} released {n} USD for the {m} in {p} on {d}.")),
    Kind(FactKind.pledge, "pledge", "pledged", "personnel", P, ST, 1000, 0.06, True, (
        "{e} has pledged {n} personnel in total to the {m} in {p}.",
        "{e} promised {n} officers in all for the {m} in {p}.")),
    Kind(FactKind.displacement, "quantity", "has displaced", "people", P, ST, 1e6, 0.05, True, (
        "{c} in {p} has displaced {n} people, according to {e}.",
        "{e} says {n} people were driven from their homes in {p} by {c}.")),
    Kind(FactKind.economic_indicator, "quantity", "reported inflation of", "percent", PCT, ST,
         6, 0.05, False, (
        "{e} reported annual inflation of {n} percent in {p}.",
        "Prices in {p} rose {n} percent over the year, {e} said.")),
    Kind(FactKind.arrest, "event", "arrested", "people", P, EV, 120, 0.05, True, (
        "{e} arrested {n} people in {p} on {d}.",
        "{n} people were detained in {p} by {e} on {d}.")),
    Kind(FactKind.price, "quantity", "paid", "EUR", CUR, ST, 4e7, 0.04, False, (
        "{e} paid a fee of {n} euros for the transfer.",
        "The transfer cost {e} {n} EUR, the club said.")),
    Kind(FactKind.vote_share, "quantity", "won", "percent", PCT, ST, 35, 0.04, True, (
        "{e} won {n} percent of the vote in {p}.",
        "{e} took {n}% of the ballots cast in {p}.")),
    Kind(FactKind.legal_outcome, "event", "was sentenced to", "years", UnitKind.duration, EV, 8,
         0.04, True, (
        "A court in {p} sentenced the former head of {e} to {n} years on {d}.",
        "The former head of {e} was jailed for {n} years in {p} on {d}.")),
    Kind(FactKind.participation, "event", "went on strike", "workers", P, EV, 8000, 0.04, True, (
        "{n} workers of {e} went on strike in {p} on {d}.",
        "Some {n} staff walked out at {e} sites in {p} on {d}.")),
    Kind(FactKind.infections, "quantity", "counts", "cases", P, ST, 5000, 0.03, True, (
        "{e} has recorded {n} cases of cholera in {p}.",
        "Cholera cases in {p} reached {n}, {e} said.")),
    Kind(FactKind.turnout, "quantity", "reported turnout of", "percent", PCT, ST, 60, 0.02, True, (
        "{e} put turnout in {p} at {n} percent.",
        "{n}% of voters in {p} cast a ballot, {e} said.")),
    Kind(FactKind.control_of_territory, "status", "controls", "percent", PCT, ST, 40, 0.02, True, (
        "{e} controls {n} percent of {p}.", "{n}% of {p} is held by {e}.")),
    Kind(FactKind.damage, "event", "destroyed", "buildings", UnitKind.count, EV, 300, 0.02, True, (
        "{c} destroyed {n} buildings in {p} on {d}, {e} said.",
        "{e} counted {n} buildings lost in {p} to {c} on {d}.")),
)  # fmt: skip


def entity_names(count: int, seed: int = 3) -> list[str]:
    """``count`` made-up one-word names of seven letters: distinct, so none is another's stem."""
    rng = random.Random(seed)
    names: dict[str, None] = {}
    while len(names) < count:
        letters = [rng.choice("bdfgklmnprstvz" if i % 2 == 0 else "aeiou") for i in range(7)]
        names["".join(letters).title()] = None
    return list(names)


ENTITIES = entity_names(300)
# The places facts are about (their object entity): a news desk covers more than a handful, and
# with few, every entity's pledge to one place would be a report of one pledge.
PLACES = [*DIFF_PLACES, *(n for n in entity_names(360, seed=5) if n not in ENTITIES)][:60]


@dataclass(frozen=True)
class FactSpec:
    entity: str
    kind: Kind
    place: str
    mission: str
    cause: str
    value: float | None
    day: date | None


def fact_spec(rng: random.Random, entity: str, kind: Kind) -> FactSpec:
    value = None if kind.base is None else round(kind.base * rng.uniform(0.5, 2.0))
    day = DAY0 - timedelta(days=rng.randrange(0, 400)) if "{d}" in kind.phrasings[0] else None
    return FactSpec(entity, kind, rng.choice(PLACES), rng.choice(MISSIONS), rng.choice(CAUSES),
                    value, day)  # fmt: skip


def make_claim(rng: random.Random, fact: FactSpec, claim_id: int, article_id: int) -> DiffClaim:
    """One outlet's report of a fact: paraphrased, sometimes vaguer, sometimes wrong."""
    kind = fact.kind
    value, qualifier, day = reported(rng, fact.value, fact.day)
    text = rng.choice(kind.phrasings).format(
        e=fact.entity, n="some" if value is None else f"{int(value):,}", p=fact.place,
        m=fact.mission, c=fact.cause, d=day.strftime("%d %B %Y") if day else "",
    )  # fmt: skip
    counted = value is not None
    return DiffClaim(
        id=claim_id, article_id=article_id, run_id=article_id, outlet=f"Outlet {article_id % 97}",
        published_at=datetime(2025, 1, 18, tzinfo=UTC), statement=text,
        claim_type=kind.claim_type, subject=fact.entity.casefold(), subject_type="organization",
        predicate=kind.predicate, object=f"the {fact.mission} in {fact.place}", value=value,
        unit=kind.unit if counted else None, qualifier=qualifier if counted else None,
        time_text=day.strftime("%d %B") if day else None, time_start=day, time_end=day,
        location=fact.place, attribution=rng.choice([None, None, "officials", "Reuters"]),
        modality=rng.choice(["asserted", "asserted", "reported"]), quote=text[:60],
        char_start=0, char_end=min(60, len(text)), fact_kind=kind.fact_kind.value,
        object_entity=fact.place.casefold() if kind.about_place else None,
        unit_kind=kind.unit_kind.value if counted and kind.unit_kind else None,
        aspect=kind.aspect.value if counted and kind.aspect else None,
    )  # fmt: skip


def corpus_v2(rng: random.Random, articles: int) -> Iterator[DiffClaim]:
    """The claims of ``articles`` articles, article by article (a million claims need not be
    held at once); an article states each fact once."""
    names = ENTITIES
    weights = [1 / (rank + 1) ** 0.8 for rank in range(len(names))]  # Zipf-like popularity
    shares = [k.share for k in KINDS]
    facts = {e: [fact_spec(rng, e, k) for k in rng.choices(KINDS, shares, k=40)] for e in names}
    claim_id = 0
    for article in range(articles):
        chosen = rng.choices(names, weights=weights, k=rng.randint(2, 5))
        stated: set[FactSpec] = set()
        for i in range(rng.randint(12, 18)):
            fact = rng.choice(facts[chosen[i % len(chosen)]])
            claim = make_claim(rng, fact, claim_id, article)
            if fact not in stated:
                stated.add(fact)
                claim_id += 1
                yield claim
