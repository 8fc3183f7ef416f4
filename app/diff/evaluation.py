"""How well the diff aligns and classifies gold claims: alignment precision and recall,
relation accuracy, conflict precision and a confusion matrix, per story and summed.

Pure: takes a story of the evaluation set as parsed JSON (eval/README.md: articles, gold
claims in two wordings, gold same-fact pairs with relations) and runs `diff_claims` over every
two articles of it, as a user diffing them would. No database, no LLM.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields, replace
from datetime import date, datetime
from itertools import combinations
from typing import Any

from app.diff.align import DEFAULT_THRESHOLD, diff_claims
from app.diff.bridges import bridge_undecided
from app.diff.features import features
from app.diff.ledger import Fact, block_key, build_ledger
from app.diff.places import mark_listed
from app.diff.related import many_to_check
from app.diff.types import DiffClaim

Story = Mapping[str, Any]


@dataclass
class DiffScore:
    """Counts over aligned pairs; the rates are derived from them, so scores add up."""

    gold: int = 0
    predicted: int = 0
    aligned: int = 0  # predicted pairs that are gold pairs
    relation_right: int = 0  # of those, with the gold relation
    conflicts_predicted: int = 0
    conflicts_right: int = 0  # predicted conflicts that are gold pairs with relation conflict
    offered: int = 0  # undecided pairs offered to check
    offered_gold: int = 0  # of those, gold pairs
    for_judge: int = 0  # pairs naming no entity in common, put to an adjudicator only
    for_judge_gold: int = 0  # of those, gold pairs
    linked: int = 0  # predicted pairs a third source linked (app.diff.bridges)
    linked_gold: int = 0  # of those, gold pairs
    confusion: Counter[tuple[str, str]] = field(default_factory=Counter)  # (gold, predicted)
    misses: list[str] = field(default_factory=list)  # what went wrong, one line each

    def __iadd__(self, other: DiffScore) -> DiffScore:
        for f in fields(self):
            setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))
        return self

    @property
    def precision(self) -> float:
        return self.aligned / self.predicted if self.predicted else 1.0

    @property
    def recall(self) -> float:
        return self.aligned / self.gold if self.gold else 1.0

    @property
    def relation_accuracy(self) -> float:
        return self.relation_right / self.aligned if self.aligned else 1.0

    @property
    def conflict_precision(self) -> float:
        return self.conflicts_right / self.conflicts_predicted if self.conflicts_predicted else 1.0

    @property
    def offered_precision(self) -> float:
        """Of the pairs offered to check, the share that are one fact."""
        return self.offered_gold / self.offered if self.offered else 1.0

    @property
    def recall_with_offered(self) -> float:
        """Gold pairs a reader sees: made, or offered to check."""
        return (self.aligned + self.offered_gold) / self.gold if self.gold else 1.0

    @property
    def recall_with_judge(self) -> float:
        """The most an adjudicator that is always right could reach: gold pairs made,
        offered to check, or put to it alone."""
        found = self.aligned + self.offered_gold + self.for_judge_gold
        return found / self.gold if self.gold else 1.0


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def gold_diff_claims(story: Story, wording: str) -> dict[str, list[tuple[str, DiffClaim]]]:
    """Each article's gold claims in one wording as (gold id, DiffClaim), ids unique per story."""
    articles = {a["key"]: a for a in story["articles"]}
    out: dict[str, list[tuple[str, DiffClaim]]] = {}
    for n, (key, claims) in enumerate(sorted(story["claims"][wording].items()), start=1):
        article = articles[key]
        published = datetime.fromisoformat(article["published_at"].replace("Z", "+00:00"))
        rows = []
        for m, c in enumerate(claims):
            q, t, obj = c.get("quantity") or {}, c.get("time") or {}, c.get("object_entity")
            start = article["text"].find(c["evidence"])
            rows.append((c["id"], DiffClaim(
                id=n * 1000 + m, article_id=n, run_id=n, outlet=article["outlet"],
                published_at=published, statement=c["statement"], claim_type=c["claim_type"],
                subject=" ".join(c["subject"]["name"].split()),
                subject_type=c["subject"]["type"], predicate=c["predicate"],
                object=c.get("object"), value=q.get("value"), unit=q.get("unit"),
                qualifier=q.get("qualifier"), time_text=t.get("text"),
                time_start=_day(t.get("start")), time_end=_day(t.get("end")),
                location=c.get("location"), attribution=c.get("attribution"),
                modality=c.get("modality", "asserted"), quote=c["evidence"],
                char_start=start, char_end=start + len(c["evidence"]),
                fact_kind=c.get("fact_kind"),
                object_entity=" ".join(obj["name"].split()) if obj else None,
                unit_kind=q.get("unit_kind"), aspect=q.get("aspect"),
            )))  # fmt: skip
        marked = mark_listed([c for _, c in rows])
        out[key] = [(gid, c) for (gid, _), c in zip(rows, marked, strict=True)]
    return out


