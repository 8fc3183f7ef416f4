"""Alignment score of two claims with canonical fact fields (news_claims@v2), in [0, 1].

Two gates first, as facts: a claim of one kind of fact never pairs with a claim of another; two
figures of different unit families (persons, EUR, percent) are never one figure; two events
dated further apart than a report's slack are two events, and an event's total over a longer
time is not one of its parts. Then a pair needs a tie between its
actors: a common entity by name (`app.diff.entities`: words, stems, acronyms), or, weaker, an
entity of one claim named in the other's sentence when their places do not differ.

What passes is scored by a logistic model over the signals below (`signals`): how the entities
match, how alike the gist of the statements, the measure (predicate, unit noun, object) and the
predicates are, how many words the two evidence quotes share (the articles' own words, which do
not change with how a model words its claims), how close the figures are (events and states
apart: a state's figure changes over time, and a state's figure also by the values its
qualifiers allow: "at least 41" fits a later count of 128; two estimates, both "about", by how
far apart they are, since two sources' estimates of one figure often differ), how close the
times are, and whether the figures are both events or both states. Its weights are fitted on the
evaluation set's dev split (but the stories `bench.fit_alignment.NOT_FITTED` names), both
wordings, by `python -m bench.fit_alignment`, which chooses the
L2 penalty and the decision threshold by leave-one-story-out cross-validation and prints them
for `FIT_L2`, `FIT_THRESHOLD`, `BIAS` and `WEIGHTS`; the test split is not used to fit or to
choose. The bias is shifted so that a score of `DEFAULT_THRESHOLD` is the decision threshold
the fit chose; above it, scores rank candidate pairs for the one-to-one assignment in
`app.diff.align`. After the fit, one rule: two claims tied by a name that give one precise
figure (`same_precise_figure`) score at least the threshold when they score what an offer to
check needs (`score_structured`).
"""

from __future__ import annotations

import math
import operator
from collections.abc import Hashable, Mapping
from decimal import Decimal
from functools import lru_cache
from typing import NamedTuple

from rapidfuzz import fuzz

from app.core.names import same_word
from app.diff.entities import name_similarity
from app.diff.features import Features
from app.diff.places import places_apart, places_differ
from app.diff.rules import EVENT_SLACK_DAYS
from app.diff.similarity import predicate_sim, text_sim

OBJECT_ONLY = 0.6  # one object, two names for its actor ("rebels", "NLF")
CROSSED = 0.4  # "A offers B x" vs "B asks A for y": the same two parties, often another fact
PERCENT_SCALE = 10.0  # shares 10 points apart are as unlike as counts a factor 2 apart
EVENT_DECAY_DAYS = 7  # within the slack gate, a closer time is still a better match
STATE_DECAY_DAYS = 730  # a total as of June and as of January is one changing quantity
# An event figure over at least this many days, and at least this many times the other's span,
# may be a total of which the other is a part (`part_of_whole`). On eval/dev no gold pair comes
# near: at 2 days and twice the span it keeps the same pairs apart.
WHOLE_MIN_DAYS = 3
WHOLE_RATIO = 2
# What a pair needs to be made (app.diff.scoring's words-only scoring asks the same): the fit's
# decision threshold is shifted to it (`BIAS`).
DEFAULT_THRESHOLD = 0.65
# Two claims that pass the gates, tie their actors by a name and give one figure written with at
# least two significant digits (14 arrests, EUR 2.5bn, 61.4 percent; not 5 years or 20,000
# marchers) are one fact if they score what an offer to check needs (PRECISE_FLOOR,
# app.diff.align's DEFAULT_THRESHOLD - UNDECIDED_BAND): such a figure is rarely met twice by
# chance, while the varied wording names what it counts in words that share little ("Fourteen
# protesters were arrested" / "Fourteen people were detained"). A rule after the fit, like
# `_open_ties`'s. On eval/dev, of the pairs that reach the floor with one such figure, 131 are
# gold and 2 not; of the pairs offered with one figure of one digit, 2 in 6 are gold (a third
# try, a third mission). A tie by a mention alone is not enough: a place named in the sentence
# and a figure met by chance are two coincidences, and the two such pairs the rule would make
# are false (a reservoir at 31 percent of capacity and 31 percent of water lost to leaks, in
# the drought story; 19 patients in hospital and 19 new cases), where the ten it makes with a
# name are all gold (every split, session 17). Nor are two places that differ: across stories,
# the Department of Health's 151 measles infections in Carrow county and the Ministry of
# Health's 151 marsh fever cases in Glenmire County, seven months apart, tie by "Health" and
# score 0.63 by themselves; none of the ten gold pairs places its figures apart.
PRECISE_DIGITS = 2
PRECISE_FLOOR = 0.15

