"""A claim's match with a fact's exemplars asks the scorer only for what the mean still needs
(app.diff.ledger._match): it must decide, and score, exactly as the plain mean does."""

from __future__ import annotations

import json
from itertools import islice
from pathlib import Path

from app.diff.align import DEFAULT_THRESHOLD, Features, features_of, score_features
from app.diff.clustering import EXEMPLARS, _match
from app.diff.evaluation import gold_diff_claims, without_canonical_fields
from app.diff.ledger import block_key
from app.diff.relations import mixed_conflict
from app.diff.structured import PairMemo

DEV = Path(__file__).parents[3] / "eval" / "dev"


def plain_mean(f: Features, cluster: list[Features], threshold: float) -> float | None:
    """The mean as it was computed before: every exemplar scored in full. A figure that
    conflicts with a member's of the other aspect is held back (app.diff.relations)."""
    if any(mixed_conflict(f, m) for m in cluster[:EXEMPLARS]):
        return None
    lead = score_features(f, cluster[0])
    if lead < threshold:
        return None
    sample = cluster[1:EXEMPLARS]
    mean = (lead + sum(score_features(f, m) for m in sample)) / (1 + len(sample))
    return mean if mean >= threshold else None


def dev_blocks() -> list[list[Features]]:
    """The dev split's gold claims, both wordings, with and without canonical fields, by the
    ledger's blocks."""
    blocks: dict[tuple[str, str, bool], list[Features]] = {}
    for path in sorted(DEV.glob("*.json")):
        story = json.loads(path.read_text())
        for wording in ("canonical", "varied"):
            claims = [c for rows in gold_diff_claims(story, wording).values() for _, c in rows]
            for v1 in (False, True):
                shown = [without_canonical_fields(c) for c in claims] if v1 else claims
                for f in features_of(shown):
                    blocks.setdefault((*block_key(f), v1), []).append(f)
    return list(blocks.values())


def test_matching_with_floors_decides_and_scores_as_the_plain_mean() -> None:
    decided = {"matched": 0, "refused": 0}
    for block in dev_blocks():
        for threshold in (DEFAULT_THRESHOLD, 0.8):
            pairs: PairMemo = {}  # one clustering pass's memo, as assign_to_clusters keeps
            # Every claim against every run of up to EXEMPLARS claims of its block.
            for start in range(len(block)):
                for size in range(1, EXEMPLARS + 1):
                    cluster = list(islice(block, start, start + size))
                    for f in block:
                        got = _match(f, cluster, threshold, pairs)
                        assert got == plain_mean(f, cluster, threshold)
                        decided["matched" if got is not None else "refused"] += 1
    # Both outcomes are well exercised, so the equality above is not vacuous.
    assert decided["matched"] > 1000
    assert decided["refused"] > 1000