def without_canonical_fields(claim: DiffClaim) -> DiffClaim:
    """The claim as a news_claims@v1 extraction would give it (for the v1 fallback)."""
    return replace(claim, fact_kind=None, object_entity=None, unit_kind=None, aspect=None)


def score_story(
    story: Story,
    wording: str,
    *,
    threshold: float = DEFAULT_THRESHOLD,
    v1: bool = False,
    third_sources: bool = True,
) -> DiffScore:
    """Diff every two articles of a story and compare the pairs with its gold pairs; with
    ``third_sources``, as the service does, the story's other articles may link an undecided
    pair (app.diff.bridges)."""
    gold = {frozenset((p["left"], p["right"])): p["relation"] for p in story["pairs"]}
    claims = gold_diff_claims(story, wording)
    score = DiffScore(gold=len(gold))
    name = story.get("story", "?")
    prepare = without_canonical_fields if v1 else (lambda c: c)
    every = [prepare(c) for rows in claims.values() for _, c in rows]
    fact_mates = _fact_mates(every, threshold=threshold) if third_sources else {}
    for left_key, right_key in combinations(sorted(claims), 2):
        left, right = claims[left_key], claims[right_key]
        ids = {c.id: gid for gid, c in (*left, *right)}
        result = diff_claims(
            [prepare(c) for _, c in left],
            [prepare(c) for _, c in right],
            threshold=threshold,
            with_untied=True,  # pairs made and offered are the same without
        )
        if third_sources:
            others = {
                m.id: m
                for p in result.undecided
                for c in (p.left, p.right)
                for m in fact_mates[c.id]
            }
            result = bridge_undecided(result, list(others.values()), threshold=threshold)
        found = set()
        for pair in result.pairs:
            key = frozenset((ids[pair.left.id], ids[pair.right.id]))
            found.add(key)
            predicted = pair.relation.value
            score.predicted += 1
            score.conflicts_predicted += predicted == "conflict"
            if pair.linked_by is not None:
                score.linked += 1
                score.linked_gold += key in gold
            label = f"{name} {wording} {ids[pair.left.id]}~{ids[pair.right.id]}"
            if key not in gold:
                score.misses.append(f"{label}: false pair ({predicted}, {pair.score:.2f})")
                continue
            score.aligned += 1
            score.confusion[(gold[key], predicted)] += 1
            if gold[key] == predicted:
                score.relation_right += 1
                score.conflicts_right += predicted == "conflict"
            else:
                score.misses.append(
                    f"{label}: {predicted} instead of {gold[key]}: {pair.explanation}"
                )
        offered = {frozenset((ids[p.left.id], ids[p.right.id])) for p in result.undecided}
        score.offered += len(offered)
        score.offered_gold += len(offered & gold.keys())
        judged = {frozenset((ids[p.left.id], ids[p.right.id])) for p in result.for_judge}
        score.for_judge += len(judged)
        score.for_judge_gold += len(judged & gold.keys())
        in_articles = {gid for gid, _ in (*left, *right)}
        for key in gold:
            if key <= in_articles and key not in found:
                to_check = (
                    " (offered to check)"
                    if key in offered
                    else " (for a judge only)"
                    if key in judged
                    else ""
                )
                score.misses.append(
                    f"{name} {wording} {'~'.join(sorted(key))}: not aligned{to_check}"
                )
    return score


