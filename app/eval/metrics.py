"""The evaluation's figures, as pure functions over gold and predicted data (no HTTP, no DB).

A stored claim matches a gold claim of the same article when their evidence spans overlap in
the article text, their values agree (both none, or equal) and, when both carry one, their
fact kinds agree. Subjects only break ties: how a model names a subject ("Kenya", "Kenyan
police") is what the diff has to cope with, not a sign that the claim is wrong. Each gold claim
matches at most one stored claim and the other way round, best overlap first.

Aligned pairs are compared through that match: a pair the service made is right when its two
claims match the two gold claims of a gold pair. Relations are scored over the pairs both sides
made; a gold pair the service missed is predicted "none", a pair it made that gold lacks is
gold "none" (both land in the confusion matrix, and the latter counts against conflict
precision when the service called it a conflict).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

RELATIONS = ("agree", "conflict", "refines", "updates")
NONE = "none"
VALUE_TOLERANCE = 1e-6  # relative: 300000000 and 300000000.0000001 are one value


@dataclass(frozen=True)
class GoldClaim:
    id: str
    spans: tuple[tuple[int, int], ...]  # where its evidence stands in the stored text
    value: float | None
    fact_kind: str | None = None
    subject: str | None = None


@dataclass(frozen=True)
class StoredClaim:
    id: int
    span: tuple[int, int]
    value: float | None
    fact_kind: str | None = None
    subject: str | None = None


@dataclass(frozen=True)
class GoldPair:
    left: str
    right: str
    relation: str


@dataclass(frozen=True)
class PredictedPair:
    left: int  # stored claim ids
    right: int
    relation: str
    explanation: str = ""
    linked: bool = False  # made because a claim of a third article matched both


def _fold(name: str | None) -> str:
    return " ".join((name or "").casefold().split())


def _same_value(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return abs(a - b) <= VALUE_TOLERANCE * max(1.0, abs(a), abs(b))


def _overlap(a: tuple[int, int], b: tuple[int, int]) -> float:
    """Characters in common over characters in either (0 when they do not overlap)."""
    common = min(a[1], b[1]) - max(a[0], b[0])
    if common <= 0:
        return 0.0
    return common / (max(a[1], b[1]) - min(a[0], b[0]))


def match_score(gold: GoldClaim, stored: StoredClaim) -> float:
    """How well a stored claim matches a gold one; 0 when it does not match at all."""
    if not _same_value(gold.value, stored.value):
        return 0.0
    if gold.fact_kind and stored.fact_kind and gold.fact_kind != stored.fact_kind:
        return 0.0
    overlap = max((_overlap(span, stored.span) for span in gold.spans), default=0.0)
    if overlap == 0.0:
        return 0.0
    same_subject = bool(gold.subject) and _fold(gold.subject) == _fold(stored.subject)
    return overlap + (0.5 if same_subject else 0.0)


def match_claims(gold: Sequence[GoldClaim], stored: Sequence[StoredClaim]) -> dict[int, str]:
    """One article's stored claim ids mapped to the gold claim ids they match, one to one."""
    candidates = sorted(
        (
            (-score, g, s)
            for g, gc in enumerate(gold)
            for s, sc in enumerate(stored)
            if (score := match_score(gc, sc)) > 0
        ),
    )
    matched: dict[int, str] = {}
    taken: set[str] = set()
    for _, g, s in candidates:
        if stored[s].id in matched or gold[g].id in taken:
            continue
        matched[stored[s].id] = gold[g].id
        taken.add(gold[g].id)
    return matched


def ratio(part: int, whole: int) -> float | None:
    """part / whole, or None when there is nothing to measure."""
    return part / whole if whole else None


