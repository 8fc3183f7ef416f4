"""Claim-level diff of two claim sets: align the claims that state the same fact, then classify.

Pure and deterministic: no database, no LLM, no web. Routes turn stored claims into `DiffClaim`
rows (subjects already mapped to canonical entity keys) and render the `DiffResult`.

Alignment scores every left x right pair with the same subject (`score_features`) and assigns
pairs one-to-one, greedily by descending score. Ties break on (smaller id, larger id), which
does not depend on which side a claim is on, so `diff(b, a)` mirrors `diff(a, b)`; claim ids
are database keys, unique across articles. What words, figures and dates mean: app.diff.rules.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from rapidfuzz import fuzz

from app.diff.rules import ABOUT_TOLERANCE as ABOUT_TOLERANCE
from app.diff.rules import Interval as Interval
from app.diff.rules import (
    Text,
    Verdict,
    compare_quantities,
    compare_times,
    normalize_predicate,
    normalize_short_text,
    normalize_text,
)
from app.diff.rules import describe_quantity as describe_quantity
from app.diff.rules import describe_span as describe_span
from app.diff.rules import describe_time as describe_time
from app.diff.rules import quantity_interval as quantity_interval
from app.diff.rules import unit_key as unit_key
from app.diff.types import DiffClaim as DiffClaim
from app.diff.types import DiffResult as DiffResult
from app.diff.types import Pair as Pair
from app.diff.types import Relation as Relation

# Tuned on the Kenya/Haiti fixtures: every same-fact pair of the four reports scores >= 0.69
# except loose paraphrases of "deployments fall short of pledges" (0.60-0.65); the best
# different-fact pairs score 0.62 ("is UN-backed" vs "staff below commitments") and 0.60
# ("pledged 1,000 personnel" vs "leads the mission"). Precision first: a false pair can be
# reported as a conflict, a missed paraphrase only lands in the unmatched lists.
DEFAULT_THRESHOLD = 0.65
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


@dataclass(frozen=True, slots=True)
class Features:
    """A claim normalized once, so scoring a pair does no regex work."""

    claim: DiffClaim
    subject: str
    statement: Text
    predicate: str
    stems: frozenset[str]
    object: Text | None
    location: Text | None
    unit: str | None
    family: str | None
    interval: Interval | None
    time: tuple[date, date] | None
    days: tuple[int, int] | None  # `time` as ordinals: cheaper to subtract, per pair scored
    magnitude: float  # abs(value), 0 without a figure
    scopes: frozenset[str]

    def scoring_key(self) -> tuple[Hashable, ...]:
        """All that `score_features` reads; the ledger reuses scores across equal keys."""
        return (self.subject, self.statement.masked, self.predicate, self.object, self.location,
                self.claim.claim_type, self.interval, self.family, self.unit, self.days,
                self.magnitude, self.scopes)  # fmt: skip


def features(c: DiffClaim) -> Features:
    return features_of([c])[0]


def features_of(claims: Iterable[DiffClaim]) -> list[Features]:
    """`features` of many claims, normalizing each distinct statement once.

    Wire copy runs verbatim in many outlets and follow-ups repeat sentences.
    """
    texts: dict[str, Text] = {}
    out: list[Features] = []
    for c in claims:
        if (statement := texts.get(c.statement)) is None:
            statement = texts[c.statement] = normalize_text(c.statement)
        predicate, stems, predicate_scopes = normalize_predicate(c.predicate)
        obj = None if c.object is None else normalize_short_text(c.object)
        start, end = c.time_start or c.time_end, c.time_end or c.time_start
        out.append(Features(
            claim=c,
            subject=c.subject.strip().casefold(),
            statement=statement,
            predicate=predicate,
            stems=stems,
            object=obj,
            location=None if c.location is None else normalize_short_text(c.location),
            unit=None if c.value is None else unit_key(c.unit)[0],
            family=None if c.value is None else unit_key(c.unit)[1],
            interval=None if c.value is None else quantity_interval(c.value, c.qualifier),
            time=(start, end) if start and end else None,
            days=(start.toordinal(), end.toordinal()) if start and end else None,
            magnitude=abs(float(c.value or 0)),
            scopes=statement.scopes | predicate_scopes | (obj.scopes if obj else frozenset()),
        ))  # fmt: skip
    return out


def _text_sim(a: Text | None, b: Text | None, *, one_missing: float) -> float:
    if a is None or b is None:
        return 1.0 if a is b else one_missing
    if a.masked == b.masked:
        return 1.0  # also for two empty strings, which rapidfuzz scores 0
    # token_set alone scores any subset 100 ("Kenya leads the mission" inside "Kenya pledged
    # 1,000 personnel to the mission"); weighting token_sort keeps whole-sentence agreement.
    # fuzz.ratio of the presorted tokens is token_sort_ratio without sorting on every pair.
    set_ratio = fuzz.token_set_ratio(a.masked, b.masked)
    return (0.25 * set_ratio + 0.75 * fuzz.ratio(a.by_token, b.by_token)) / 100.0


def _predicate_sim(a: Features, b: Features) -> float:
    if a.predicate == b.predicate:
        return 1.0
    # Shared stems decide ("deployed" ~ "has deployed in total"); characters only break ties,
    # since short verbs share letters by chance ("pledged" vs "leads" is 50 in fuzz.ratio).
    overlap = len(a.stems & b.stems) / min(len(a.stems), len(b.stems)) if a.stems and b.stems else 0
    return 0.7 * overlap + 0.3 * fuzz.ratio(a.predicate, b.predicate) / 100.0


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


def score_features(a: Features, b: Features) -> float:
    """Alignment score in [0, 1], symmetric; 0 for gated pairs. Identical claims score 1."""
    if a.subject != b.subject:
        return 0.0  # subjects are canonical keys: different keys are different entities
    quantity = _quantity_sim(a, b)
    if quantity is None:
        return 0.0
    statement = _text_sim(a.statement, b.statement, one_missing=0.0)
    if statement < STATEMENT_GATE:
        return 0.0
    total = (
        WEIGHTS["statement"] * statement
        + WEIGHTS["predicate"] * _predicate_sim(a, b)
        + WEIGHTS["object"] * _text_sim(a.object, b.object, one_missing=0.5)
        + WEIGHTS["type"] * _type_sim(a.claim.claim_type, b.claim.claim_type)
        + WEIGHTS["quantity"] * quantity
        + WEIGHTS["time"] * _time_sim(a, b)
        + WEIGHTS["location"] * _text_sim(a.location, b.location, one_missing=0.7)
    )
    if a.scopes and b.scopes and not a.scopes & b.scopes:
        total *= SCOPE_PENALTY
    return round(total, 6)


def pair_score(a: DiffClaim, b: DiffClaim) -> float:
    return score_features(features(a), features(b))


def _voice(c: DiffClaim) -> str:
    return f"{c.modality} by {c.attribution}" if c.attribution else c.modality


def classify(a: Features, b: Features) -> tuple[Relation, str]:
    """Relation of an aligned pair and a one-line explanation naming every difference."""
    found: list[tuple[Verdict, str]] = []
    if a.interval is not None or b.interval is not None:
        found.append(compare_quantities(a.claim, b.claim, a.interval, b.interval))
    if a.time is not None or b.time is not None:
        found.append(compare_times(a.claim, b.claim, a.time, b.time))
    if (a.claim.modality == "denied") != (b.claim.modality == "denied"):
        side = "left" if a.claim.modality == "denied" else "right"
        found.append(("conflict", f"{side} denies what the other states"))
    if _voice(a.claim) != _voice(b.claim):  # shown, never hidden, but not itself a conflict
        found.append(("agree", f"left: {_voice(a.claim)}; right: {_voice(b.claim)}"))
    verdicts = {v for v, _ in found}
    # A conflict on any field wins; otherwise any added precision makes it a refinement.
    relation = next((Relation(v) for v in ("conflict", "refines") if v in verdicts), None)
    notes = "; ".join(n for _, n in found) or "same statement"
    return relation or Relation.agree, f"{notes} ({a.claim.subject} · {a.claim.predicate})"


_RANK = {Relation.conflict: 0, Relation.refines: 1, Relation.agree: 2}


def diff_claims(
    left: Sequence[DiffClaim], right: Sequence[DiffClaim], *, threshold: float = DEFAULT_THRESHOLD
) -> DiffResult:
    lf, rf = features_of(left), features_of(right)
    by_subject: dict[str, list[int]] = {}
    by_fact: dict[int, list[int]] = {}
    for j, f in enumerate(rf):
        by_subject.setdefault(f.subject, []).append(j)
        if f.claim.fact_id is not None:
            by_fact.setdefault(f.claim.fact_id, []).append(j)
    candidates: list[tuple[float, int, int, int, int]] = []
    for i, a in enumerate(lf):
        fact = a.claim.fact_id
        same_fact = by_fact.get(fact, []) if fact is not None else []
        for j in {*by_subject.get(a.subject, ()), *same_fact}:
            b = rf[j]
            # Stored facts decide when both claims have one: a curator's merge pairs claims
            # the scores would not, and a split keeps apart claims they would pair. Not within
            # one article (two runs of it): a fact holds one claim of each article.
            if (
                fact is not None
                and b.claim.fact_id is not None
                and a.claim.article_id != b.claim.article_id
            ):
                if fact != b.claim.fact_id:
                    continue
                score = max(score_features(a, b), threshold)
            else:
                score = score_features(a, b)
            if score >= threshold:
                low, high = sorted((a.claim.id, b.claim.id))
                candidates.append((-score, low, high, i, j))
    candidates.sort()
    used_left: set[int] = set()
    used_right: set[int] = set()
    pairs: list[Pair] = []
    for neg_score, _, _, i, j in candidates:
        if i not in used_left and j not in used_right:
            used_left.add(i)
            used_right.add(j)
            relation, explanation = classify(lf[i], rf[j])
            pairs.append(Pair(relation, left[i], right[j], -neg_score, explanation))
    pairs.sort(key=lambda p: (_RANK[p.relation], -p.score, *sorted((p.left.id, p.right.id))))
    only_left = [c for i, c in enumerate(left) if i not in used_left]
    only_right = [c for j, c in enumerate(right) if j not in used_right]
    summary = {r.value: sum(p.relation is r for p in pairs) for r in Relation}
    summary |= {"only_left": len(only_left), "only_right": len(only_right)}
    return DiffResult(pairs, only_left, only_right, summary)
