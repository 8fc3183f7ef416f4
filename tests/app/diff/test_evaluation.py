"""app.diff.evaluation: the diff scored against gold stories, and the seed story's targets."""

from __future__ import annotations

import json
from itertools import combinations
from pathlib import Path
from typing import Any

import pytest

from app.diff.align import diff_claims
from app.diff.evaluation import gold_diff_claims, score_ledger, score_story

EVAL = Path(__file__).resolve().parents[3] / "eval"


def seed() -> dict[str, Any]:
    story: dict[str, Any] = json.loads((EVAL / "dev" / "kenya-haiti.json").read_text("utf-8"))
    return story


def predicted(story: dict[str, Any], wording: str) -> dict[frozenset[str], str]:
    claims = gold_diff_claims(story, wording)
    out = {}
    for left, right in combinations(sorted(claims), 2):
        ids = {c.id: gid for gid, c in (*claims[left], *claims[right])}
        result = diff_claims([c for _, c in claims[left]], [c for _, c in claims[right]])
        for pair in result.pairs:
            out[frozenset((ids[pair.left.id], ids[pair.right.id]))] = pair.relation.value
    return out


@pytest.mark.parametrize("wording", ["canonical", "varied"])
def test_seed_story_217_vs_270_is_a_conflict_in_both_wordings(wording: str) -> None:
    pairs = predicted(seed(), wording)
    assert pairs[frozenset(("a1", "b1"))] == "conflict"
    assert pairs[frozenset(("c1", "b1"))] == "refines"  # departure vs arrival: no date conflict


def test_seed_story_totals_over_time_are_updates() -> None:
    assert predicted(seed(), "canonical")[frozenset(("b2", "a4"))] == "updates"


def test_scores_count_pairs_relations_and_conflicts() -> None:
    story = seed()
    canonical = score_story(story, "canonical")
    assert (canonical.gold, canonical.predicted, canonical.aligned) == (10, 10, 10)
    assert canonical.relation_right == 10 and canonical.conflicts_right == 1
    assert canonical.misses == []
    # Without the canonical fields (as v1 claims), the words "first contingent" and "in total"
    # keep the two totals apart: the update is missed, the rest is found.
    v1 = score_story(story, "canonical", v1=True)
    assert (v1.gold, v1.predicted, v1.aligned) == (10, 9, 9)
    assert v1.misses == ["kenya-haiti canonical a4~b2: not aligned"]
    assert v1.recall == pytest.approx(0.9)


def test_a_gold_pair_scored_under_the_threshold_is_offered_to_check() -> None:
    # Worded apart ("Kenya now has more than 600 police deployed in Haiti" / "Kenya sent an
    # initial group of 400 police to Haiti in June 2024"), the two totals score 0.22: not made,
    # but offered to check, the only pair offered, so a reader sees every gold pair.
    varied = score_story(seed(), "varied")
    assert (varied.gold, varied.aligned) == (10, 9)
    assert varied.misses == ["kenya-haiti varied a4~b2: not aligned (offered to check)"]
    assert (varied.offered, varied.offered_gold) == (1, 1)
    assert varied.recall == pytest.approx(0.9)
    assert varied.recall_with_offered == 1.0 and varied.offered_precision == 1.0


@pytest.mark.parametrize("wording", ["canonical", "varied"])
def test_the_seed_story_ledger_has_every_gold_pair_and_one_backed_conflict(wording: str) -> None:
    ledger = score_ledger(seed(), wording)
    # In the varied wording the four other contributing countries and the two remarks on
    # continued U.S. support pair by their quotes' words; the two totals ("an initial group
    # of 400 ... in June 2024" / "more than 600 now") share little but "officers", and do not.
    expected_pairs = {"canonical": (10, 10, 10), "varied": (10, 9, 9)}[wording]
    assert (ledger.gold, ledger.made, ledger.right) == expected_pairs
    assert (ledger.conflict_facts, ledger.unbacked_conflicts) == (1, 0)
    # As v1 claims, clustered by their words, the varied wording loses most facts, the
    # deployment conflict among them; the canonical wording keeps the two totals apart.
    v1 = score_ledger(seed(), wording, v1=True)
    expected = {"canonical": (9, 1), "varied": (3, 0)}[wording]
    assert (v1.right, v1.conflict_facts) == expected


def test_the_ledger_offers_the_two_totals_it_keeps_apart_to_check() -> None:
    # Worded apart, the totals are two facts; each is the other's only fact to check, so a
    # curator sees every gold pair: nine in one fact, the tenth between two offered facts.
    varied = score_ledger(seed(), "varied")
    assert (varied.right, varied.offered, varied.offered_gold) == (9, 1, 1)
    assert varied.recall == pytest.approx(0.9) and varied.recall_with_offered == 1.0
    # In the canonical wording every gold pair is in one fact and nothing needs offering.
    canonical = score_ledger(seed(), "canonical")
    assert (canonical.right, canonical.offered, canonical.offered_gold) == (10, 0, 0)
    # As v1 claims the canonical wording keeps the totals apart and does not offer them.
    v1 = score_ledger(seed(), "canonical", v1=True)
    assert (v1.right, v1.offered_gold) == (9, 0) and v1.recall_with_offered == pytest.approx(0.9)


def test_pairs_a_third_source_links_are_counted_apart() -> None:
    bank = json.loads((EVAL / "dev" / "bank-collapse-sorrel.json").read_text("utf-8"))
    alone = score_story(bank, "varied", third_sources=False)
    linked = score_story(bank, "varied")
    # The frozen accounts (b3~c5, 41,300 and about 41,000), offered alone, made through the
    # Ambrel Herald's "over 40,000": gold.
    assert (alone.aligned, alone.offered, alone.offered_gold) == (12, 3, 3)
    assert (linked.aligned, linked.offered, linked.offered_gold) == (13, 2, 2)
    assert (linked.linked, linked.linked_gold) == (1, 1)
    story = json.loads((EVAL / "dev" / "layoffs-brightwell.json").read_text("utf-8"))
    # In the canonical wording, severance and health cover (b4~c4) both match a4: not gold.
    canonical = score_story(story, "canonical")
    assert (canonical.linked, canonical.linked_gold, canonical.predicted) == (1, 0, 12)
    assert "layoffs-brightwell canonical b4~c4: false pair (updates, 0.61)" in canonical.misses
