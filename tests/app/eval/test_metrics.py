"""The evaluation's figures on small hand-made gold and predicted sets, with exact numbers."""

from __future__ import annotations

import pytest

from app.eval.metrics import (
    Counts,
    GoldClaim,
    GoldPair,
    PredictedPair,
    StoredClaim,
    match_claims,
    score_pairs,
)


def gold(cid: str, start: int, end: int, value: float | None, **fields: str) -> GoldClaim:
    return GoldClaim(id=cid, spans=((start, end),), value=value, **fields)


def stored(sid: int, start: int, end: int, value: float | None, **fields: str) -> StoredClaim:
    return StoredClaim(id=sid, span=(start, end), value=value, **fields)


def test_a_claim_matches_by_overlapping_evidence_and_equal_value() -> None:
    golds = [gold("a1", 0, 40, 217), gold("a2", 50, 90, None)]
    found = match_claims(
        golds,
        [
            stored(1, 10, 30, 217.0),  # inside a1's evidence, same value
            stored(2, 60, 120, None),  # overlaps a2, no value on either side
        ],
    )
    assert found == {1: "a1", 2: "a2"}


def test_no_match_on_another_value_no_overlap_or_another_fact_kind() -> None:
    golds = [gold("a1", 0, 40, 217, fact_kind="deployment")]
    assert match_claims(golds, [stored(1, 0, 40, 270)]) == {}  # the figure differs
    assert match_claims(golds, [stored(2, 40, 80, 217)]) == {}  # evidence touches, no overlap
    assert match_claims(golds, [stored(3, 0, 40, None)]) == {}  # the number was lost
    wrong_kind = stored(4, 0, 40, 217, fact_kind="pledge")
    assert match_claims(golds, [wrong_kind]) == {}
    # A v1 claim has no fact kind: evidence and value decide.
    assert match_claims(golds, [stored(5, 0, 40, 217)]) == {5: "a1"}


def test_matching_is_one_to_one_best_overlap_first() -> None:
    golds = [gold("g1", 0, 100, 5), gold("g2", 90, 200, 5)]
    found = match_claims(
        golds,
        [
            stored(1, 95, 200, 5),  # mostly g2, a little of g1
            stored(2, 0, 90, 5),  # g1 only
            stored(3, 0, 100, 5),  # g1 exactly: takes g1 from claim 2
        ],
    )
    assert found == {3: "g1", 1: "g2"}


def test_the_subject_breaks_a_tie_between_equal_overlaps() -> None:
    golds = [gold("g1", 0, 50, None, subject="Kenya"), gold("g2", 0, 50, None, subject="Haiti")]
    found = match_claims(golds, [stored(1, 0, 50, None, subject="haiti")])
    assert found == {1: "g2"}


def test_evidence_that_stands_twice_matches_either_place() -> None:
    golds = [GoldClaim(id="g", spans=((0, 10), (200, 210)), value=3)]
    assert match_claims(golds, [stored(7, 205, 215, 3)]) == {7: "g"}


def test_pairs_scored_through_the_claim_match() -> None:
    matched = {1: "a1", 2: "b1", 3: "a2", 4: "b2", 5: "a3"}
    outcome = score_pairs(
        [
            GoldPair("a1", "b1", "agree"),
            GoldPair("b2", "a2", "conflict"),  # gold lists it right to left
            GoldPair("a4", "b4", "updates"),
        ],
        [
            PredictedPair(1, 2, "agree"),  # right pair, right relation
            PredictedPair(3, 4, "agree", "40 ≈ 44"),  # right pair, wrong relation
            PredictedPair(5, 9, "conflict"),  # 9 matches no gold claim: a false pair
        ],
        matched,
    )
    counts = outcome.counts
    assert (counts.gold_pairs, counts.predicted_pairs, counts.aligned_pairs) == (3, 3, 2)
    assert counts.right_relations == 1
    figures = counts.figures()
    assert figures["alignment_precision"] == pytest.approx(2 / 3)
    assert figures["alignment_recall"] == pytest.approx(2 / 3)
    assert figures["relation_accuracy"] == 0.5
    assert figures["conflict_precision"] == 0.0  # the one conflict it called is not one
    assert figures["conflict_recall"] == 0.0  # the one real conflict was called agree
    assert outcome.missed == [GoldPair("a4", "b4", "updates")]
    assert [(g.relation, p.relation) for g, p in outcome.wrong] == [("conflict", "agree")]
    assert [(p.left, p.right, gl, gr) for p, gl, gr in outcome.false] == [(5, 9, "a3", None)]
    matrix = counts.confusion_matrix()
    assert list(matrix) == ["agree", "conflict", "refines", "updates", "none"]
    assert matrix["agree"]["agree"] == 1
    assert matrix["conflict"]["agree"] == 1
    assert matrix["updates"]["none"] == 1
    assert matrix["none"]["conflict"] == 1
    assert sum(n for row in matrix.values() for n in row.values()) == 4


