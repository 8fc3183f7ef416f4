"""Alignment score of two claims with canonical fact fields (news_claims@v2), in [0, 1].

Two gates first, as facts: a claim of one kind of fact never pairs with a claim of another; two
figures of different unit families (persons, EUR, percent) are never one figure; two events
dated further apart than a report's slack are two events. Then a pair needs a tie between its
actors: a common entity by name (`app.diff.entities`: words, stems, acronyms), or, weaker, an
entity of one claim named in the other's sentence when their places do not differ.

What passes is scored by a logistic model over the signals below (`signals`): how the entities
match, how alike the gist of the statements, the measure (predicate, unit noun, object) and the
predicates are, how close the figures are (events and states apart: a state's figure changes
over time), how close the times are, and whether the figures are both events or both states.
Its weights are fitted on the evaluation set's dev split, both wordings, by
`python -m bench.fit_alignment`, which prints them for `WEIGHTS`; the test split is not used
to fit. The bias is shifted so that a score of `app.diff.scoring.DEFAULT_THRESHOLD` is the
decision threshold the fit chose; above it, scores rank candidate pairs for the one-to-one
assignment in `app.diff.align`.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Hashable

from rapidfuzz import fuzz

from app.diff.entities import name_similarity, same_word
from app.diff.features import Features
from app.diff.rules import EVENT_SLACK_DAYS
from app.diff.similarity import predicate_sim, text_sim

OBJECT_ONLY = 0.6  # one object, two names for its actor ("rebels", "NLF")
CROSSED = 0.4  # "A offers B x" vs "B asks A for y": the same two parties, often another fact
PERCENT_SCALE = 10.0  # shares 10 points apart are as unlike as counts a factor 2 apart
EVENT_DECAY_DAYS = 7  # within the slack gate, a closer time is still a better match
STATE_DECAY_DAYS = 730  # a total as of June and as of January is one changing quantity

# Fitted by `python -m bench.fit_alignment` on eval/dev (both wordings); see the module text.
SIGNALS = ("names", "mention", "gist", "measure", "unit", "no_unit", "predicate",
           "event_figure", "state_figure", "one_figure", "no_figure", "moment", "same_aspect",
           "kind_other")  # fmt: skip
BIAS = -8.9171
WEIGHTS = {
    "names": 2.1435,
    "mention": 1.5138,
    "gist": 0.9961,
    "measure": 1.1797,
    "unit": 0.3722,
    "no_unit": 0.5612,
    "predicate": 0.6468,
    "event_figure": 5.6699,
    "state_figure": 6.7754,
    "one_figure": -1.0430,
    "no_figure": 4.4488,
    "moment": 3.4928,
    "same_aspect": 0.1131,
    "kind_other": -1.3503,
}
# The most the signals that compare words (the costly ones, computed last) can add: a pair that
# could not reach the floor even with them is not compared word by word.
_BEST_WORDS = sum(max(WEIGHTS[k], 0.0) for k in ("gist", "measure", "predicate")) + max(
    WEIGHTS["unit"], WEIGHTS["no_unit"], 0.0
)


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


def gated(a: Features, b: Features) -> bool:
    """True when the pair cannot be one fact, whatever its signals."""
    return _ties_if_open(a, b) is None


def _ties_if_open(a: Features, b: Features) -> tuple[float, float] | None:
    """The pair's `entity_ties`, or None when a gate closes it."""
    if a.fact_kind != b.fact_kind:
        return None
    if a.interval is not None and b.interval is not None and a.family != b.family:
        return None  # persons vs money, or two currencies: never one figure
    if separate_events(a, b):
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


_CHEAP = ("names", "mention", "event_figure", "state_figure", "one_figure", "no_figure",
          "moment", "same_aspect", "kind_other")  # fmt: skip
_WORD = ("gist", "measure", "unit", "no_unit", "predicate")
_W_CHEAP = tuple(WEIGHTS[k] for k in _CHEAP)
_W_WORD = tuple(WEIGHTS[k] for k in _WORD)
_W_EVENT, _W_STATE = WEIGHTS["event_figure"], WEIGHTS["state_figure"]


def signals(a: Features, b: Features) -> dict[str, float]:
    """The model's inputs for a pair that passed `gated`, by name."""
    values = (*_cheap_signals(a, b, entity_ties(a, b)), *_word_signals(a, b))
    return dict(zip((*_CHEAP, *_WORD), values, strict=True))


