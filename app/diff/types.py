"""What the diff works on and what it answers: a claim as the diff sees it, and aligned pairs.

Shared by app.diff.rules and app.diff.align, so neither imports the other in a cycle.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime
from enum import StrEnum


@dataclass(frozen=True)
class PublicationRef:
    """One outlet's publication of the text a claim was found in."""

    id: int
    outlet: str | None
    url: str | None


@dataclass(frozen=True)
class DiffClaim:
    """What the diff needs of a stored claim."""

    id: int
    article_id: int
    run_id: int | None  # None for a claim a curator added by hand
    outlet: str | None
    published_at: datetime | None
    statement: str
    claim_type: str
    subject: str  # canonical entity key after alias normalization; compared casefolded
    subject_type: str
    predicate: str
    object: str | None
    value: float | None
    unit: str | None
    qualifier: str | None
    time_text: str | None
    time_start: date | None
    time_end: date | None
    location: str | None
    attribution: str | None
    modality: str
    quote: str
    char_start: int
    char_end: int
    # Canonical fact fields (news_claims@v2 and later); None for claims of older schemas,
    # which the diff then aligns by their words as before.
    fact_kind: str | None = None
    object_entity: str | None = None  # canonical entity key, like `subject`
    unit_kind: str | None = None
    aspect: str | None = None  # event (happened at a time) or state (true as of a time)
    fact_id: int | None = None  # the stored fact it was assigned to (app.store.fact_models)
    # Every publication of the claim's text: wire copy carried by three outlets is one claim
    # with three. Empty where the caller knows none (the claim's own outlet then stands).
    publications: tuple[PublicationRef, ...] = ()
    # One place of a list its article gives (app.diff.places): another figure of its kind, unit
    # and aspect, for a day in common (or undated), at another place.
    listed: bool = False

    @property
    def source(self) -> str:
        """Who said it, in a line: its outlet, or its article where no outlet is known."""
        return self.outlet or f"article {self.article_id}"


class Relation(StrEnum):
    agree = "agree"
    conflict = "conflict"
    refines = "refines"
    updates = "updates"  # a later value of a changing state, never a conflict


@dataclass(frozen=True)
class Pair:
    relation: Relation
    left: DiffClaim
    right: DiffClaim
    score: float
    explanation: str
    # The claim of a third article that matched both claims and so made the pair
    # (app.diff.bridges); None for a pair its own score, a curator or the adjudicator made.
    linked_by: DiffClaim | None = None
    # For a pair no entity in common ties, made as its two articles make this many other pairs
    # (app.diff.align's story ties); None otherwise.
    story_pairs: int | None = None
    # For a pair one precise figure on both sides made (app.diff.structured.score_structured):
    # what the two claims scored without it, under the threshold; None otherwise.
    scored_without_figure: float | None = None


@dataclass(frozen=True)
class DiffResult:
    pairs: list[Pair]
    only_left: list[DiffClaim]
    only_right: list[DiffClaim]
    summary: dict[str, int]
    # Pairs of claims left unmatched that may still be one fact: a conflict held back because
    # one of its claims matches another claim about as well or because one figure is an
    # event's and the other a state's, or a pair scored under the threshold. Not counted in
    # `summary`; a reader (or an adjudicator) decides. One-to-one.
    undecided: list[Pair] = field(default_factory=list)
    # Asked for (diff_claims' with_untied): pairs among claims still unmatched that name no
    # entity in common, put to an adjudicator only, never shown to a reader as they are.
    for_judge: list[Pair] = field(default_factory=list)


# The order a diff lists its pairs in: conflicts first, agreements last.
RELATION_ORDER = {Relation.conflict: 0, Relation.updates: 1, Relation.refines: 2, Relation.agree: 3}


def pair_order(pair: Pair) -> tuple[int, float, int, int]:
    """Sort key of a diff's pairs: by relation, best score first, then claim ids (side-blind)."""
    low, high = sorted((pair.left.id, pair.right.id))
    return (RELATION_ORDER[pair.relation], -pair.score, low, high)


def with_made(result: DiffResult, made: list[Pair], undecided: list[Pair]) -> DiffResult:
    """``result`` with the undecided pairs ``made`` made (by a third source or an
    adjudicator), ``undecided`` what stays so, and its lists and summary following."""
    if not made:
        return replace(result, undecided=undecided)
    pairs = sorted([*result.pairs, *made], key=pair_order)
    paired = {c.id for p in made for c in (p.left, p.right)}
    only_left = [c for c in result.only_left if c.id not in paired]
    only_right = [c for c in result.only_right if c.id not in paired]
    summary = summary_of(pairs, only_left, only_right)
    for_judge = [p for p in result.for_judge if not {p.left.id, p.right.id} & paired]
    return DiffResult(pairs, only_left, only_right, summary, undecided, for_judge)


def summary_of(
    pairs: list[Pair], only_left: list[DiffClaim], only_right: list[DiffClaim]
) -> dict[str, int]:
    """A diff's counts: its pairs by relation, and the claims each side states alone."""
    summary = {r.value: sum(p.relation is r for p in pairs) for r in Relation}
    return summary | {"only_left": len(only_left), "only_right": len(only_right)}