@dataclass
class Counts:
    """What the figures are computed from; counts add up across articles and stories."""

    gold_claims: int = 0
    stored_claims: int = 0
    matched_claims: int = 0
    rejected_claims: int = 0
    gold_pairs: int = 0
    predicted_pairs: int = 0
    aligned_pairs: int = 0  # predicted pairs that are gold pairs
    offered_pairs: int = 0  # pairs the diff offered to check instead of making them
    offered_gold_pairs: int = 0  # of those, gold pairs
    linked_pairs: int = 0  # predicted pairs a third source made (GET /diff's linked_by)
    linked_gold_pairs: int = 0  # of those, gold pairs
    right_relations: int = 0
    articles: int = 0
    failed_articles: int = 0
    llm_calls: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    confusion: Counter[tuple[str, str]] = field(default_factory=Counter)  # (gold, predicted)

    def add(self, other: Counts) -> None:
        for name in self.__dataclass_fields__:
            if name != "confusion":
                setattr(self, name, getattr(self, name) + getattr(other, name))
        self.confusion.update(other.confusion)

    def figures(self) -> dict[str, float | None]:
        conflict_predicted = sum(n for (_, p), n in self.confusion.items() if p == "conflict")
        conflict_gold = sum(n for (g, _), n in self.confusion.items() if g == "conflict")
        conflict_right = self.confusion[("conflict", "conflict")]
        return {
            "claim_precision": ratio(self.matched_claims, self.stored_claims),
            "claim_recall": ratio(self.matched_claims, self.gold_claims),
            "grounding_rate": ratio(self.stored_claims, self.stored_claims + self.rejected_claims),
            "alignment_precision": ratio(self.aligned_pairs, self.predicted_pairs),
            "alignment_recall": ratio(self.aligned_pairs, self.gold_pairs),
            "relation_accuracy": ratio(self.right_relations, self.aligned_pairs),
            "conflict_precision": ratio(conflict_right, conflict_predicted),
            "conflict_recall": ratio(conflict_right, conflict_gold),
            # What a reader sees of the gold pairs: made, or offered to check; and how often
            # an offered pair is one fact.
            "recall_with_offered": ratio(
                self.aligned_pairs + self.offered_gold_pairs, self.gold_pairs
            ),
            "offered_precision": ratio(self.offered_gold_pairs, self.offered_pairs),
            "llm_calls_per_article": _per(self.llm_calls, self.articles),
            "tokens_per_article": _per(self.prompt_tokens + self.completion_tokens, self.articles),
        }

    def confusion_matrix(self) -> dict[str, dict[str, int]]:
        """Rows gold, columns predicted, every relation and "none" in each."""
        labels = [
            *RELATIONS,
            *sorted({r for pair in self.confusion for r in pair} - {*RELATIONS, NONE}),
            NONE,
        ]
        return {g: {p: self.confusion[(g, p)] for p in labels} for g in labels}


def _per(total: int, articles: int) -> float | None:
    return round(total / articles, 1) if articles else None


@dataclass
class PairOutcome:
    """One article pair's alignment, with what went wrong by name (for the JSON report)."""

    counts: Counts
    missed: list[GoldPair]
    offered: list[GoldPair]  # of the missed, those the diff offered to check
    false: list[tuple[PredictedPair, str | None, str | None]]  # with the gold ids it maps to
    wrong: list[tuple[GoldPair, PredictedPair]]


def score_pairs(
    gold_pairs: Iterable[GoldPair],
    predicted: Iterable[PredictedPair],
    matched: dict[int, str],
    offered: Iterable[PredictedPair] = (),
) -> PairOutcome:
    """Alignment and relations of one article pair, claims mapped to gold through ``matched``;
    ``offered``: the pairs the diff offered to check (undecided), which are not counted as made."""
    gold = {frozenset((p.left, p.right)): p for p in gold_pairs}
    counts = Counts(gold_pairs=len(gold))
    found: set[frozenset[str]] = set()
    false: list[tuple[PredictedPair, str | None, str | None]] = []
    wrong: list[tuple[GoldPair, PredictedPair]] = []
    for pair in predicted:
        counts.predicted_pairs += 1
        counts.linked_pairs += pair.linked
        left, right = matched.get(pair.left), matched.get(pair.right)
        key = frozenset((left or "", right or ""))
        gold_pair = gold.get(key) if left and right else None
        if gold_pair is None or key in found:
            counts.confusion[(NONE, pair.relation)] += 1
            false.append((pair, left, right))
            continue
        found.add(key)
        counts.aligned_pairs += 1
        counts.linked_gold_pairs += pair.linked
        counts.confusion[(gold_pair.relation, pair.relation)] += 1
        if gold_pair.relation == pair.relation:
            counts.right_relations += 1
        else:
            wrong.append((gold_pair, pair))
    missed = [p for key, p in gold.items() if key not in found]
    for p in missed:
        counts.confusion[(p.relation, NONE)] += 1
    offered_keys: set[frozenset[str]] = set()
    for pair in offered:
        counts.offered_pairs += 1
        offered_keys.add(frozenset((matched.get(pair.left, ""), matched.get(pair.right, ""))))
    seen = [p for p in missed if frozenset((p.left, p.right)) in offered_keys]
    counts.offered_gold_pairs = len(seen)
    return PairOutcome(counts, missed, seen, false, wrong)