# The model's inputs by name, in the order of the fit's columns and of the scoring: first the
# signals that compare fields (cheap), then those that compare words (costly: a pair that cannot
# reach the floor even with the best words is not compared word by word).
# Among the field signals, the figure's are the only ones that read the figures' values: what
# the rest of a pair scores holds for any figures (`score_structured`'s memo).
TIE_SIGNALS = ("names", "mention")
FIGURE_SIGNALS = ("event_figure", "state_figure", "state_bounds", "hedged_gap")
SHAPE_SIGNALS = ("one_figure", "no_figure", "moment", "same_aspect", "kind_other")
FIELD_SIGNALS = TIE_SIGNALS + FIGURE_SIGNALS + SHAPE_SIGNALS
WORD_SIGNALS = ("gist", "measure", "unit", "no_unit", "predicate", "quote")
SIGNALS = FIELD_SIGNALS + WORD_SIGNALS

# Fitted by `python -m bench.fit_alignment` on eval/dev (both wordings), with the L2 penalty
# and decision threshold its leave-one-story-out cross-validation chose; see the module text.
FIT_L2 = 0.3
FIT_THRESHOLD = 0.4
BIAS = -16.7719
WEIGHTS = {
    "names": 3.3934,
    "mention": 2.8645,
    "event_figure": 7.1439,
    "state_figure": 3.6372,
    "state_bounds": 1.6579,
    "hedged_gap": 1.3117,
    "one_figure": 2.7363,
    "no_figure": 5.7623,
    "moment": 8.3464,
    "same_aspect": 1.1649,
    "kind_other": -1.4946,
    "gist": 1.3838,
    "measure": 0.2506,
    "unit": 1.7290,
    "no_unit": 1.6559,
    "predicate": 0.4633,
    "quote": 3.2673,
}


class Model(NamedTuple):
    """Weights in the order the scoring reads them."""

    bias: float
    ties: tuple[float, ...]
    figure: tuple[float, ...]
    shape: tuple[float, ...]
    words: tuple[float, ...]
    best_words: float  # the most the word signals can add

    @classmethod
    def of(cls, bias: float, weights: Mapping[str, float]) -> Model:
        words = {k: weights[k] for k in WORD_SIGNALS}
        best = sum(max(words[k], 0.0) for k in ("gist", "measure", "predicate", "quote"))
        best += max(words["unit"], words["no_unit"], 0.0)  # one of the two is 0
        groups = (TIE_SIGNALS, FIGURE_SIGNALS, SHAPE_SIGNALS)
        ties, figure, shape = (tuple(weights[k] for k in names) for names in groups)
        return cls(bias, ties, figure, shape, tuple(words.values()), best)


# What `score_structured` uses; bench.fit_alignment swaps it to cross-validate a fit.
MODEL = Model.of(BIAS, WEIGHTS)


