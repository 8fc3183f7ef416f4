"""Clustering claims into facts: one pass over a block's claims, in id order, against the
facts so far (`assign_to_clusters`); the ledger's clusters at query time and the stored facts
that workers extend as they store claims (app.services.facts) are the same computation.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable
from dataclasses import dataclass
from heapq import heappop, heappush
from itertools import groupby

from app.diff.features import Features
from app.diff.lead_index import LeadIndex
from app.diff.relations import mixed_conflict
from app.diff.scoring import DEFAULT_THRESHOLD, score_lexical
from app.diff.structured import PairMemo, score_structured

EXEMPLARS = 3
# Keeps float rounding from ever deciding that a mean is out of reach when it is not.
_FLOAT_SLACK = 1e-9


@dataclass
class Cluster:
    """What a new claim is compared with: a fact's leader and first exemplars, and its articles.

    ``members`` holds the leader (its first claim by id) and the next EXEMPLARS - 1 claims; the
    rest of a stored fact need not be loaded to extend it.
    """

    members: list[Features]
    articles: set[int]


def assign_to_clusters(
    block: list[Features], clusters: list[Cluster], threshold: float = DEFAULT_THRESHOLD
) -> list[int]:
    """Single pass in id order: each claim joins the cluster it matches best, or starts one.

    Returns each claim's cluster index; ``clusters`` (the facts stored so far, or none) is
    extended in place with the clusters claims start.

    A claim can join a cluster if it scores at least the threshold against the cluster's
    leader (its first claim) and on average against its first EXEMPLARS claims, and no claim
    of its article is already there. Comparing with a few exemplars, not every member, keeps
    a busy entity linear in its claims times its facts; requiring the mean keeps "217 more
    officers" from chaining through a loose paraphrase to "a first contingent of 400".

    The claims of one article (consecutive in id order) take their clusters together, the
    best mean first, one claim per cluster, as the diff pairs two articles one to one: in id
    order, "economists expected 3.3% inflation" would take the fact of "core inflation was
    2.9%" before "core inflation was 2.8%" came, and the 2.8% would go on to the next best
    fact, one about wages, and show a false conflict there. Ties go to the earlier claim,
    then the lower cluster index. A claim left without a cluster starts one.
    """
    ids: dict[tuple[Hashable, ...], int] = {}
    keys = [ids.setdefault(f.scoring_key(), len(ids)) for f in block]
    repeats = Counter(keys)
    # Wire copy and repeated figures give many claims one scoring key, and a cluster's leader
    # and exemplars stop changing once it has EXEMPLARS members, so the match of a key with a
    # full cluster is computed once. A key seen once never comes back, so is not kept.
    memo: dict[int, dict[int, float | None]] = {}
    pairs: PairMemo = {}
    index = LeadIndex()
    for k, cluster in enumerate(clusters):
        index.add(k, cluster.members[0])
    chosen: list[int] = []
    rows = zip(block, keys, strict=True)
    for article, claims in groupby(rows, key=lambda row: row[0].claim.article_id):
        group = list(claims)
        options: list[tuple[float, int, int]] = []  # (mean, claim's place, cluster)
        for place, (f, key) in enumerate(group):
            known = memo.setdefault(key, {}) if repeats[key] > 1 else None
            best: list[float] = []  # the claim's len(group) best means so far, a min-heap
            for k in index.candidates(f, pairs, threshold):
                cluster = clusters[k]
                if article in cluster.articles:
                    continue
                if known is None or len(cluster.members) < EXEMPLARS:
                    mean = _match(f, cluster.members, _floor(best, len(group), threshold), pairs)
                elif k in known:
                    mean = known[k]
                else:
                    mean = known[k] = _match(f, cluster.members, threshold, pairs)
                if mean is not None:
                    options.append((mean, place, k))
                    heappush(best, mean)
                    if len(best) > len(group):
                        heappop(best)
        options.sort(key=lambda o: (-o[0], o[1], o[2]))
        taken: dict[int, int] = {}  # claim's place -> cluster
        used: set[int] = set()
        for _, place, k in options:
            if place not in taken and k not in used:
                taken[place] = k
                used.add(k)
        for place, (f, _) in enumerate(group):
            k = taken.get(place, -1)
            if k < 0:
                clusters.append(Cluster([f], {article}))
                k = len(clusters) - 1
                index.add(k, f)
            else:
                cluster = clusters[k]
                if len(cluster.members) < EXEMPLARS:
                    cluster.members.append(f)
                cluster.articles.add(article)
            chosen.append(k)
    return chosen


def fact_score(
    f: Features, members: list[Features], floor: float, pairs: PairMemo | None = None
) -> float | None:
    """How assignment scores a claim against a fact (its leader and first exemplars of
    ``members``, in id order): the mean, or None when the leader or the mean is under
    ``floor``. With a floor under the threshold it tells how near a claim came to a fact.
    A conflict between an event's figure and a state's is scored, not held back: such a
    pair is one to check."""
    return _match(f, members[:EXEMPLARS], floor, {} if pairs is None else pairs, hold_back=False)


def _floor(best: list[float], size: int, threshold: float) -> float:
    """The least mean a claim's next cluster needs to matter: the other claims of its article
    take one cluster each at most, so a claim takes one of its `size` best, and a cluster
    scoring under all of them (ties kept) is never its choice."""
    return max(threshold, best[0]) if len(best) >= size else threshold


def _match(
    f: Features,
    cluster: list[Features],
    threshold: float,
    pairs: PairMemo,
    *,
    hold_back: bool = True,
) -> float | None:
    """Mean score of f against the cluster's leader and exemplars; None below threshold.
    Each score is asked (score_features' floor) only for what the mean still needs, the later
    exemplars scoring 1 at best; short of that, the mean is out of reach. score_features is
    called through here by hand (structured pairs to score_structured, with its floor and
    memo; others to score_lexical): its own dispatch was a twentieth of clustering.
    A claim whose figure conflicts with a member's of the other aspect (an event's and a
    state's) does not join: the diff holds such a conflict back (app.diff.relations)."""
    structured = f.structured
    leader = cluster[0]
    if structured and leader.structured:
        lead = score_structured(f, leader, floor=threshold, memo=pairs)
    else:
        lead = score_lexical(f, leader)
    if lead < threshold or (hold_back and mixed_conflict(f, leader)):
        return None
    sample = cluster[1:EXEMPLARS]
    scores: list[float] = []
    need = threshold * (1 + len(sample)) - lead
    for i, m in enumerate(sample):
        floor = need - (len(sample) - 1 - i) - _FLOAT_SLACK
        if structured and m.structured:
            score = score_structured(f, m, floor=max(floor, 0.0), memo=pairs)
        else:
            score = score_lexical(f, m)
        if score < floor or (hold_back and mixed_conflict(f, m)):
            return None
        need -= score
        scores.append(score)
    mean = (lead + sum(scores)) / (1 + len(sample))
    return mean if mean >= threshold else None
