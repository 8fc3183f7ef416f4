"""Third sources: an undecided pair is made when a claim of a third article matches both.

Two outlets often word one fact too differently to pair on their own ("Brightwell is laying
off 1,200 staff", "job cuts number about 1,200"), while a third outlet's wording sits between
them and pairs with each. Such a pair was left undecided by the diff (scored under the
threshold); a claim of another article that scores at least the threshold with both of its
claims is the evidence that makes it. On eval/dev, over the pairs left undecided among claims
with canonical fact fields, this made 11 pairs one fact by gold and 1 not (varied wording), and
1 and 1 (canonical); with claims of older schemas, aligned by their words, 1 and 1, so those
are left undecided.

Pure, like app.diff.align: the caller says which claims may bridge (the service reads the
stored facts of the undecided claims; the evaluation the story's other articles in the
facts its ledger would store). A conflict the diff held back as ambiguous stays undecided:
a third source does not tell which of two near-equal matches is the fact. Nor does a third
claim in conflict with both sides: set by reasoning, as it changes nothing on dev; a stress
run that diffs each story's articles across the two wordings (six texts a story) found it
making two false conflicts on the holdout split (three budget lines of one budget, the third
linking the other two).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from app.diff.features import Features, features_of
from app.diff.relations import classify
from app.diff.scoring import DEFAULT_THRESHOLD, score_features
from app.diff.types import DiffClaim, DiffResult, Pair, Relation, with_made
from app.diff.undecided import PRECISE_FIGURE, STORY_TIED, UNDER_THRESHOLD

# How a pair a third source made explains itself: LINKED, the third claim, BOTH, then why the
# relation is what it is, as for any pair.
LINKED = "linked through"
BOTH = ", which matches both: "


def bridgeable(pair: Pair) -> bool:
    """An undecided pair a third source may make: scored under the threshold, both claims with
    canonical fact fields."""
    return (
        pair.explanation.startswith(UNDER_THRESHOLD)
        and pair.left.fact_kind is not None
        and pair.right.fact_kind is not None
    )


def relation_reason(pair: Pair) -> str:
    """A pair's explanation without what made it when its score alone did not: the third
    source that linked it (cut by its known length: the third claim's statement may hold any
    words), the story its articles tell, or the one precise figure it gives."""
    if pair.story_pairs is not None:
        return pair.explanation.removeprefix(STORY_TIED.format(others=pair.story_pairs) + ": ")
    if pair.scored_without_figure is not None:
        prefix = PRECISE_FIGURE.format(score=pair.scored_without_figure)
        return pair.explanation.removeprefix(prefix + ": ")
    if pair.linked_by is None:
        return pair.explanation
    return pair.explanation.removeprefix(_linked_through(pair.linked_by))


def _linked_through(x: DiffClaim) -> str:
    return f'{LINKED} {x.source}\'s claim {x.id} ("{x.statement}"){BOTH}'


def bridge_of(
    left: Features, right: Features, others: Sequence[Features], threshold: float
) -> tuple[float, Features] | None:
    """The claim of a third article matching both sides best (by its weaker match), if one
    scores at least ``threshold`` with each; ties go to the smaller claim id."""
    sides = {left.claim.article_id, right.claim.article_id}
    best: tuple[float, Features] | None = None
    for x in others:
        if x.claim.article_id in sides or not x.structured:
            continue
        weaker = min(
            score_features(left, x, floor=threshold), score_features(x, right, floor=threshold)
        )
        if weaker < threshold or _contradicts_both(left, x, right):
            continue
        if best is None or (weaker, -x.claim.id) > (best[0], -best[1].claim.id):
            best = (weaker, x)
    return best


def _contradicts_both(left: Features, x: Features, right: Features) -> bool:
    """A third claim in conflict with both sides (a third budget line beside two others) matched
    them on all but what they state: it is no evidence that they state one fact."""
    return classify(left, x)[0] is Relation.conflict and classify(x, right)[0] is Relation.conflict


def bridge_undecided(
    result: DiffResult, others: Sequence[DiffClaim], *, threshold: float = DEFAULT_THRESHOLD
) -> DiffResult:
    """``result`` with each bridgeable undecided pair that a claim of ``others`` links made,
    its explanation naming the third source; the rest stay undecided."""
    if not others or not any(bridgeable(p) for p in result.undecided):
        return result
    other_features = features_of(others)
    made: list[Pair] = []
    undecided: list[Pair] = []
    for pair in result.undecided:
        found = None
        if bridgeable(pair):
            left, right = features_of([pair.left, pair.right])
            found = bridge_of(left, right, other_features, threshold)
        if found is None:
            undecided.append(pair)
            continue
        x = found[1].claim
        relation, explanation = classify(left, right)
        why = _linked_through(x) + explanation
        made.append(replace(pair, relation=relation, explanation=why, linked_by=x))
    return with_made(result, made, undecided)
