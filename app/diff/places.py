"""Figures an article gives place by place: a storm's dead town by town, an election's turnout
district by district, an outbreak's cases county by county.

When one article reports one kind of figure, in one unit and aspect, for one day (or undated)
at two places or more, each figure belongs to its place: the article itself tells the places
apart. Two such figures from two articles, each one place of its article's list, at places
that differ, are two places' figures, however alike the rest of them is ("Storm Ysolde injured
seven in Pellwick" and "... seven in Lindarrow", both naming the storm). The diff and the
ledger keep them apart (`places_apart`, a gate of app.diff.structured).

A place difference alone is no such evidence. A claim's place may be where it was said (a
regional government's count; turnout announced in the capital), either end of a journey (a
ferry boarded at Velmont sank off Tarrow), or a town of the region the other claim names: 43
gold pairs of eval/dev (both wordings) place their two figures differently. So the gate asks
for the list in both articles, and for neither claim to name the other's place in its own
words ("turnout in Corran, announced at the count in Pellow"; a place's capitalised words are
its name, so "Corran" names "Corran district"). On eval/dev it keeps apart 201 pairs, all in
the three stories written to test it, and no gold pair; on holdout, 10 pairs of the car recall
story, none gold; on test, none.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import replace
from datetime import date
from functools import lru_cache
from itertools import combinations
from typing import Protocol

from app.core.names import name_words, same_word
from app.diff.features import Features
from app.diff.rules import Span, gap_days, time_span, unit_family, unit_key
from app.diff.types import DiffClaim


class Placed(Protocol):
    """What listing reads of a claim: a stored claim's columns, or a DiffClaim."""

    @property
    def id(self) -> int: ...
    @property
    def article_id(self) -> int: ...
    @property
    def run_id(self) -> int | None: ...
    @property
    def value(self) -> float | None: ...
    @property
    def unit(self) -> str | None: ...
    @property
    def unit_kind(self) -> str | None: ...
    @property
    def fact_kind(self) -> str | None: ...
    @property
    def aspect(self) -> str | None: ...
    @property
    def time_start(self) -> date | None: ...
    @property
    def time_end(self) -> date | None: ...
    @property
    def location(self) -> str | None: ...


@lru_cache(maxsize=16384)
def place_words(place: str | None) -> tuple[str, ...]:
    """A place's words of three letters or more, without numbers."""
    return tuple(w for w in name_words(place or "") if len(w) >= 3 and not w.isdigit())


def places_differ(a: str | None, b: str | None) -> bool:
    """Two places given, neither of which holds the other's words: "Corran district" and
    "Lisker district" differ; "Harrowby" and "outside Harrowby", "Tallow" and "Tallow region"
    do not (the one is in the other, or is the other said more precisely)."""
    wa, wb = place_words(a), place_words(b)
    return bool(wa and wb) and not _within(wa, wb) and not _within(wb, wa)


def _within(words: tuple[str, ...], others: Iterable[str]) -> bool:
    return all(any(same_word(w, o) for o in others) for w in words)


def placed(c: Placed) -> bool:
    """A figure given at a place, of a fact kind: what a list is made of."""
    return c.value is not None and bool(c.fact_kind) and bool(c.location)


def listed_ids(claims: Iterable[Placed]) -> frozenset[int]:
    """The claims that are one place of a list in their article (of one run): another claim
    of that run gives a figure of the same fact kind, unit family (and unit, for counts of
    things and units of kind "other") and aspect, for a day in common (an undated figure
    counts for any day: "31 cases in Thornby" beside Monday's counts of two other counties),
    at a place that differs (`places_differ`)."""
    lists: dict[tuple[Hashable, ...], list[tuple[Placed, Span | None]]] = defaultdict(list)
    for c in claims:
        if not placed(c):
            continue
        family = unit_family(c.unit, c.unit_kind)
        # "count" holds households and lorries alike, "other" gigawatts and degrees: there the
        # unit itself says what is listed.
        unit = unit_key(c.unit)[0] if c.unit_kind in ("count", "other") else ""
        key = (c.article_id, c.run_id, c.fact_kind, family, unit, c.aspect)
        lists[key].append((c, time_span(c.time_start, c.time_end)))
    found: set[int] = set()
    for items in lists.values():
        for (a, ta), (b, tb) in combinations(items, 2):
            one_day = ta is None or tb is None or gap_days(ta, tb) == 0
            if one_day and places_differ(a.location, b.location):
                found.update((a.id, b.id))
    return frozenset(found)


def mark_listed(claims: Sequence[DiffClaim]) -> list[DiffClaim]:
    """The claims, each `listed` when `listed_ids` finds it one place of a list."""
    found = listed_ids(claims)
    return [replace(c, listed=c.id in found) if c.listed != (c.id in found) else c for c in claims]


def places_apart(a: Features, b: Features) -> bool:
    """Two claims each one place of its article's list, at places that differ, neither naming
    the other's place in its own words: two places' figures, never one fact. A claim placed
    where it was said often names the place it counts ("Turnout in Corran was 61.4 percent,
    the returning officer announced at the count in Pellow"), and then the places prove
    nothing."""
    la, lb = a.claim.location or "", b.claim.location or ""
    if not (a.claim.listed and b.claim.listed and places_differ(la, lb)):
        return False
    return not _names(b, la, place_words(lb)) and not _names(a, lb, place_words(la))


def _names(c: Features, place: str, own: tuple[str, ...]) -> bool:
    """Whether claim c, placed at `own`, names `place` in its statement, object or entities:
    every word of its name (its capitalised words, where it has any) that c's own place
    lacks. "Brisk's turnout, read out at Carrow Hall" names Brisk district; "turnout in
    Haldon district" says "district", but names no other district."""
    words = c.sentence_words.union(*c.entity_words)
    distinct = [w for w in _name_of(place) if not any(same_word(w, o) for o in own)]
    return all(any(same_word(w, x) for x in words) for w in distinct)


@lru_cache(maxsize=16384)
def _name_of(place: str) -> tuple[str, ...]:
    """A place's proper name: the words of its capitalised words ("Corran" of "Corran
    district", "Castrelle" of "southern Castrelle"), else all its words."""
    proper = " ".join(w for w in place.split() if w[:1].isupper())
    return place_words(proper) or place_words(place)
