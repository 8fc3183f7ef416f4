"""Alignment scores: how likely two claims state the same fact, in [0, 1], symmetric.

Claims with canonical fact fields (news_claims@v2) are scored by them (`score_structured`):
they must share a fact kind and a unit kind and name a common entity (subject or object, by
`app.diff.entities`); the figure, the time, event vs state and the entities then weigh most,
and the words of the statement are one signal among them. Claims of older schemas, or a pair
with one of them, are scored by their words as before (`score_lexical`).
"""

from __future__ import annotations

from rapidfuzz import fuzz

from app.diff.entities import name_similarity, same_word
from app.diff.features import Features
from app.diff.words import Text

# Tuned on the Kenya/Haiti fixtures: every same-fact pair of the four reports scores >= 0.69
# except loose paraphrases of "deployments fall short of pledges" (0.60-0.65); the best
# different-fact pairs score 0.62 ("is UN-backed" vs "staff below commitments") and 0.60
# ("pledged 1,000 personnel" vs "leads the mission"). Precision first: a false pair can be
# reported as a conflict, a missed paraphrase only lands in the unmatched lists.
DEFAULT_THRESHOLD = 0.65
WEIGHTS = {"statement": 0.35, "predicate": 0.20, "object": 0.10, "type": 0.10,
           "quantity": 0.10, "time": 0.10, "location": 0.05}  # fmt: skip
# A hard gate, not just a weight: matching figures, dates and places must not pair two
# statements that are less than half alike. It is checked first, so most unrelated pairs cost
# one string comparison.
STATEMENT_GATE = 0.5
# "217 more officers", "over 600 officers in total" and "a first contingent of 400" are
# different facts about one deployment; pairing them would invent conflicts.
SCOPE_PENALTY = 0.6
TIME_DECAY_DAYS = 30  # a 1-day gap barely lowers the score (Friday night vs Saturday)

_TYPE_NEAR = {frozenset({"event", "quantity"}): 0.7, frozenset({"quantity", "status"}): 0.7,
              frozenset({"pledge", "quantity"}): 0.7, frozenset({"event", "status"}): 0.6,
              frozenset({"pledge", "statement"}): 0.6}  # fmt: skip


# Structured scoring, tuned on eval/dev (both wordings), never on eval/test. What weighs
# depends on what the two claims give: with a figure on both, the figure and the entities
# carry the fact; without one, the words of what the statement says of them (its gist).
WITH_FIGURES = {"entity": 0.25, "figure": 0.25, "time": 0.10, "aspect": 0.05, "text": 0.35}
WITHOUT_FIGURES = {"entity": 0.30, "figure": 0.0, "time": 0.20, "aspect": 0.0, "text": 0.50}
ONE_FIGURE = {"entity": 0.30, "figure": 0.10, "time": 0.20, "aspect": 0.0, "text": 0.40}
ASPECT_PENALTY = 0.85
MEASURE_SHARE = 0.3  # of the text signal: the measure's words, the rest the statement's gist
# Two names with no word in common, one of them named in the other claim's sentence ("cholera"
# vs "Kaleno district" in "cholera has killed 19 in Kaleno"): a weak tie, never a gate.
MENTIONED = 0.3
OBJECT_ONLY = 0.6  # one object, two names for its actor ("rebels", "NLF")
CROSSED = 0.4  # "A offers B x" vs "B asks A for y": the same two parties, often another fact
EVENT_DECAY_DAYS = 7  # reports of events a week apart are of different events
STATE_DECAY_DAYS = 730  # a total as of June and as of January is one changing quantity


def _text_sim(a: Text | None, b: Text | None, *, one_missing: float) -> float:
    if a is None or b is None:
        return 1.0 if a is b else one_missing
    if a.masked == b.masked:
        return 1.0  # also for two empty strings, which rapidfuzz scores 0
    # token_set alone scores any subset 100 ("Kenya leads the mission" inside "Kenya pledged
    # 1,000 personnel to the mission"); weighting token_sort keeps whole-sentence agreement.
    # fuzz.ratio of the presorted tokens is token_sort_ratio without sorting on every pair.
    set_ratio = fuzz.token_set_ratio(a.masked, b.masked)
    return (0.25 * set_ratio + 0.75 * fuzz.ratio(a.by_token, b.by_token)) / 100.0


def _predicate_sim(a: Features, b: Features) -> float:
    if a.predicate == b.predicate:
        return 1.0
    # Shared stems decide ("deployed" ~ "has deployed in total"); characters only break ties,
    # since short verbs share letters by chance ("pledged" vs "leads" is 50 in fuzz.ratio).
    overlap = len(a.stems & b.stems) / min(len(a.stems), len(b.stems)) if a.stems and b.stems else 0
    return 0.7 * overlap + 0.3 * fuzz.ratio(a.predicate, b.predicate) / 100.0


def _quantity_sim(a: Features, b: Features) -> float | None:
    """None when both claims count things that cannot be compared (people vs USD)."""
    if a.interval is None or b.interval is None:
        return 1.0 if a.interval is b.interval else 0.3
    if a.family != b.family:
        return None
    va, vb = a.magnitude, b.magnitude
    closeness = 1.0 if max(va, vb) == 0 else min(va, vb) / max(va, vb)
    return 0.5 * (1.0 if a.unit == b.unit else 0.8) + 0.5 * closeness


def _time_sim(a: Features, b: Features) -> float:
    if a.days is None or b.days is None:
        return 1.0 if a.days is b.days else 0.6
    gap = max(b.days[0] - a.days[1], a.days[0] - b.days[1], 0)
    return max(0.0, 1.0 - gap / TIME_DECAY_DAYS)