def entity_ties(a: Features, b: Features) -> tuple[float, float]:
    """(by name, by mention): how well the two claims' actors match by their names (subjects
    first, then objects, then crossed: "Kenya sent police to Haiti" / "Haiti received Kenyan
    police"); and, only when no name matches, the largest share of one claim's entity names
    found in the other's sentence, 0 when both give a place and the places differ."""
    subject = name_similarity(a.subject, b.subject)
    oa, ob = a.object_entity, b.object_entity
    crossed = max(
        name_similarity(a.subject, ob) if ob else 0.0,
        name_similarity(oa, b.subject) if oa else 0.0,
    )
    if oa and ob:
        objects = name_similarity(oa, ob)
        names = max(0.6 * subject + 0.4 * objects, OBJECT_ONLY * objects)
    else:
        names = subject
    names = max(names, CROSSED * crossed)
    if names > 0.0:
        return names, 0.0
    la, lb = a.claim.location, b.claim.location
    if la and lb and name_similarity(la.casefold(), lb.casefold()) == 0.0:
        return 0.0, 0.0  # the tie is too weak to outweigh two places
    return 0.0, max(_mentioned(a, b), _mentioned(b, a))


def _mentioned(a: Features, b: Features) -> float:
    best = 0.0
    for name in a.entity_words:
        found = sum(any(same_word(w, x) for x in b.sentence_words) for w in name)
        best = max(best, found / len(name))
    return best


def figure_closeness(a: Features, b: Features) -> float:
    va, vb = a.magnitude, b.magnitude
    if a.percent and b.percent:  # 41% vs 45% is a wide gap; 4% vs 4.5% a narrow one
        return max(0.0, 1.0 - abs(va - vb) / PERCENT_SCALE)
    return 1.0 if max(va, vb) == 0 else min(va, vb) / max(va, vb)


def bounds_closeness(a: Features, b: Features) -> float:
    """`figure_closeness` of the nearest values the two figures' qualifiers allow: 1 when some
    value fits both ("at least 41" and 128; "over 40" and "more than 200"), as a total reported
    as a bound early and counted later does; 0 without two figures."""
    ia, ib = a.interval, b.interval
    if ia is None or ib is None:
        return 0.0
    lo, hi = max(ia.lo, ib.lo), min(ia.hi, ib.hi)
    if lo <= hi:
        return 1.0
    if a.percent and b.percent:  # about 40% (39-41) vs about 45% (44-46): 3 points apart
        return max(0.0, 1.0 - (lo - hi) / PERCENT_SCALE)
    near, far = sorted((abs(hi), abs(lo)))
    return 1.0 if far == 0 else near / far


def moment_closeness(a: Features, b: Features) -> float:
    states = a.aspect == b.aspect == "state"
    # A state holds as of its own dates, else as of its article's day.
    da, db = (a.as_of, b.as_of) if states else (a.days, b.days)
    if da is None or db is None:
        return 0.7 if da is db else 0.5
    gap = max(db[0] - da[1], da[0] - db[1], 0)
    return max(0.0, 1.0 - gap / (STATE_DECAY_DAYS if states else EVENT_DECAY_DAYS))


def separate_events(a: Features, b: Features) -> bool:
    """Two events dated further apart than one report's slack (evening vs next morning) are
    two events: three pickets detained on Monday and twelve arrested on Wednesday."""
    if "state" in (a.aspect, b.aspect) or a.days is None or b.days is None:
        return False
    return max(b.days[0] - a.days[1], a.days[0] - b.days[1]) > EVENT_SLACK_DAYS


def part_of_whole(a: Features, b: Features) -> bool:
    """Two event figures, one over a span of days that holds the other's much shorter one and
    more than the other's figure allows: a total over the longer time, and a part of it (380 mm
    of rain on Sunday, 640 mm over the four days from Saturday; EUR 400m withdrawn on Monday,
    EUR 1.9bn over the fortnight). Two reports of one event differ in how precisely they date
    it, not like this: "more than 200 over the weekend" holds Saturday's 217, and the same
    figure "on Monday" and "early this week" is one withdrawal."""
    if a.aspect != "event" or b.aspect != "event" or a.days is None or b.days is None:
        return False
    if a.interval is None or b.interval is None:
        return False
    part, whole = sorted((a, b), key=lambda f: f.days[1] - f.days[0])  # type: ignore[index]
    assert part.days is not None and whole.days is not None
    part_days = part.days[1] - part.days[0] + 1
    whole_days = whole.days[1] - whole.days[0] + 1
    if whole_days < max(WHOLE_MIN_DAYS, WHOLE_RATIO * part_days):
        return False
    if not whole.days[0] <= part.days[0] <= part.days[1] <= whole.days[1]:
        return False
    assert part.interval is not None and whole.interval is not None
    return whole.interval.lo > part.interval.hi


