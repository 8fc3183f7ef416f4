"""The structured alignment model (app.diff.structured): its gates, its fitted weights, and the
rule that keeps an ambiguous pair from being shown as a conflict."""

from __future__ import annotations

from itertools import combinations, product
from typing import Any

import pytest

from app.diff import align, structured
from app.diff.align import Relation, diff_claims
from app.diff.evaluation import DiffScore, gold_diff_claims
from app.diff.features import features, features_of
from app.diff.undecided import why as undecided_why
from bench import fit_alignment
from bench.diff_eval import load
from tests.app.diff.test_align import d, unaligned
from tests.app.diff.test_canonical import STATE, v2


def picket_arrests(**fields: Any) -> dict[str, Any]:
    return {
        "statement": "Police detained 3 pickets at the terminal gate on Monday.",
        "claim_type": "event", "subject": "halvard police", "subject_type": "organization",
        "predicate": "detained", "object": "pickets", "object_entity": None, "value": 3,
        "unit": "pickets", "fact_kind": "arrest", "aspect": "event", "location": "Halvard",
        "time_text": "on Monday", "time_start": d("2026-04-13"), "time_end": d("2026-04-13"),
    } | fields  # fmt: skip


def test_events_further_apart_than_a_day_are_two_events() -> None:
    monday = v2(**picket_arrests())
    wednesday = v2(**picket_arrests(
        value=12, statement="Police arrested 12 pickets at the terminal on Wednesday.",
        predicate="arrested", time_text="on Wednesday", time_start=d("2026-04-15"),
        time_end=d("2026-04-15"),
    ))  # fmt: skip
    tuesday = v2(**picket_arrests(
        value=4, time_text="on Tuesday", time_start=d("2026-04-14"), time_end=d("2026-04-14"),
    ))  # fmt: skip
    assert structured.separate_events(features(monday), features(wednesday))
    assert unaligned(monday, wednesday)
    # A day apart is within one report's slack: the same arrests, and the figure decides.
    result = diff_claims([monday], [tuesday])
    assert [p.relation for p in result.pairs] == [Relation.conflict]


def withdrawals(value: float, time_text: str, start: str, end: str) -> dict[str, Any]:
    return {
        "statement": f"Savers took EUR {value:,.0f} out of Sorrel Bank {time_text}.",
        "claim_type": "event", "subject": "sorrel bank depositors", "subject_type": "group",
        "predicate": "withdrew", "object": "deposits", "object_entity": None, "value": value,
        "unit": "EUR", "unit_kind": "currency", "fact_kind": "other", "aspect": "event",
        "location": None, "time_text": time_text, "time_start": d(start), "time_end": d(end),
    }  # fmt: skip


def test_an_events_total_over_a_longer_time_is_not_one_of_its_parts() -> None:
    monday = v2(**withdrawals(400e6, "on Monday", "2027-03-08", "2027-03-08"))
    fortnight = v2(**withdrawals(1.9e9, "over the past fortnight", "2027-02-24", "2027-03-10"))
    early_week = v2(**withdrawals(400e6, "early this week", "2027-03-08", "2027-03-10"))
    more_this_week = v2(**withdrawals(550e6, "early this week", "2027-03-08", "2027-03-10"))

    assert structured.part_of_whole(features(monday), features(fortnight))
    assert unaligned(monday, fortnight)
    assert unaligned(early_week, fortnight)
    # Monday's withdrawal dated loosely by another outlet: one event, the figure decides.
    (same,) = diff_claims([monday], [early_week]).pairs
    assert same.relation is Relation.agree
    # Three days are a longer time than one: more over them may be a total, not a conflict.
    assert unaligned(monday, more_this_week)
    # A bound over the weekend holds the day's count: the wire's "more than 200" refines 217.
    saturday = v2()
    weekend = v2(value=200, qualifier="over", time_text="over the weekend",
                 time_start=d("2025-01-18"), time_end=d("2025-01-19"))  # fmt: skip
    assert not structured.part_of_whole(features(saturday), features(weekend))
    (wire,) = diff_claims([weekend], [saturday]).pairs
    assert wire.relation is Relation.refines


def test_the_weights_are_what_the_fit_on_dev_prints() -> None:
    data = fit_alignment.rows("dev")
    assert len(data) == 2861 and sum(y for _, y in data) == 440
    bias, weights = fit_alignment.model_of(
        fit_alignment.fit(data, l2=structured.FIT_L2), structured.FIT_THRESHOLD
    )
    assert round(bias, 4) == structured.BIAS
    # One list of names orders the fit's columns, the printed weights and the scoring.
    assert list(weights) == list(structured.WEIGHTS) == list(structured.SIGNALS)
    assert {k: round(w, 4) for k, w in weights.items()} == structured.WEIGHTS
    assert structured.Model.of(structured.BIAS, structured.WEIGHTS) == structured.MODEL


def _rates(precision: float, recall: float, conflicts: float) -> DiffScore:
    """A DiffScore with these rates, over 100 predicted and 100 gold pairs."""
    right = round(100 * precision)
    return DiffScore(gold=round(right / recall), predicted=100, aligned=right,
                     conflicts_predicted=10, conflicts_right=round(10 * conflicts))  # fmt: skip


