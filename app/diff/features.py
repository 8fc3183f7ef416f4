"""A claim as the diff compares it, normalized once so that scoring a pair does no regex work."""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from weakref import WeakValueDictionary

from app.core.names import MIN_STEM, name_words, same_word
from app.diff.rules import Interval, quantity_interval, time_span, unit_family, unit_key
from app.diff.types import DiffClaim
from app.diff.words import (
    Text,
    content_words,
    normalize_predicate,
    normalize_short_text,
    normalize_text,
)


class PairKey:
    """A claim's fields as `score_structured`'s memo keys them, one object per distinct value
    (interned), so the ledger's many lookups hash and compare by identity."""

    __slots__ = ("__weakref__", "fields")

    def __init__(self, fields: tuple[Hashable, ...]) -> None:
        self.fields = fields


# Weak: a key lives as long as some claim's features hold it, in a worker that runs for days.
_KEYS: WeakValueDictionary[tuple[Hashable, ...], PairKey] = WeakValueDictionary()


_WORDS_ONLY = PairKey(())


def pair_key(fields: tuple[Hashable, ...]) -> PairKey:
    key = _KEYS.get(fields)
    if key is None:
        key = _KEYS.setdefault(fields, PairKey(fields))
    return key


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
    as_of: tuple[int, int] | None  # `days`, else the publication day: when a state holds
    magnitude: float  # abs(value), 0 without a figure
    scopes: frozenset[str]
    # Canonical fact fields (news_claims@v2): None for claims of older schemas.
    fact_kind: str | None
    object_entity: str | None
    aspect: str | None
    percent: bool  # the figure is a percentage: "about" then means ±1 point
    gist: Text  # the statement without the names of its entities: what it says of them
    # What the figure measures, in the claim's own short fields (predicate, unit noun, object)
    # without its entities' names: "had core inflation of percent" vs "had annual inflation of
    # percent". The gist compares whole sentences; this compares the few words that name the
    # measure, which v2's prompt asks to word canonically.
    measure: Text
    # The evidence quote's words (`quote_words`): the article's own words for the fact, so
    # unlike the claim's fields they do not change with how a model words a claim ("600 family
    # tents were standing" and "some 900 tents had been pitched", whoever the subject and
    # whatever the verb).
    quote: frozenset[str]
    unit_words: str  # the unit noun as compared ("deaths", "police officers"), "" for none
    entity_words: tuple[tuple[str, ...], ...]  # the words of each entity the claim names
    sentence_words: frozenset[str]  # the words of its statement, object and place
    # All that the structured score reads but the figure's value (`score_structured`'s memo).
    pair_key: PairKey = field(init=False, compare=False)

    def __post_init__(self) -> None:
        if self.fact_kind is None:  # only structured pairs are memoised
            object.__setattr__(self, "pair_key", _WORDS_ONLY)
            return
        key = (self.subject, self.object_entity, self.claim.location, self.entity_words,
               self.sentence_words, self.fact_kind, self.family, self.interval is None,
               self.aspect, self.days, self.as_of, self.gist[:2], self.measure[:2],
               self.quote, self.unit_words, self.claim.unit_kind, self.predicate, self.stems,
               self.percent, self.claim.qualifier, self.claim.listed)  # fmt: skip
        object.__setattr__(self, "pair_key", pair_key(key))

    @property
    def structured(self) -> bool:
        """Aligned by its canonical fact fields rather than by its words."""
        return self.fact_kind is not None

    def scoring_key(self) -> tuple[Hashable, ...]:
        """All that `score_features` reads; the ledger reuses scores across equal keys."""
        return (self.subject, self.statement.masked, self.predicate, self.object, self.location,
                self.claim.claim_type, self.interval, self.family, self.unit, self.days,
                self.magnitude, self.scopes, self.fact_kind, self.object_entity, self.aspect,
                self.claim.published_at, self.measure.masked, self.unit_words,
                self.entity_words, self.sentence_words, self.claim.location,
                self.claim.listed)  # fmt: skip


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
        span = time_span(c.time_start, c.time_end)
        days = None if span is None else (span[0].toordinal(), span[1].toordinal())
        counted = c.value is not None
        day = c.published_at.date().toordinal() if c.published_at else None
        published = None if day is None else (day, day)
        unit = unit_key(c.unit)[0] if counted else None
        percent = counted and (c.unit_kind == "percent" or unit == "percent")
        out.append(Features(
            claim=c,
            subject=c.subject.strip().casefold(),
            statement=statement,
            predicate=predicate,
            stems=stems,
            object=obj,
            location=None if c.location is None else normalize_short_text(c.location),
            unit=unit,
            family=unit_family(c.unit, c.unit_kind) if counted else None,
            interval=quantity_interval(c.value, c.qualifier, percent=percent)
            if c.value is not None else None,
            time=span,
            days=days,
            as_of=days or published,
            magnitude=abs(float(c.value or 0)),
            scopes=statement.scopes | predicate_scopes | (obj.scopes if obj else frozenset()),
            fact_kind=c.fact_kind,
            object_entity=None if c.object_entity is None else c.object_entity.strip().casefold(),
            aspect=c.aspect if counted else None,
            percent=percent,
            gist=_gist(statement, c.subject, c.object_entity) if c.fact_kind else statement,
            measure=_measure(c) if c.fact_kind else _NO_MEASURE,
            quote=quote_words(c.quote),
            unit_words=normalize_short_text(c.unit).masked if counted and c.unit else "",
            entity_words=_entity_words(c),
            sentence_words=_sentence_words(c),
        ))  # fmt: skip
    return out