# Asked of every structured pair with equal figures, in clustering too: a daily tally repeats
# its figures.
@lru_cache(maxsize=16384)
def significant_digits(value: float) -> int:
    """How many significant digits a figure is written with: 14 and 1,200 have two, 20,000
    one, 61.4 three."""
    digits = Decimal(repr(abs(value))).normalize().as_tuple().digits
    return len(digits) if any(digits) else 0


def precise_figure(value: float) -> bool:
    """Written with PRECISE_DIGITS significant digits or more: 14, 1,200, 61.4; not 5 or 20,000."""
    return significant_digits(value) >= PRECISE_DIGITS


def same_precise_figure(a: Features, b: Features) -> bool:
    """Both claims give one figure, and a `precise_figure`."""
    va, vb = a.claim.value, b.claim.value
    return va is not None and va == vb and precise_figure(va)


def _liftable(a: Features, b: Features) -> bool:
    """One precise figure on both sides, actors tied by a name (not a mention alone), and no
    two places that differ (app.diff.places.places_differ)."""
    return (
        same_precise_figure(a, b)
        and entity_ties(a, b)[0] > 0.0
        and not places_differ(a.claim.location, b.claim.location)
    )


def scored_without_figure(a: Features, b: Features) -> float | None:
    """For a pair `score_structured` lifts to the threshold by its precise figure, what it
    scores without that rule; None for any other pair."""
    if not _liftable(a, b):
        return None
    score = _score(a, b)
    return score if PRECISE_FLOOR <= score < DEFAULT_THRESHOLD else None


def gated(a: Features, b: Features) -> bool:
    """True when the pair cannot be one fact, whatever its signals."""
    return _ties_if_open(a, b) is None or part_of_whole(a, b)


def untied_score(a: Features, b: Features) -> float | None:
    """What a pair the tie gate alone closes would score with no tie: two figures of one kind,
    unit family and time, whose claims name no entity in common ("the health ministry said the
    toll rose to nine" / "police said seven were killed"). None for any other pair. Words
    cannot tie such names; an adjudicator can (app.diff.align's ``for_judge``)."""
    if a.interval is None or b.interval is None or _kept_apart(a, b) or part_of_whole(a, b):
        return None
    if entity_ties(a, b) != (0.0, 0.0):
        return None
    model = MODEL
    z = _figure_free(model, (0.0, 0.0), a, b) + _dot(model.figure, _figure(a, b))
    return round(_logistic(z + _dot(model.words, _word_signals(a, b))), 6)


def _kept_apart(a: Features, b: Features) -> bool:
    """The gates before the actors' tie that hold for any figures (`score_structured`'s memo):
    another kind of fact, figures of another unit family (persons vs money, or two currencies:
    never one figure), two places of the lists their articles give (app.diff.places), two
    separate events."""
    if a.fact_kind != b.fact_kind:
        return True
    if a.interval is not None and b.interval is not None and a.family != b.family:
        return True
    if places_apart(a, b):
        return True
    return separate_events(a, b)


def _ties_if_open(a: Features, b: Features) -> tuple[float, float] | None:
    """The pair's `entity_ties`, or None when a gate closes it."""
    if _kept_apart(a, b):
        return None
    ties = entity_ties(a, b)
    return None if ties == (0.0, 0.0) else ties