def _type_sim(a: str, b: str) -> float:
    if a == b:
        return 1.0
    return 0.5 if "other" in (a, b) else _TYPE_NEAR.get(frozenset({a, b}), 0.3)


def score_lexical(a: Features, b: Features) -> float:
    """Today's scoring of claims without canonical fields: words, figures, dates."""
    if a.subject != b.subject:
        return 0.0  # subjects are canonical keys: different keys are different entities
    quantity = _quantity_sim(a, b)
    if quantity is None:
        return 0.0
    statement = _text_sim(a.statement, b.statement, one_missing=0.0)
    if statement < STATEMENT_GATE:
        return 0.0
    total = (
        WEIGHTS["statement"] * statement
        + WEIGHTS["predicate"] * _predicate_sim(a, b)
        + WEIGHTS["object"] * _text_sim(a.object, b.object, one_missing=0.5)
        + WEIGHTS["type"] * _type_sim(a.claim.claim_type, b.claim.claim_type)
        + WEIGHTS["quantity"] * quantity
        + WEIGHTS["time"] * _time_sim(a, b)
        + WEIGHTS["location"] * _text_sim(a.location, b.location, one_missing=0.7)
    )
    if a.scopes and b.scopes and not a.scopes & b.scopes:
        total *= SCOPE_PENALTY
    return round(total, 6)


def _entity_score(a: Features, b: Features) -> float:
    """How well the two claims' actors match: subjects first, then objects, then crossed
    (one claim's subject as the other's object: "Kenya sent police to Haiti" / "Haiti
    received Kenyan police"). 0 when no entity of one is an entity of the other."""
    subject = name_similarity(a.subject, b.subject)
    oa, ob = a.object_entity, b.object_entity
    crossed = max(
        name_similarity(a.subject, ob) if ob else 0.0,
        name_similarity(oa, b.subject) if oa else 0.0,
    )
    if oa and ob:
        objects = name_similarity(oa, ob)
        score = max(0.6 * subject + 0.4 * objects, OBJECT_ONLY * objects)
    else:
        score = subject
    score = max(score, CROSSED * crossed)
    if score == 0.0:
        la, lb = a.claim.location, b.claim.location
        if la and lb and name_similarity(la.casefold(), lb.casefold()) == 0.0:
            return 0.0  # the tie is too weak to outweigh two places
        return MENTIONED * max(_mentioned(a, b), _mentioned(b, a))
    return score


def _mentioned(a: Features, b: Features) -> float:
    """The largest share of one of `a`'s entity names whose words `b`'s sentence names."""
    best = 0.0
    for name in a.entity_words:
        found = sum(any(same_word(w, x) for x in b.sentence_words) for w in name)
        best = max(best, found / len(name))
    return best


PERCENT_SCALE = 10.0  # shares 10 points apart are as unlike as counts a factor 2 apart


def _figure_sim(a: Features, b: Features) -> float:
    va, vb = a.magnitude, b.magnitude
    if a.percent and b.percent:  # 41% vs 45% is a wide gap; 4% vs 4.5% a narrow one
        closeness = max(0.0, 1.0 - abs(va - vb) / PERCENT_SCALE)
    else:
        closeness = 1.0 if max(va, vb) == 0 else min(va, vb) / max(va, vb)
    # Squared: sources that disagree on one figure rarely do by more than a third (217 vs
    # 270); two figures a factor 2-3 apart are more often two facts (23 killed, 61 wounded).
    return closeness


def _moment_sim(a: Features, b: Features) -> float:
    states = a.aspect == b.aspect == "state"
    # A state holds as of its own dates, else as of its article's day.
    da, db = (a.as_of, b.as_of) if states else (a.days, b.days)
    if da is None or db is None:
        return 0.7 if da is db else 0.5
    gap = max(db[0] - da[1], da[0] - db[1], 0)
    return max(0.0, 1.0 - gap / (STATE_DECAY_DAYS if states else EVENT_DECAY_DAYS))


def score_structured(a: Features, b: Features, *, floor: float = 0.0) -> float:
    """The structured score; 0 as soon as it cannot reach `floor` (the diff's threshold),
    so that most pairs of one kind never pay for comparing their words."""
    if a.fact_kind != b.fact_kind:
        return 0.0
    figures = (a.interval is not None) + (b.interval is not None)
    if figures == 2 and a.family != b.family:
        return 0.0  # persons vs money, or two currencies: never one figure
    entity = _entity_score(a, b)
    if entity == 0.0:
        return 0.0
    weights = (WITHOUT_FIGURES, ONE_FIGURE, WITH_FIGURES)[figures]
    total = weights["entity"] * entity + weights["time"] * _moment_sim(a, b)
    scale = 1.0
    if figures == 2:
        total += weights["figure"] * _figure_sim(a, b) + weights["aspect"]
        if a.aspect != b.aspect:  # a total and one arrival are different facts of one story
            scale = ASPECT_PENALTY
    if (total + weights["text"]) * scale < floor:
        return 0.0
    gist = _text_sim(a.gist, b.gist, one_missing=0.0)
    measure = _text_sim(a.measure, b.measure, one_missing=0.0)
    total += weights["text"] * ((1.0 - MEASURE_SHARE) * gist + MEASURE_SHARE * measure)
    return round(total * scale, 6)


def score_features(a: Features, b: Features, *, floor: float = 0.0) -> float:
    """Alignment score in [0, 1], symmetric; 0 for gated pairs. Identical claims score 1.

    With a `floor`, a pair that cannot reach it may score 0 instead of its exact score.
    """
    if a.structured and b.structured:
        return score_structured(a, b, floor=floor)
    return score_lexical(a, b)
