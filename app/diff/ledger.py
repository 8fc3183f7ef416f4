"""Cross-source fact ledger: cluster claims from many articles that state the same fact.

Pure, like app.diff.align, whose pair scoring and relation rules it reuses, so a ledger fact and a
diff pair judge two claims alike; only the diff holds back a conflict that another claim could
equally well be part of (a single pass over a stream of claims has no second side to weigh).

Scale: claims are blocked by (canonical subject, unit family), or with canonical fact fields
(news_claims@v2) by (fact kind, unit family), where entities named differently still meet. Only
claims in one block are compared, so 10,000 articles x 15 claims become a few hundred blocks,
clustered by `app.diff.clustering`. A claim without a figure sits in a "no figure" block: it
cannot be checked against a number anyway.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import combinations
from typing import Literal

from app.diff.align import (
    DEFAULT_THRESHOLD,
    DiffClaim,
    Features,
    Relation,
    classify,
    features_of,
)
from app.diff.clustering import Cluster, assign_to_clusters
from app.diff.rules import describe_quantity, describe_span, describe_time

# updates: the sources give a changing state's values at different times (a running total),
# and none of them conflict.
Status = Literal["consensus", "conflict", "updates", "single"]


@dataclass(frozen=True)
class FactSource:
    """One source's view of a fact: its value, evidence, outlet and time."""

    claim: DiffClaim

    @property
    def outlet(self) -> str:
        """Every outlet carrying the claim's text, comma-separated."""
        return _label(self.claim)

    @property
    def value(self) -> str:
        return describe_quantity(self.claim)

    @property
    def time(self) -> str:
        return describe_time(self.claim)


@dataclass(frozen=True)
class Fact:
    id: int | None  # the stored fact (app.store.fact_models), None when clustered on the fly
    key: str
    subject: str
    claim_type: str
    headline: str
    sources: list[DiffClaim]
    status: Status
    values: list[str]
    explanation: str

    def fact_sources(self) -> list[FactSource]:
        return [FactSource(c) for c in self.sources]

    @property
    def outlets(self) -> list[str]:
        """Every outlet carrying a source's text, sorted: the fact's sources as a reader
        counts them. Wire copy carried by three outlets is three; an outlet carrying two
        texts that state the fact is one; a publication without an outlet is its article."""
        return sorted({name for c in self.sources for name in _carriers(c)})

    @property
    def source_count(self) -> int:
        return len(self.outlets)

    @property
    def article_count(self) -> int:
        """Distinct texts stating the fact: consensus and conflict stand on these, as wire
        copy carried by many outlets is one report, not many that agree."""
        return len({c.article_id for c in self.sources})

    @property
    def publication_count(self) -> int:
        return sum(max(1, len(c.publications)) for c in self.sources)

    @property
    def claim_count(self) -> int:
        return len(self.sources)


def block_key(f: Features) -> tuple[str, str]:
    """Claims are only ever clustered with claims of the same block: their subject's, or for
    claims with canonical fields their fact kind's (entities named differently still meet)."""
    block = f"kind:{f.fact_kind}" if f.structured else f.subject
    return block, f.family or ""


def build_ledger(
    claims: Sequence[DiffClaim], *, threshold: float = DEFAULT_THRESHOLD
) -> list[Fact]:
    """Facts ordered conflicts first, then by outlets carrying them (desc), then key."""
    blocks: dict[tuple[str, str], list[Features]] = {}
    for f in features_of(claims):
        blocks.setdefault(block_key(f), []).append(f)
    facts = [
        summarise(cluster, family)
        for (_, family), block in blocks.items()
        for cluster in _cluster(block, threshold)
    ]
    return order_facts(facts)


def order_facts(facts: list[Fact]) -> list[Fact]:
    return sorted(
        facts, key=lambda f: (f.status != "conflict", -f.source_count, -len(f.sources), f.key)
    )