def _fact_mates(claims: list[DiffClaim], *, threshold: float) -> dict[int, list[DiffClaim]]:
    """Each claim's fellow claims in the fact the story's ledger puts it in: the third sources
    the service reads from a claim's stored fact (app.services.fact_claims)."""
    mates: dict[int, list[DiffClaim]] = {}
    for fact in build_ledger(claims, threshold=threshold):
        for c in fact.sources:
            mates[c.id] = fact.sources
    return mates


def score_stories(stories: Iterable[Story], wording: str, **options: Any) -> DiffScore:
    total = DiffScore()
    for story in stories:
        total += score_story(story, wording, **options)
    return total


@dataclass
class LedgerScore:
    """How the fact ledger clusters a story's claims: the cross-article pairs it puts in one
    fact against the gold pairs, and the conflict facts no gold conflict pair backs."""

    gold: int = 0
    made: int = 0
    right: int = 0
    conflict_facts: int = 0
    unbacked_conflicts: int = 0
    offered: int = 0  # fact pairs offered to check (app.diff.related), either way round
    offered_gold: int = 0  # gold pairs the ledger split over two facts offered to check

    def __iadd__(self, other: LedgerScore) -> LedgerScore:
        for name in (f.name for f in fields(self)):  # every field is a count
            setattr(self, name, getattr(self, name) + getattr(other, name))
        return self

    @property
    def precision(self) -> float:
        return self.right / self.made if self.made else 1.0

    @property
    def recall(self) -> float:
        return self.right / self.gold if self.gold else 1.0

    @property
    def recall_with_offered(self) -> float:
        """Gold pairs a curator sees: in one fact, or in two facts offered to check."""
        return (self.right + self.offered_gold) / self.gold if self.gold else 1.0


def score_ledger(story: Story, wording: str, *, v1: bool = False) -> LedgerScore:
    """Cluster every claim of the story's articles, as /facts would for its entity."""
    gold = {frozenset((p["left"], p["right"])): p["relation"] for p in story["pairs"]}
    claims = gold_diff_claims(story, wording)
    ids = {c.id: gid for rows in claims.values() for gid, c in rows}
    prepare = without_canonical_fields if v1 else (lambda c: c)
    score = LedgerScore(gold=len(gold))
    made: set[frozenset[str]] = set()
    facts = build_ledger([prepare(c) for rows in claims.values() for _, c in rows])
    for fact in facts:
        members = [(c.article_id, ids[c.id]) for c in fact.sources]
        keys = {frozenset((x, y)) for (ax, x), (ay, y) in combinations(members, 2) if ax != ay}
        made |= keys
        if fact.status == "conflict":
            score.conflict_facts += 1
            score.unbacked_conflicts += not any(gold.get(k) == "conflict" for k in keys)
    score.made, score.right = len(made), len(made & gold.keys())
    offered = offered_facts(facts)
    score.offered = len(offered)
    home = {ids[c.id]: k for k, fact in enumerate(facts) for c in fact.sources}
    score.offered_gold = sum(
        frozenset(home[g] for g in key) in offered for key in gold.keys() - made
    )
    return score


def offered_facts(facts: list[Fact]) -> set[frozenset[int]]:
    """The pairs of facts (by index) that GET /facts/{id} would offer to check, either way
    round: each fact's to_check list among the facts of its block that share an entity."""
    blocks = [block_key(features(fact.sources[0]))[0] for fact in facts]
    entities = [
        {e.casefold() for c in fact.sources for e in (c.subject, c.object_entity) if e}
        for fact in facts
    ]
    candidates = {
        k: [
            j
            for j in range(len(facts))
            if j != k and blocks[j] == blocks[k] and entities[j] & entities[k]
        ]
        for k in range(len(facts))
    }
    lists = many_to_check({k: fact.sources for k, fact in enumerate(facts)}, candidates, {})
    return {frozenset((k, r.fact_id)) for k, found in lists.items() for r in found}
