"""Figures two articles give place by place: each place's figure pairs with its own place's,
never with another town's, however alike the rest (app.diff.places)."""

from __future__ import annotations

from datetime import date
from typing import Any

from app.diff.align import diff_claims
from app.diff.ledger import build_ledger
from app.diff.places import listed_ids, mark_listed, places_differ
from app.diff.types import DiffClaim, Relation
from tests.app.diff.test_canonical import v2

# A landslide story written for these tests: one outlet counts the dead in Ambry and Corlen,
# another in Corlen and Deswick, each town by its own authority; the subject is the slide.
SLIDE: dict[str, Any] = dict(
    fact_kind="casualties", subject="orvell landslide", subject_type="event",
    predicate="killed", object_entity=None, unit="people", unit_kind="persons",
    aspect="event", time_text="on Sunday", time_start=date(2026, 3, 8),
    time_end=date(2026, 3, 8),
)  # fmt: skip


def town(article: int, place: str, value: int, **fields: Any) -> DiffClaim:
    said = f"The Orvell landslide killed {value} people in {place} on Sunday."
    return v2(**{**SLIDE, "article_id": article, "run_id": article, "location": place,
                 "value": value, "statement": said, "quote": said, **fields})  # fmt: skip


def test_an_article_that_counts_town_by_town_lists_each_town() -> None:
    ambry, corlen = town(1, "Ambry", 4), town(1, "Corlen", 4)
    region = town(1, "Orvell region", 11, aspect="state")  # a total: another aspect
    monday = town(1, "Deswick", 2, time_start=date(2026, 3, 9), time_end=date(2026, 3, 9))
    alone = town(2, "Deswick", 4)  # the only figure of its article
    assert listed_ids([ambry, corlen, region, monday, alone]) == {ambry.id, corlen.id}
    # An undated figure is of any day's list: "one dead in Eskby" beside Monday's two.
    undated = town(1, "Eskby", 1, time_text=None, time_start=None, time_end=None)
    assert listed_ids([monday, undated]) == {monday.id, undated.id}
    # "outside Corlen" is Corlen: no list of two places.
    assert listed_ids([corlen, town(1, "outside Corlen", 3)]) == frozenset()


def test_equal_figures_of_two_towns_do_not_pair_and_each_town_finds_its_own() -> None:
    first = mark_listed([town(1, "Ambry", 4), town(1, "Corlen", 7)])
    second = mark_listed([town(2, "Corlen", 5), town(2, "Deswick", 4)])
    result = diff_claims(first, second)
    [pair] = result.pairs
    # Ambry's 4 and Deswick's 4 are two towns' dead; Corlen's 7 and 5 are a conflict.
    assert (pair.left.location, pair.left.value, pair.right.location, pair.right.value) == (
        "Corlen", 7, "Corlen", 5)  # fmt: skip
    assert pair.relation is Relation.conflict
    assert result.undecided == []
    facts = build_ledger([*first, *second])
    assert sorted(sorted((c.location, c.value) for c in f.sources) for f in facts) == [
        [("Ambry", 4)], [("Corlen", 5), ("Corlen", 7)], [("Deswick", 4)]]  # fmt: skip


def test_without_the_lists_the_towns_equal_tolls_pair() -> None:
    # The same claims not marked as lists: the slide ties them, and the figures agree. This is
    # the false pair the lists prevent.
    first = [town(1, "Ambry", 4), town(1, "Corlen", 7)]
    second = [town(2, "Corlen", 5), town(2, "Deswick", 4)]
    made = {(p.left.location, p.right.location) for p in diff_claims(first, second).pairs}
    assert ("Ambry", "Deswick") in made


def grid(article: int, place: str, value: int) -> DiffClaim:
    said = f"About {value:,} households lost power in {place} on Sunday."
    return v2(**{**SLIDE, "fact_kind": "other", "subject": "castrelle grid",
                 "predicate": "cut power to", "unit": "households", "unit_kind": "count",
                 "qualifier": "about", "statement": said, "quote": said, "value": value,
                 "location": place, "article_id": article, "run_id": article})  # fmt: skip


def test_a_place_one_article_alone_lists_still_meets_a_figure_placed_elsewhere() -> None:
    # The grid's count for the south against a regional government's count, said in Valoro:
    # the first article gives one figure, no list, so its place may be where it was said and
    # the pair stands, though the second lists Valoro and Mirra.
    left = mark_listed([grid(1, "southern Castrelle", 180_000)])
    right = mark_listed([grid(2, "Valoro", 240_000), grid(2, "Mirra", 9_000)])
    assert [c.listed for c in left] == [False] and [c.listed for c in right] == [True, True]
    [pair] = diff_claims(left, right).pairs
    assert (pair.left.location, pair.right.location) == ("southern Castrelle", "Valoro")
    assert pair.relation is Relation.conflict


def test_places_differ_unless_one_holds_the_others_words() -> None:
    assert places_differ("Corran district", "Lisker district")
    assert places_differ("Ambry", "Corlen")
    assert not places_differ("Tallow", "Tallow region")
    assert not places_differ("outside Corlen", "Corlen")
    assert not places_differ("Ambry", None)


def turnout(article: int, place: str, value: float, said: str) -> DiffClaim:
    return v2(**{**SLIDE, "fact_kind": "other", "subject": "merrin election commission",
                 "subject_type": "organization", "predicate": "put turnout at", "unit": "%",
                 "unit_kind": "percent", "aspect": "state", "value": value, "location": place,
                 "statement": said, "quote": said, "article_id": article,
                 "run_id": article})  # fmt: skip


def test_a_figure_placed_where_it_was_announced_still_meets_its_own_district() -> None:
    # Both articles list turnout district by district. The second places Brisk's figure at
    # the hall where it was announced, and names Brisk in its statement: the places prove
    # nothing, and the pair stands. Haldon's equal figure names neither.
    first = mark_listed([
        turnout(1, "Brisk district", 61.4, "Turnout in Brisk district was 61.4 percent."),
        turnout(1, "Oxley district", 57.0, "Turnout in Oxley district was 57 percent."),
    ])  # fmt: skip
    second = mark_listed([
        turnout(2, "Carrow Hall", 61.4, "Brisk turnout of 61.4 percent, read out at Carrow Hall."),
        turnout(2, "Haldon", 61.4, "Turnout in Haldon district was also 61.4 percent."),
    ])  # fmt: skip
    assert all(c.listed for c in first + second)
    [pair] = diff_claims(first, second).pairs
    assert (pair.left.location, pair.right.location) == ("Brisk district", "Carrow Hall")
    assert pair.relation is Relation.agree