def _unit_likeness(a: Features, b: Features) -> float | None:
    """How alike the two unit nouns are ("deaths" vs "dead"); None without two nouns."""
    if a.interval is None or b.interval is None or a.claim.unit_kind == "currency":
        return None  # a currency code is compared by the family gate
    if not a.unit_words or not b.unit_words:
        return None
    return fuzz.ratio(a.unit_words, b.unit_words) / 100.0


def signals(a: Features, b: Features) -> dict[str, float]:
    """The model's inputs for a pair that passed `gated`, by name."""
    values = (*entity_ties(a, b), *_figure(a, b), *_shape(a, b), *_word_signals(a, b))
    return dict(zip(SIGNALS, values, strict=True))


def _figure(a: Features, b: Features) -> tuple[float, float, float, float]:
    """The FIGURE_SIGNALS."""
    if a.interval is None or b.interval is None:
        return 0.0, 0.0, 0.0, 0.0
    closeness = figure_closeness(a, b)
    hedged = (1.0 - closeness) if a.claim.qualifier == b.claim.qualifier == "about" else 0.0
    if a.aspect == b.aspect == "state":
        return 0.0, closeness, bounds_closeness(a, b), hedged
    return closeness, 0.0, 0.0, hedged


def _shape(a: Features, b: Features) -> tuple[float, float, float, float, float]:
    figures = (a.interval is not None) + (b.interval is not None)
    both = figures == 2 and a.aspect == b.aspect
    return (float(figures == 1), float(figures == 0), moment_closeness(a, b), float(both),
            float(a.fact_kind == "other"))  # fmt: skip


def _word_signals(a: Features, b: Features) -> tuple[float, ...]:
    unit = _unit_likeness(a, b)
    return (text_sim(a.gist, b.gist, one_missing=0.0),
            text_sim(a.measure, b.measure, one_missing=0.0), unit or 0.0,
            float(unit is None), predicate_sim(a, b),
            _dice(a.quote, b.quote))  # fmt: skip


def _dice(a: frozenset[str], b: frozenset[str]) -> float:
    """How many words two quotes share, in [0, 1] (Dice's coefficient); 0 when one is empty."""
    return 2 * len(a & b) / (len(a) + len(b)) if a and b else 0.0


def _dot(weights: tuple[float, ...], values: tuple[float, ...]) -> float:
    return float(sum(map(operator.mul, weights, values)))


def _logistic(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))


# What structured pairs score apart from their figures, by the two claims' `Features.pair_key`,
# kept for one clustering pass: a daily tally or wire copy repeats everything but the figure.
# A value is None for a pair that scores 0, else [logit of the field signals without the
# figure's, logit of the word signals or NaN until a pair needs them].
PairMemo = dict[tuple[Hashable, Hashable], list[float] | None]
_NAN = float("nan")
ALL: tuple[float, float] = (-math.inf, math.inf)
NONE: tuple[float, float] = (math.inf, -math.inf)


def score_structured(
    a: Features, b: Features, *, floor: float = 0.0, memo: PairMemo | None = None
) -> float:
    """The structured score; 0 for a gated pair, and 0 as soon as it cannot reach `floor`
    (the diff's threshold), so that most pairs of one kind never pay for comparing words.
    With a `memo`, what the pair scores apart from its figures is looked up there first.
    A pair that gives one precise figure on both sides (`same_precise_figure`), ties its actors
    by a name and scores PRECISE_FLOOR or more scores at least the threshold: a reader would
    take it for one fact."""
    if _liftable(a, b):
        score = _score(a, b, floor=min(floor, PRECISE_FLOOR), memo=memo)
        return max(score, DEFAULT_THRESHOLD) if score >= PRECISE_FLOOR else score
    return _score(a, b, floor=floor, memo=memo)