def test_cross_validation_chooses_the_most_conservative_setting_within_a_pair_of_the_best() -> None:
    both = lambda s: {"canonical": s, "varied": s}  # noqa: E731
    grid = {
        (0.1, 0.2): both(_rates(0.94, 0.98, 0.9)),  # the best merit
        (0.1, 0.3): both(_rates(0.94, 0.97, 0.9)),  # one pair less: as good
        (1.0, 0.3): both(_rates(0.90, 0.97, 0.9)),  # four pairs worse: not
        (0.3, 0.5): both(_rates(0.97, 0.80, 0.9)),  # far worse recall
    }
    assert fit_alignment.merit(grid[(0.1, 0.2)]["canonical"]) == pytest.approx(
        3 / (1 / 0.94 + 1 / 0.98 + 1 / 0.9), abs=1e-3
    )
    assert fit_alignment.choose(grid) == (0.1, 0.3)
    # A false conflict costs as an alignment error does: precision of conflicts counts.
    grid[(0.1, 0.3)] = both(_rates(0.94, 0.97, 0.7))
    assert fit_alignment.choose(grid) == (0.1, 0.2)


def test_the_undecided_band_is_what_the_fit_on_dev_chooses() -> None:
    bands = fit_alignment.cross_validate_band(
        fit_alignment.fitted_stories(), structured.FIT_L2, structured.FIT_THRESHOLD
    )
    assert fit_alignment.choose_band(bands) == align.UNDECIDED_BAND == 0.5
    chosen = bands[align.UNDECIDED_BAND].values()
    assert (sum(s.offered for s in chosen), sum(s.offered_gold for s in chosen)) == (66, 35)


def test_the_undecided_band_is_the_widest_whose_offers_are_one_fact_at_least_half_the_time() -> (
    None
):
    def offers(canonical: tuple[int, int], varied: tuple[int, int]) -> dict[str, DiffScore]:
        return {w: DiffScore(offered=n, offered_gold=g)
                for w, (n, g) in (("canonical", canonical), ("varied", varied))}  # fmt: skip

    bands = {
        0.15: offers((4, 2), (10, 8)),  # 10 of 14
        0.3: offers((8, 3), (16, 10)),  # 13 of 24
        0.45: offers((10, 3), (20, 9)),  # 12 of 30: under half
        0.6: offers((10, 3), (22, 14)),  # 17 of 32: over half again, past a band under it
    }
    assert fit_alignment.choose_band(bands) == 0.3
    # When even the narrowest band offers mostly other facts, it is kept: the narrowest.
    assert (
        fit_alignment.choose_band({0.15: offers((4, 1), (4, 1)), 0.3: offers((8, 2), (8, 2))})
        == 0.15
    )


def test_a_bound_reported_early_fits_the_total_counted_later() -> None:
    # "At least 41 dead" on Monday and 128 deaths on Thursday: the qualifier admits the later
    # count, so the figures are as close as one changing total's can be.
    early = v2(**STATE, value=41, qualifier="at least", unit="dead", time_start=d("2026-06-08"),
               time_end=d("2026-06-08"))  # fmt: skip
    later = v2(**STATE, value=128, unit="deaths", time_start=d("2026-06-11"),
               time_end=d("2026-06-11"))  # fmt: skip
    fe, fl = features(early), features(later)
    assert structured.figure_closeness(fe, fl) == pytest.approx(41 / 128)
    assert structured.bounds_closeness(fe, fl) == 1.0
    assert structured.signals(fe, fl)["state_bounds"] == 1.0
    # Two hedged shares 5 points apart allow values 3 points apart (39-41 vs 44-46).
    share = dict(STATE, unit="percent", unit_kind="percent", qualifier="about")
    forty, forty_five = features(v2(**share, value=40)), features(v2(**share, value=45))
    assert structured.bounds_closeness(forty, forty_five) == pytest.approx(0.7)
    # Exact figures allow one value each: the bound is the figure.
    four, six = features(v2(**STATE, value=4)), features(v2(**STATE, value=6))
    assert structured.bounds_closeness(four, six) == pytest.approx(4 / 6)
    # Events do not use it: an event's figure is compared as stated.
    assert structured.signals(features(v2(value=41, qualifier="at least")),
                              features(v2(value=128)))["state_bounds"] == 0.0  # fmt: skip


def indicator(value: float, measure: str, **fields: Any) -> dict[str, Any]:
    return {
        "statement": f"Estmark's {measure} was {value} percent in March.",
        "claim_type": "quantity", "subject": "estmark", "subject_type": "country",
        "predicate": f"had {measure} of", "object": None, "object_entity": None,
        "value": value, "unit": "percent", "unit_kind": "percent",
        "fact_kind": "economic_indicator", "aspect": "state", "location": "Estmark",
        "time_text": "in March", "time_start": d("2026-03-01"), "time_end": d("2026-03-31"),
    } | fields  # fmt: skip