def _cheap_signals(
    a: Features, b: Features, ties: tuple[float, float]
) -> tuple[float, float, float, float, float, float, float, float, float]:
    states, closeness = _figure(a, b)
    return (ties[0], ties[1], 0.0 if states else closeness, closeness if states else 0.0,
            *_shape(a, b))  # fmt: skip


def _figure(a: Features, b: Features) -> tuple[bool, float]:
    """(both states, how close the figures are): the only signals that read the figures'
    values, so what the rest of a pair scores holds for any figures (`score_structured`)."""
    both = a.interval is not None and b.interval is not None
    return a.aspect == b.aspect == "state", figure_closeness(a, b) if both else 0.0


def _shape(a: Features, b: Features) -> tuple[float, float, float, float, float]:
    figures = (a.interval is not None) + (b.interval is not None)
    both = figures == 2 and a.aspect == b.aspect
    return (float(figures == 1), float(figures == 0), moment_closeness(a, b), float(both),
            float(a.fact_kind == "other"))  # fmt: skip


def _word_signals(a: Features, b: Features) -> tuple[float, float, float, float, float]:
    unit = _unit_likeness(a, b)
    return (text_sim(a.gist, b.gist, one_missing=0.0),
            text_sim(a.measure, b.measure, one_missing=0.0), unit or 0.0,
            float(unit is None), predicate_sim(a, b))  # fmt: skip


def _dot(weights: tuple[float, ...], values: tuple[float, ...]) -> float:
    return float(sum(map(operator.mul, weights, values)))


def _logistic(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))


# What structured pairs score apart from their figures, by the two claims' `Features.pair_key`,
# kept for one clustering pass: a daily tally or wire copy repeats everything but the figure.
# A value is None for a pair that scores 0, else [logit of the cheap signals without the
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
    With a `memo`, what the pair scores apart from its figures is looked up there first."""
    if memo is None:
        return _score(a, b, floor)
    parts = _parts(a, b, memo)
    if parts is None:
        return 0.0
    states, closeness = _figure(a, b)
    z = parts[0] + closeness * (_W_STATE if states else _W_EVENT)
    words = parts[1]
    if floor > 0.0 and _logistic(z + (_BEST_WORDS if words != words else words)) < floor:
        return 0.0
    if words != words:  # NaN: not compared yet
        words = parts[1] = _dot(_W_WORD, _word_signals(a, b))
    return round(_logistic(z + words), 6)


def figure_window(a: Features, b: Features, memo: PairMemo, floor: float) -> tuple[float, float]:
    """The magnitudes b's figure may have for the pair to reach `floor`, whatever else b
    says with its `pair_key`: so a ledger can skip the facts whose figure is out of reach."""
    parts = _parts(a, b, memo)
    if parts is None:
        return NONE
    best = parts[0] + (_BEST_WORDS if parts[1] != parts[1] else parts[1])
    weight = _W_STATE if a.aspect == b.aspect == "state" else _W_EVENT
    if a.interval is None or b.interval is None or weight <= 0.0:
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
    cheap = None if ties is None else (ties[0], ties[1], 0.0, 0.0, *_shape(a, b))
    parts = memo[key] = None if cheap is None else [BIAS + _dot(_W_CHEAP, cheap), _NAN]
    return parts


def _score(a: Features, b: Features, floor: float) -> float:
    ties = _open_ties(a, b)
    if ties is None:
        return 0.0
    z = BIAS + _dot(_W_CHEAP, _cheap_signals(a, b, ties))
    if floor > 0.0 and _logistic(z + _BEST_WORDS) < floor:
        return 0.0
    z += _dot(_W_WORD, _word_signals(a, b))
    return round(_logistic(z), 6)


def _open_ties(a: Features, b: Features) -> tuple[float, float] | None:
    """The pair's ties, or None when it scores 0 whatever its signals."""
    ties = _ties_if_open(a, b)
    if ties is None or (ties[0] == 0.0 and (a.interval is None or b.interval is None)):
        # A mention in a sentence may tie two figures; two statements without one need a
        # name in common, or two remarks made in one town pair. A rule after the fit, not a
        # gate of it: it costs one dev pair (varied recall 93.4 -> 92.3%).
        return None
    return ties
