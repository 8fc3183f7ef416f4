"""A fact's "to check" list: other facts that may be the same fact, for a curator to merge.

Pure, like app.diff.align: the stored facts' claims come in, the facts scored near enough to
be worth a look go out. Assignment (app.diff.clustering) puts a claim in a fact only when it
scores at least the threshold against the fact's leader and first exemplars; a report worded
far apart from the first ("an initial group of 400 police sent in June" and "more than 600
police deployed now") then starts a fact of its own, and the ledger shows two unrelated facts.
The diff offers such a pair as undecided (app.diff.align.UNDECIDED_BAND); this offers the two
facts, scored as assignment scores a claim against a fact (`fact_score`), never a second way.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from app.diff.align import UNDECIDED_BAND
from app.diff.clustering import EXEMPLARS, fact_score
from app.diff.features import Features, features_of
from app.diff.relations import classify, mixed_aspects
from app.diff.scoring import DEFAULT_THRESHOLD, score_features
from app.diff.structured import PairMemo
from app.diff.types import DiffClaim, Relation

# A curator reads the list under each fact: the few nearest are worth a look, not a ranking.
MAX_TO_CHECK = 5


@dataclass(frozen=True)
class RelatedFact:
    """Another fact that may be this one: its best claim's mean score against the other fact,
    and how the best pair of the two relates (app.diff.relations.classify)."""

    fact_id: int
    score: float
    relation: Relation
    explanation: str
    claim: DiffClaim  # of this fact
    other: DiffClaim  # of the other fact
    mixed: bool = False  # the pair's figures conflict, one an event's and the other a state's

    @property
    def kept_apart(self) -> str | None:
        """Why two facts scoring as one were not filed as one; None when they scored under
        the threshold, which says it."""
        if self.mixed:
            return (
                f"They scored {self.score:.2f}, but one figure counts what happened at a time "
                "and the other what held at a time, so filing them as one fact in conflict "
                "would be a guess."
            )
        if self.score >= DEFAULT_THRESHOLD:
            return (
                f"They scored {self.score:.2f}, over the {DEFAULT_THRESHOLD:.2f} a claim needs, "
                "but assignment, which files each claim once and in order, kept them apart."
            )
        return None

    @property
    def why(self) -> str:
        """One line, as the diff's undecided pairs say it (app.diff.undecided.why)."""
        return self.kept_apart or (
            f"They scored {self.score:.2f}, under the {DEFAULT_THRESHOLD:.2f} a claim needs "
            "to join a fact."
        )


@dataclass(frozen=True)
class _Side:
    features: list[Features]  # of its first EXEMPLARS claims, in id order: what claims meet
    articles: frozenset[int]


def _side(claims: Sequence[DiffClaim]) -> _Side:
    # A fact stands for itself by its first claims, as assignment meets it: a busy fact's
    # hundreds of claims would cost a ledger page seconds and say nothing its first do not.
    first = sorted(claims, key=lambda c: c.id)[:EXEMPLARS]
    return _Side(features_of(first), frozenset(c.article_id for c in claims))


def facts_to_check(
    claims: Sequence[DiffClaim],
    candidates: Mapping[int, Sequence[DiffClaim]],
    *,
    threshold: float = DEFAULT_THRESHOLD,
    limit: int = MAX_TO_CHECK,
) -> list[RelatedFact]:
    """The candidate facts scored at least the threshold less the diff's undecided band, best
    first (then by fact id), at most ``limit``.

    A fact's score is the best of its first EXEMPLARS claims' scores against the candidate
    and the candidate's first claims' scores against it, each as assignment scores a claim
    against a fact: the mean against its leader and first exemplars. A claim is not scored
    against a fact holding a claim of its article, as assignment would not put it there: one
    article stating two figures tells them apart itself. A candidate scoring the threshold or
    more is offered too, unless an article reports both (it told them apart): assignment files
    each claim once, in id order, in the fact it scores best with then, so a fact started
    later, or scored from the other side, can still be one with this; and it keeps apart an
    event's figure and a state's in conflict.
    """
    return many_to_check({0: claims}, {0: list(candidates)}, candidates, threshold=threshold,
                         limit=limit)[0]  # fmt: skip


def many_to_check(
    facts: Mapping[int, Sequence[DiffClaim]],
    candidates: Mapping[int, Sequence[int]],
    claims_of: Mapping[int, Sequence[DiffClaim]],
    *,
    threshold: float = DEFAULT_THRESHOLD,
    limit: int = MAX_TO_CHECK,
) -> dict[int, list[RelatedFact]]:
    """`facts_to_check` for a page of facts at once (``candidates``: each fact's candidate ids,
    whose claims are in ``facts`` or ``claims_of``): each fact's features are made once and
    each two facts scored once, which a ledger page of forty facts, each the others'
    candidate, would otherwise pay eighty times."""
    sides: dict[int, _Side] = {}
    memo: PairMemo = {}
    scored: dict[tuple[int, int], tuple[float, Features, Features] | None] = {}

    def side(i: int) -> _Side | None:
        if i not in sides:
            claims = facts.get(i) or claims_of.get(i)
            # Claims of older schemas (news_claims@v1), scored by their words, are not offered:
            # on the evaluation set one in ten of the diff's such offers was one fact.
            if not claims or claims[0].fact_kind is None:
                return None
            sides[i] = _side(claims)
        return sides[i]

    out: dict[int, list[RelatedFact]] = {}
    for fact_id in facts:
        found: list[RelatedFact] = []
        for other in candidates.get(fact_id, ()) if side(fact_id) else ():
            low, high = sorted((fact_id, other))
            if (low, high) not in scored:
                a, b = side(low), side(high)
                scored[low, high] = None if a is None or b is None else _best(a, b, threshold, memo)
            best = scored[low, high]
            if best is None or (best[0] >= threshold and _told_apart(sides[low], sides[high])):
                continue
            score, x, y = best
            mine, theirs = (x, y) if fact_id == low else (y, x)
            relation, explanation = classify(mine, theirs)
            mixed = relation is Relation.conflict and mixed_aspects(mine, theirs)
            found.append(
                RelatedFact(other, score, relation, explanation, mine.claim, theirs.claim, mixed)
            )
        found.sort(key=lambda r: (-r.score, r.fact_id))
        out[fact_id] = found[:limit]
    return out


def _told_apart(a: _Side, b: _Side) -> bool:
    """An article reports both facts: it told them apart, whatever they score (several
    indicators of one economy in one month, one claim each)."""
    return not a.articles.isdisjoint(b.articles)


def _best(
    this: _Side, other: _Side, threshold: float, memo: PairMemo
) -> tuple[float, Features, Features] | None:
    """The best mean of a claim of one side against the other, with the pair it stands on
    (this side's claim first): the claim and the member of the other fact it scores best
    with. None when no claim comes within the band."""
    best: tuple[float, Features, Features] | None = None
    for mine, theirs, flipped in ((this, other, False), (other, this, True)):
        members = theirs.features
        seen: set[object] = set()
        for f in mine.features:
            if f.claim.article_id in theirs.articles:
                continue
            key = f.scoring_key()
            if key in seen:  # wire copy: one text, one score
                continue
            seen.add(key)
            mean = fact_score(f, members, threshold - UNDECIDED_BAND, memo)
            if mean is None or (best is not None and mean <= best[0]):
                continue
            nearest = max(members, key=lambda m: score_features(f, m, memo=memo))
            best = (mean, nearest, f) if flipped else (mean, f, nearest)
    return best