@pytest.mark.parametrize("rival_value", [3.3, 2.6])
def test_a_conflict_with_an_unpaired_rival_as_good_is_not_shown(rival_value: float) -> None:
    # One article gives inflation, the other two other indicators of the same month: whichever
    # the inflation figure pairs with, calling it a conflict would be a guess.
    inflation = v2(**indicator(3.4, "consumer price growth"))
    core = v2(**indicator(2.9, "underlying price growth"))
    wages = v2(**indicator(rival_value, "average pay growth"))
    result = diff_claims([inflation], [core, wages])
    assert not [p for p in result.pairs if p.relation is Relation.conflict]
    # Not dropped: offered to the reader as undecided, with why.
    [held] = result.undecided
    assert held.left is inflation and held.right in (core, wages)
    assert held.explanation.startswith(
        "held back, as another claim matches one side about as well: figure decides: 3.4 percent"
    )
    assert result.summary["conflict"] == 0 and result.summary["only_left"] == 1
    # Alone, the same two claims are a conflict: the rule is about the rival, not the pair.
    alone = diff_claims([inflation], [core])
    assert [p.relation for p in alone.pairs] == [Relation.conflict]


def test_one_stored_fact_pairs_its_claims_only_when_a_curator_merged_it() -> None:
    # Two indicators a clustering put in one fact: the diff still compares the claims; a
    # curator's merge is the one thing that pairs them whatever they score.
    inflation = v2(**indicator(3.4, "consumer price growth", fact_id=7))
    unemployment = v2(**indicator(5.8, "share of the workforce without a job", fact_id=7,
                                  fact_kind="other"))  # fmt: skip
    assert diff_claims([inflation], [unemployment]).pairs == []
    [merged] = diff_claims([inflation], [unemployment], merged_facts=frozenset({7})).pairs
    assert (merged.left, merged.right) == (inflation, unemployment)
    # A split keeps a claim apart from its old fact, but not from the claims still in it.
    other = v2(**indicator(3.4, "consumer price growth", fact_id=7))
    assert diff_claims([inflation], [other], split_facts=frozenset({7, 8})).pairs != []


def test_two_bare_statements_tied_only_by_their_town_do_not_pair() -> None:
    remark = {
        "claim_type": "statement", "object": None, "object_entity": None, "value": None,
        "unit": None, "unit_kind": None, "aspect": None, "fact_kind": "other",
        "location": "Orsa", "time_text": None, "time_start": None, "time_end": None,
        "predicate": "reported",
    }  # fmt: skip
    mayor = v2(
        **remark,
        subject="ines halvorsen",
        statement="Reported: the mayor of Orsa said detours would be signposted.",
    )
    ferry = v2(
        **remark,
        subject="sundline",
        statement="Reported: the ferry operator plans extra crossings from Orsa.",
    )
    assert unaligned(mayor, ferry)


def test_a_pair_scores_only_with_an_actor_tie_on_every_dev_pair() -> None:
    # The index of candidate facts relies on it: no tie by name or by mention, no score.
    scored = tied = 0
    for story in load("dev"):
        for wording in ("canonical", "varied"):
            claims = gold_diff_claims(story, wording)
            for left, right in combinations(sorted(claims), 2):
                lf = features_of([c for _, c in claims[left]])
                for a, b in product(lf, features_of([c for _, c in claims[right]])):
                    ties = structured._ties_if_open(a, b)
                    tied += ties is not None
                    if structured.score_structured(a, b) > 0.0:
                        scored += 1
                        assert ties is not None and max(ties) > 0.0
    assert 0 < scored < tied


def test_a_conflict_between_an_events_figure_and_a_states_is_offered_not_called() -> None:
    power = {
        "claim_type": "quantity", "subject": "merrow grid", "subject_type": "organization",
        "predicate": "households without power", "object": "households", "object_entity": None,
        "unit": "households", "unit_kind": "count", "fact_kind": "other", "location": "Merrow",
        "time_text": "on Monday", "time_start": d("2026-10-19"), "time_end": d("2026-10-19"),
    }  # fmt: skip
    without = v2(
        **power,
        aspect="state",
        value=410_000,
        statement="410,000 households in Merrow were without power on Monday.",
    )
    reconnected = v2(
        **power | {"predicate": "households reconnected"},
        aspect="event",
        value=315_000,
        statement="Merrow Grid reconnected 315,000 households since Monday.",
    )
    other_count = v2(
        **power | {"predicate": "households reconnected"},
        aspect="event",
        value=200_000,
        statement="Crews reconnected 200,000 households in Merrow on Monday.",
    )
    result = diff_claims([without], [reconnected])
    assert result.pairs == []
    (offered,) = result.undecided
    assert offered.relation is Relation.conflict
    assert offered.explanation.startswith(
        "held back, as one figure is an event's and the other a state's: "
    )
    assert undecided_why(offered).startswith("One figure counts what happened at a time")
    # Two events' figures that differ are still a conflict.
    (both_events,) = diff_claims([other_count], [reconnected]).pairs
    assert both_events.relation is Relation.conflict