def _cluster(block: list[Features], threshold: float) -> list[list[Features]]:
    block = sorted(block, key=_claim_id)
    clusters: list[Cluster] = []
    members: list[list[Features]] = []
    for f, k in zip(block, assign_to_clusters(block, clusters, threshold), strict=True):
        if k == len(members):
            members.append([])
        members[k].append(f)
    return [sorted(c, key=_source_order) for c in members]


def _claim_id(f: Features) -> int:
    return f.claim.id


def _source_order(f: Features) -> tuple[int, int]:
    return f.claim.article_id, f.claim.id


def _carriers(c: DiffClaim) -> list[str]:
    """The outlets carrying the claim's text, in publication order, each once."""
    own = f"article {c.article_id}"
    names = [p.outlet or own for p in c.publications] or [c.outlet or own]
    return list(dict.fromkeys(names))


def _label(c: DiffClaim) -> str:
    return ", ".join(_carriers(c))


def _value(c: DiffClaim) -> str:
    parts = [describe_quantity(c)] if c.value is not None else []
    if span := describe_span(c.time_start, c.time_end):
        parts.append(span)
    if c.modality == "denied":
        parts.append("denied")
    return ", ".join(parts) or "no figure"


def stored_fact(claims: Sequence[DiffClaim], *, fact_id: int) -> Fact:
    """A stored fact (app.store.fact_models) from its claims, as build_ledger summarises one."""
    features = sorted(features_of(claims), key=_source_order)
    return summarise(features, block_key(features[0])[1], fact_id=fact_id)


def summarise(cluster: list[Features], family: str, *, fact_id: int | None = None) -> Fact:
    """A fact's sources, values and status from its claims (sorted by article, then id)."""
    sources = [f.claim for f in cluster]
    first = sources[0]
    values = [v for v, _ in Counter(_value(c) for c in sources).most_common()]
    # Sources that share value, dates and denial compare alike: check one of each only.
    groups: dict[tuple[object, ...], list[Features]] = {}
    for f in cluster:
        as_of = f.as_of if f.aspect == "state" else None  # when a state holds matters too
        key = (f.interval, f.time, as_of, f.claim.modality == "denied")
        groups.setdefault(key, []).append(f)
    reps = [(g[0], ", ".join(sorted({_label(f.claim) for f in g}))) for g in groups.values()]
    conflict: tuple[str, str, str] | None = None
    refines = 0
    updates: list[tuple[str, str, str]] = []
    for (a, left), (b, right) in combinations(reps, 2):
        relation, note = classify(a, b)
        if relation is Relation.conflict:
            conflict = left, right, note
            break  # the first conflict explains the fact; the rest would go unread
        refines += relation is Relation.refines
        if relation is Relation.updates:
            updates.append((left, right, note))
    status: Status
    if conflict:
        left, right, note = conflict
        status, explanation = "conflict", f"{left} (left) vs {right} (right): {note}"
    elif updates:
        status = "updates"
        left, right, note = updates[0]
        explanation = f"later values of a changing figure: {left} (left) vs {right} (right): {note}"
        explanation += f"; {len(updates) - 1} more such pair(s)" if len(updates) > 1 else ""
    elif len({c.article_id for c in sources}) > 1:
        status = "consensus"
        outlets = ", ".join(sorted({name for c in sources for name in _carriers(c)}))
        explanation = f"{len(sources)} articles agree ({outlets})"
        explanation += f"; {refines} pair(s) differ only in precision" if refines else ""
    elif len(carriers := _carriers(first)) > 1:
        status = "single"
        explanation = f"one text reports it, carried by {len(carriers)} outlets ({_label(first)})"
    else:
        status, explanation = "single", f"only {_label(first)} reports it"
    types = Counter(sorted(c.claim_type for c in sources)).most_common(1)
    headline = " · ".join(p for p in (first.subject, first.predicate, first.object) if p)
    return Fact(
        id=fact_id,
        key=f"{cluster[0].subject}/{family or 'no-figure'}/{min(c.id for c in sources)}",
        subject=first.subject,
        claim_type=types[0][0],
        headline=headline,
        sources=sources,
        status=status,
        values=values,
        explanation=explanation,
    )
