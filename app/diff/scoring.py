"""Alignment scores: how likely two claims state the same fact, in [0, 1], symmetric.

Claims with canonical fact fields (news_claims@v2) are scored by them (`score_structured`, in
app.diff.structured: gates on the fact kind, the unit family, event dates and the actors, then
a logistic model fitted on the evaluation set's dev split). Claims of older schemas, or a pair
with one of them, are scored by their words as before (`score_lexical`).
"""

from __future__ import annotations

from app.diff.features import Features
from app.diff.similarity import predicate_sim, text_sim
from app.diff.structured import DEFAULT_THRESHOLD as DEFAULT_THRESHOLD
from app.diff.structured import PairMemo, score_structured

# Tuned on the Kenya/Haiti fixtures: every same-fact pair of the four reports scores >= 0.69
# except loose paraphrases of "deployments fall short of pledges" (0.60-0.65); the best
# different-fact pairs score 0.62 ("is UN-backed" vs "staff below commitments") and 0.60
# ("pledged 1,000 personnel" vs "leads the mission"). Precision first: a false pair can be
# reported as a conflict, a missed paraphrase only lands in the unmatched lists.
WEIGHTS = {"statement": 0.35, "predicate": 0.20, "object": 0.10, "type": 0.10,
           "quantity": 0.10, "time": 0.10, "location": 0.05}  # fmt: skip
# A hard gate, not just a weight: matching figures, dates and places must not pair two
# statements that are less than half alike. It is checked first, so most unrelated pairs cost
# one string comparison.
STATEMENT_GATE = 0.5
# "217 more officers", "over 600 officers in total" and "a first contingent of 400" are
# different facts about one deployment; pairing them would invent conflicts.
SCOPE_PENALTY = 0.6
TIME_DECAY_DAYS = 30  # a 1-day gap barely lowers the score (Friday night vs Saturday)

_TYPE_NEAR = {frozenset({"event", "quantity"}): 0.7, frozenset({"quantity", "status"}): 0.7,
              frozenset({"pledge", "quantity"}): 0.7, frozenset({"event", "status"}): 0.6,
              frozenset({"pledge", "statement"}): 0.6}  # fmt: skip


def _quantity_sim(a: Features, b: Features) -> float | None:
    """None when both claims count things that cannot be compared (people vs USD)."""
    if a.interval is None or b.interval is None:
        return 1.0 if a.interval is b.interval else 0.3
    if a.family != b.family:
        return None
    va, vb = a.magnitude, b.magnitude
    closeness = 1.0 if max(va, vb) == 0 else min(va, vb) / max(va, vb)
    return 0.5 * (1.0 if a.unit == b.unit else 0.8) + 0.5 * closeness


def _time_sim(a: Features, b: Features) -> float:
    if a.days is None or b.days is None:
        return 1.0 if a.days is b.days else 0.6
    gap = max(b.days[0] - a.days[1], a.days[0] - b.days[1], 0)
    return max(0.0, 1.0 - gap / TIME_DECAY_DAYS)


def _type_sim(a: str, b: str) -> float:
    if a == b:
        return 1.0
    return 0.5 if "other" in (a, b) else _TYPE_NEAR.get(frozenset({a, b}), 0.3)


def score_lexical(a: Features, b: Features) -> float:
    """Today's scoring of claims without canonical fields: words, figures, dates."""
    if a.subject != b.subject:
        return 0.0  # subjects are canonical keys: different keys are different entities
    quantity = _quantity_sim(a, b)
    if quantity is None:
        return 0.0
    statement = text_sim(a.statement, b.statement, one_missing=0.0)
    if statement < STATEMENT_GATE:
        return 0.0
    total = (
        WEIGHTS["statement"] * statement
        + WEIGHTS["predicate"] * predicate_sim(a, b)
        + WEIGHTS["object"] * text_sim(a.object, b.object, one_missing=0.5)
        + WEIGHTS["type"] * _type_sim(a.claim.claim_type, b.claim.claim_type)
        + WEIGHTS["quantity"] * quantity
        + WEIGHTS["time"] * _time_sim(a, b)
        + WEIGHTS["location"] * text_sim(a.location, b.location, one_missing=0.7)
    )
    if a.scopes and b.scopes and not a.scopes & b.scopes:
        total *= SCOPE_PENALTY
    return round(total, 6)


def score_features(
    a: Features, b: Features, *, floor: float = 0.0, memo: PairMemo | None = None
) -> float:
    """Alignment score in [0, 1], symmetric; 0 for gated pairs. Identical claims score 1.

    With a `floor`, a pair that cannot reach it may score 0 instead of its exact score. A
    `memo` (one per clustering pass) keeps what structured pairs score apart from figures.
    """
    if a.structured and b.structured:
        return score_structured(a, b, floor=floor, memo=memo)
    return score_lexical(a, b)
