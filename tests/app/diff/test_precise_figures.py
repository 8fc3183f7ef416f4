"""One precise figure on both sides makes a pair the scores alone would only offer to check
(app.diff.structured.same_precise_figure): eval/dev's tuition protest, varied wording, where
"Fourteen protesters were arrested" and "Fourteen people were detained" share few words."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.diff import align, structured
from app.diff.align import DEFAULT_THRESHOLD, Relation, diff_claims
from app.diff.bridges import relation_reason
from app.diff.evaluation import gold_diff_claims
from app.diff.features import features
from app.diff.ledger import build_ledger
from app.diff.scoring import score_features
from app.diff.types import DiffClaim
from app.diff.undecided import why

EVAL = Path(__file__).resolve().parents[3] / "eval"
ARRESTED = "Fourteen protesters were arrested after paint was thrown at the ministry."
DETAINED = "Fourteen people were detained after the ministry's doors were daubed with paint."


def story(name: str, wording: str = "varied") -> dict[str, list[DiffClaim]]:
    data = json.loads((EVAL / "dev" / f"{name}.json").read_text("utf-8"))
    return {key: [c for _, c in rows] for key, rows in gold_diff_claims(data, wording).items()}


def test_fourteen_arrests_worded_apart_are_one_fact() -> None:
    claims = story("tuition-protest-aldmoor")
    (pair,) = [p for p in diff_claims(claims["a"], claims["b"]).pairs if p.left.value == 14]
    assert (pair.left.statement, pair.right.statement) == (ARRESTED, DETAINED)
    assert (pair.relation, pair.score) == (Relation.agree, DEFAULT_THRESHOLD)
    assert pair.scored_without_figure is not None
    assert round(pair.scored_without_figure, 3) == 0.642
    assert pair.explanation.startswith(
        "paired by one precise figure on both sides, the rest scoring 0.64: figure decides: "
        "14 protesters vs 14 persons: same count"
    )
    assert relation_reason(pair).startswith("figure decides: 14 protesters vs 14 persons")


def test_without_the_rule_the_arrests_are_only_offered(monkeypatch: pytest.MonkeyPatch) -> None:
    claims = story("tuition-protest-aldmoor")
    monkeypatch.setattr(structured, "PRECISE_DIGITS", 10**9)
    result = diff_claims(claims["a"], claims["b"])
    assert [p for p in result.pairs if p.left.value == 14] == []
    (offer,) = [p for p in result.undecided if p.left.value == 14]
    assert why(offer) == "They scored 0.64, under the 0.65 a pair needs."


def test_a_figure_of_one_digit_is_left_to_check() -> None:
    # "a contract running five years" / "a five-year deal": 5 is met by chance too often (a
    # third try and a third mission are two facts of one launch story).
    claims = story("transfer-quintela")
    result = diff_claims(claims["b"], claims["c"])
    assert all(p.scored_without_figure is None for p in result.pairs)
    (offer,) = [p for p in result.undecided if p.left.value == p.right.value == 5]
    assert round(offer.score, 3) == 0.649
    assert [p for p in result.pairs if p.left.value == 5] == []


def test_one_figure_of_two_facts_pairs_each_claim_with_its_own_fact() -> None:
    # 19 patients still in hospital (Brannock's article) and 19 new cases (the later one),
    # both the health department's in the canonical wording: the figure lifts them to the
    # threshold, and the patients pair first with the later count in hospital.
    claims = story("measles-carrow-brannock", "canonical")
    (patients,) = [c for c in claims["b"] if c.value == 19]
    (cases,) = [c for c in claims["c"] if c.value == 19]
    assert score_features(features(patients), features(cases)) == DEFAULT_THRESHOLD
    pairs = diff_claims(claims["b"], claims["c"]).pairs
    (pair,) = [p for p in pairs if patients in (p.left, p.right)]
    assert (pair.relation, pair.right.value) == (Relation.updates, 11)
    assert [p for p in pairs if cases in (p.left, p.right)] == []


def test_a_tie_by_a_mention_alone_is_not_lifted() -> None:
    # In the varied wording the same two claims name "Carrow" in their sentences, not a
    # common actor: one precise figure and a place word are two coincidences, not one fact.
    claims = story("measles-carrow-brannock")
    (patients,) = [c for c in claims["b"] if c.value == 19]
    (cases,) = [c for c in claims["c"] if c.value == 19]
    a, b = features(patients), features(cases)
    assert structured.entity_ties(a, b)[0] == 0.0 < structured.entity_ties(a, b)[1]
    assert round(score_features(a, b), 2) == 0.23
    assert structured.scored_without_figure(a, b) is None


def test_a_reservoir_and_the_leaks_at_31_percent_stay_apart() -> None:
    # The drought story (written blind to the rule, and the reason for the name tie): the
    # Lowmoor reservoir at 31 percent of capacity and Ostmere Water's 31 percent lost to leaks
    # meet only through "Ostmere" in a sentence. The leaks go to their own conflict instead:
    # 18 percent by the company, 31 by the growers' union, offered to check at 0.62.
    claims = story("drought-rationing-ostmere", "canonical")
    result = diff_claims(claims["b"], claims["c"])
    assert [p for p in result.pairs if 31 in (p.left.value, p.right.value)] == []
    (offer,) = result.undecided
    assert (offer.left.value, offer.right.value, offer.relation) == (18, 31, Relation.conflict)
    assert why(offer) == "They scored 0.62, under the 0.65 a pair needs."


def test_one_figure_in_two_places_that_differ_is_not_lifted() -> None:
    # Across two stories: the Department of Health's 151 measles infections in Carrow county
    # and the Ministry of Health's 151 marsh fever cases in Glenmire County tie by "Health".
    (infections,) = [c for c in story("measles-carrow-brannock")["b"] if c.value == 151]
    (cases,) = [c for c in story("outbreak-marsh-fever-counties")["b"] if c.value == 151]
    a, b = features(infections), features(cases)
    assert structured.entity_ties(a, b)[0] > 0.0
    assert (infections.location, cases.location) == ("Carrow county", "Glenmire County")
    assert structured.scored_without_figure(a, b) is None
    assert round(score_features(a, b), 3) == 0.633


def test_the_ledger_files_the_three_outlets_arrests_as_one_fact() -> None:
    claims = story("tuition-protest-aldmoor")
    every = [c for key in sorted(claims) for c in claims[key]]
    (fact,) = [f for f in build_ledger(every) if any(c.value == 14 for c in f.sources)]
    assert sorted((c.outlet, c.value) for c in fact.sources) == [
        ("Aldmoor Evening Post", 14),
        ("Corvia Press Association", 14),
        ("Corvian Standard", 14),
    ]


@pytest.mark.parametrize(
    ("value", "digits"),
    [(14, 2), (1_200, 2), (20_000, 1), (61.4, 3), (2.5e9, 2), (9_250, 3), (0.5, 1), (0, 0)],
)
def test_significant_digits_are_those_a_reporter_wrote(value: float, digits: int) -> None:
    assert structured.significant_digits(value) == digits


def test_the_rule_lifts_from_the_floor_an_offer_to_check_needs() -> None:
    # structured cannot import align (align imports it): the two floors are kept equal here.
    assert pytest.approx(align.DEFAULT_THRESHOLD - align.UNDECIDED_BAND) == structured.PRECISE_FLOOR