def test_a_missed_pair_offered_to_check_is_seen_but_not_counted_as_made() -> None:
    matched = {1: "a1", 2: "b1", 3: "a2", 4: "b2", 5: "a3", 6: "b3"}
    gold = [GoldPair("a1", "b1", "agree"), GoldPair("a2", "b2", "updates")]
    outcome = score_pairs(
        gold,
        [PredictedPair(1, 2, "agree")],
        matched,
        offered=[PredictedPair(4, 3, "updates"), PredictedPair(5, 6, "conflict")],
    )
    counts = outcome.counts
    assert (counts.predicted_pairs, counts.aligned_pairs) == (1, 1)
    assert (counts.offered_pairs, counts.offered_gold_pairs) == (2, 1)
    assert outcome.missed == outcome.offered == [GoldPair("a2", "b2", "updates")]
    figures = counts.figures()
    assert figures["alignment_recall"] == 0.5
    assert figures["recall_with_offered"] == 1.0
    assert figures["offered_precision"] == 0.5
    # An offered pair is no prediction: no false pair, no conflict called.
    assert outcome.false == [] and figures["conflict_precision"] is None


def test_a_gold_pair_found_twice_counts_once() -> None:
    # Two stored claims matched to one gold claim cannot happen through match_claims, but a
    # diff that pairs the same two gold claims twice (via two articles' sides) must not score
    # twice: the second is a false pair.
    outcome = score_pairs(
        [GoldPair("a1", "b1", "conflict")],
        [PredictedPair(1, 2, "conflict"), PredictedPair(3, 2, "conflict")],
        {1: "a1", 2: "b1", 3: "a1"},
    )
    assert outcome.counts.aligned_pairs == 1
    assert outcome.counts.figures()["conflict_precision"] == 0.5


def test_a_relation_gold_does_not_know_gets_its_own_column() -> None:
    outcome = score_pairs(
        [GoldPair("a", "b", "agree")], [PredictedPair(1, 2, "duplicate")], {1: "a", 2: "b"}
    )
    matrix = outcome.counts.confusion_matrix()
    assert list(matrix["agree"]) == ["agree", "conflict", "refines", "updates", "duplicate", "none"]
    assert matrix["agree"]["duplicate"] == 1


def test_figures_add_up_across_articles_and_say_none_when_nothing_is_measured() -> None:
    first = Counts(gold_claims=10, stored_claims=8, matched_claims=6, rejected_claims=2,
                   articles=2, llm_calls=3, prompt_tokens=1000, completion_tokens=501)  # fmt: skip
    second = Counts(gold_claims=5, stored_claims=4, matched_claims=4, articles=1, llm_calls=1,
                    prompt_tokens=400, completion_tokens=100)  # fmt: skip
    first.add(second)
    figures = first.figures()
    assert figures["claim_precision"] == 10 / 12
    assert figures["claim_recall"] == 10 / 15
    assert figures["grounding_rate"] == 12 / 14
    assert figures["llm_calls_per_article"] == pytest.approx(1.3)
    assert figures["tokens_per_article"] == pytest.approx(667.0)
    for name in ("alignment_precision", "alignment_recall", "relation_accuracy",
                 "conflict_precision", "conflict_recall"):  # fmt: skip
        assert figures[name] is None
    assert Counts().figures()["claim_precision"] is None


def test_pairs_a_third_source_made_are_counted_apart() -> None:
    matched = {1: "a1", 2: "b1", 3: "a2", 4: "b2", 5: "a3", 6: "b3"}
    gold = [GoldPair("a1", "b1", "agree"), GoldPair("a2", "b2", "refines")]
    outcome = score_pairs(
        gold,
        [
            PredictedPair(1, 2, "agree"),
            PredictedPair(3, 4, "refines", linked=True),
            PredictedPair(5, 6, "conflict", linked=True),
        ],
        matched,
    )
    counts = outcome.counts
    assert (counts.predicted_pairs, counts.aligned_pairs) == (3, 2)
    assert (counts.linked_pairs, counts.linked_gold_pairs) == (2, 1)
    assert counts.figures()["alignment_recall"] == 1.0