def _score(a: Features, b: Features, *, floor: float = 0.0, memo: PairMemo | None = None) -> float:
    if part_of_whole(a, b):  # reads the figures, so it is no gate the memo keeps
        return 0.0
    model = MODEL
    if memo is None:
        ties = _open_ties(a, b)
        if ties is None:
            return 0.0
        z = _figure_free(model, ties, a, b) + _dot(model.figure, _figure(a, b))
        if floor > 0.0 and _logistic(z + model.best_words) < floor:
            return 0.0
        return round(_logistic(z + _dot(model.words, _word_signals(a, b))), 6)
    parts = _parts(a, b, memo)
    if parts is None:
        return 0.0
    z = parts[0] + _dot(model.figure, _figure(a, b))
    words = parts[1]
    if floor > 0.0 and _logistic(z + (model.best_words if words != words else words)) < floor:
        return 0.0
    if words != words:  # NaN: not compared yet
        words = parts[1] = _dot(model.words, _word_signals(a, b))
    return round(_logistic(z + words), 6)


def figure_window(a: Features, b: Features, memo: PairMemo, floor: float) -> tuple[float, float]:
    """The magnitudes b's figure may have for the pair to reach `floor`, whatever else b
    says with its `pair_key`: so a ledger can skip the facts whose figure is out of reach."""
    parts = _parts(a, b, memo)
    if parts is None:
        return NONE
    model = MODEL
    w_event, w_state, w_bounds, w_hedged = model.figure
    states = a.aspect == b.aspect == "state"
    # A state's bounds may meet however far its figure is: count them at their best; two
    # estimates ("about") score w_hedged more the further apart, so less per unit closeness.
    weight, extra = (w_state, max(w_bounds, 0.0)) if states else (w_event, 0.0)
    hedged = w_hedged if a.claim.qualifier == b.claim.qualifier == "about" else 0.0
    if parts[1] != parts[1]:  # words not compared yet: only if some figure could need them
        if _logistic(parts[0] + model.best_words + extra + max(weight, hedged, 0.0)) < floor:
            return NONE
        parts[1] = _dot(model.words, _word_signals(a, b))
    best = parts[0] + parts[1]
    if a.interval is None or b.interval is None:
        return ALL if _logistic(best) >= floor else NONE
    best += extra + hedged  # the pair's logit at closeness 0
    weight -= hedged  # and what each unit of closeness adds
    if weight <= 0.0:
        return ALL if _logistic(best) >= floor else NONE
    if floor <= 0.0:
        return ALL
    # The closeness the figures need; the slack keeps rounding from ever excluding a pair.
    need = (math.log(floor / (1.0 - floor)) - best) / weight - 1e-9 if floor < 1.0 else math.inf
    if need <= 0.0:
        return ALL
    if need > 1.0:
        return NONE
    m = a.magnitude
    if a.percent and b.percent:
        return m - PERCENT_SCALE * (1.0 - need), m + PERCENT_SCALE * (1.0 - need)
    return m * need, m / need


def _parts(a: Features, b: Features, memo: PairMemo) -> list[float] | None:
    key = (a.pair_key, b.pair_key)
    if key in memo:
        return memo[key]
    ties = _open_ties(a, b)
    if ties is None:
        memo[key] = None
        return None
    parts = memo[key] = [_figure_free(MODEL, ties, a, b), _NAN]
    return parts


def _figure_free(model: Model, ties: tuple[float, float], a: Features, b: Features) -> float:
    """The logit of the pair's field signals but the figure's."""
    return model.bias + _dot(model.ties, ties) + _dot(model.shape, _shape(a, b))


def _open_ties(a: Features, b: Features) -> tuple[float, float] | None:
    """The pair's ties, or None when it scores 0 whatever its signals."""
    ties = _ties_if_open(a, b)
    if ties is None or (ties[0] == 0.0 and (a.interval is None or b.interval is None)):
        # A mention in a sentence may tie two figures; two statements without one need a
        # name in common, or two remarks made in one town pair. A rule after the fit, not a
        # gate of it: it costs one dev pair (varied recall 96.7 -> 95.6%).
        return None
    return ties