def _sentence_words(c: DiffClaim) -> frozenset[str]:
    # A number is no name; without the figure's digits, a daily tally's claims share a key.
    words = name_words(" ".join(w for w in (c.statement, c.object, c.location) if w))
    return frozenset(w for w in words if not w.isdigit())


_NO_MEASURE = Text("", "", frozenset())
QUOTE_STEM = 6  # "deployed" ~ "deployment", "officers" !~ "officials"; shorter words whole


@lru_cache(maxsize=16384)
def quote_words(quote: str) -> frozenset[str]:
    """The stems of a quote's words of three letters or more, without stopwords or numbers."""
    # Not through normalize_short_text: quotes are each new, and would push the small
    # vocabulary of objects, places and units out of its cache.
    words = content_words(quote)
    return frozenset(w[:QUOTE_STEM] for w in words if len(w) >= 3 and w != "#")


def _entity_words(c: DiffClaim) -> tuple[tuple[str, ...], ...]:
    kept = (_entity_name_words(n) for n in (c.subject, c.object_entity, c.location) if n)
    return tuple(ws for ws in kept if ws)


@lru_cache(maxsize=16384)
def _entity_name_words(name: str) -> tuple[str, ...]:
    return tuple(w for w in name_words(name) if len(w) >= 3 and not w.isdigit())


def _measure(c: DiffClaim) -> Text:
    """The predicate, the unit noun (not a currency code: the family compares that) and the
    object, without the claim's entity names."""
    unit = c.unit if c.value is not None and c.unit_kind != "currency" else None
    words = " ".join(w for w in (c.predicate, unit, c.object) if w)
    return _gist(normalize_short_text(words), c.subject, c.object_entity)


# Predicates, units and objects recur across claims, and wire copy repeats statements.
@lru_cache(maxsize=16384)
def _gist(statement: Text, subject: str, object_entity: str | None) -> Text:
    """The statement's words that do not name its subject or object entity.

    Two claims about one actor share its name, however different what they say of it; the
    comparison of what they say should not count it.
    """
    names = frozenset(name_words(subject) + (name_words(object_entity) if object_entity else ()))
    stems = [n for n in names if len(n) >= MIN_STEM]
    words = [
        w
        for w in statement.masked.split()
        if w not in names and not (len(w) >= MIN_STEM and any(same_word(w, n) for n in stems))
    ]
    return Text(" ".join(words), " ".join(sorted(words)), statement.scopes)
