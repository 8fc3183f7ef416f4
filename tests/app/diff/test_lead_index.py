"""The ledger skips facts whose leader a claim cannot reach (app.diff.lead_index): the skip must
be exact, and must skip something, or the index is only overhead."""

from __future__ import annotations

from dataclasses import replace

import pytest

from app.diff import clustering
from app.diff.align import DEFAULT_THRESHOLD, DiffClaim, features_of, score_features
from app.diff.clustering import assign_to_clusters
from app.diff.lead_index import LeadIndex
from app.diff.structured import PairMemo
from tests.app.diff.test_align import d
from tests.app.diff.test_canonical import v2
from tests.app.diff.test_ledger_match import dev_blocks


def test_every_leader_a_claim_can_reach_is_a_candidate_on_the_dev_split() -> None:
    skipped = 0
    for block in dev_blocks():
        index = LeadIndex()
        for k, lead in enumerate(block):
            index.add(k, lead)
        memo: PairMemo = {}
        for f in block:
            found = set(index.candidates(f, memo, DEFAULT_THRESHOLD))
            for k, lead in enumerate(block):
                if k not in found:
                    assert score_features(f, lead) < DEFAULT_THRESHOLD, (f.claim, lead.claim)
                    skipped += 1
    assert skipped > 1000


def tally(n: int, value: float) -> DiffClaim:
    return v2(
        id=n, article_id=n, statement=f"The ministry reported {value:,.0f} new cases in Lorvan.",
        subject="ministry of health", predicate="reported", object="new cases", value=value,
        unit="cases", fact_kind="casualties", unit_kind="count", aspect="event",
        location="Lorvan", time_text="on Monday", time_start=d("2026-03-02"),
        time_end=d("2026-03-02"), object_entity=None,
    )  # fmt: skip


def test_a_daily_tally_is_scored_only_against_leaders_with_figures_in_reach(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A hundred reports alike but for their figure, and a claim in other words ("confirmed
    1,000 infections"): it is scored against the leaders whose figure is near enough to 1,000
    only, and the stream clusters exactly as without the index."""
    values = [10.0 * 1.2**i for i in range(100)]  # 10 to 700 million
    block = features_of([tally(n, v) for n, v in enumerate(values)])
    index = LeadIndex()
    for k, lead in enumerate(block):
        index.add(k, lead)
    probe = features_of([replace(
        tally(1000, 1000.0), statement="Health officials confirmed 1,000 infections in Lorvan.",
        predicate="confirmed", object="infections", unit="infections",
    )])[0]  # fmt: skip
    found = index.candidates(probe, {}, DEFAULT_THRESHOLD)
    reached = [
        k for k, lead in enumerate(block) if score_features(probe, lead) >= DEFAULT_THRESHOLD
    ]
    assert reached and set(reached) <= set(found)
    assert len(found) < len(block) // 2
    assert values[found[0]] <= 1000.0 <= values[found[-1]]
    # Clustering the stream gives the same facts as scoring every leader does.
    stream = [*block, probe]
    with_index = assign_to_clusters(stream, [])
    monkeypatch.setattr(LeadIndex, "candidates", lambda self, f, memo, t: list(range(self.size)))
    assert assign_to_clusters(stream, []) == with_index


def test_facts_of_another_story_are_not_candidates() -> None:
    """One fact kind, two stories: a fire brigade's count of injured never meets a ministry's
    count of cases, so the ministry's claim is scored against none of the brigade's facts."""
    brigade = v2(
        id=7, article_id=7, statement="Ostrava fire brigade counted 40 injured after the blast.",
        subject="ostrava fire brigade", predicate="counted", object="injured", value=40,
        unit="injured", fact_kind="casualties", unit_kind="persons", aspect="event",
        location="Ostrava", object_entity=None,
    )  # fmt: skip
    index = LeadIndex()
    index.add(0, features_of([brigade])[0])
    index.add(1, features_of([tally(1, 900.0)])[0])
    assert index.candidates(features_of([tally(2, 1000.0)])[0], {}, DEFAULT_THRESHOLD) == [1]


def test_a_claim_asks_only_for_means_that_can_matter_and_clusters_the_same(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A claim takes one of its article's-size best clusters, so the rest are asked with a
    raised floor; the dev split clusters exactly as when every mean is computed in full."""
    blocks = dev_blocks()
    raised = [assign_to_clusters(block, []) for block in blocks]
    monkeypatch.setattr(clustering, "_floor", lambda best, size, threshold: threshold)
    assert [assign_to_clusters(block, []) for block in blocks] == raised
    assert sum(len(set(r)) < len(r) for r in raised) > 10  # blocks where claims share facts
