"""Claim-level diff of two claim sets: align claims that state the same fact, then classify.

Pure and deterministic: no database, no LLM, no web. Routes turn stored claims into `DiffClaim`
rows (with subjects already mapped to canonical entity keys) and render the `DiffResult`.

Alignment scores every left x right candidate with the same subject (see `pair_score`), then
assigns pairs one-to-one, greedily by descending score. Ties break on the pair's (smaller id,
larger id), which is the same whichever side a claim is on, so `diff(b, a)` mirrors
`diff(a, b)`. Claim ids are database keys, unique across articles.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import NamedTuple

from rapidfuzz import fuzz

__all__ = [
    "ABOUT_TOLERANCE",
    "DEFAULT_THRESHOLD",
    "DiffClaim",
    "DiffResult",
    "Features",
    "Pair",
    "Relation",
    "classify",
    "diff_claims",
    "features",
    "pair_score",
    "score_features",
]


@dataclass(frozen=True)
class DiffClaim:
    """What the diff needs of a stored claim."""

    id: int
    article_id: int
    run_id: int
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


class Relation(StrEnum):
    agree = "agree"
    conflict = "conflict"
    refines = "refines"


@dataclass(frozen=True)
class Pair:
    relation: Relation
    left: DiffClaim
    right: DiffClaim
    score: float
    explanation: str


@dataclass(frozen=True)
class DiffResult:
    pairs: list[Pair]
    only_left: list[DiffClaim]
    only_right: list[DiffClaim]
    summary: dict[str, int]


# --- quantities, units and times -------------------------------------------------------------

# "about 20" covers 18..22. Extraction maps "nearly", "around", "some" to `about`, and reporters
# round, so ±10% is what "about" means in practice; "about 20" vs "about 25" still conflict.
ABOUT_TOLERANCE = 0.10
_QUALIFIER_ALIASES = {
    "nearly": "about", "around": "about", "approximately": "about", "roughly": "about",
    "more than": "over", "fewer than": "under", "less than": "under", "at least": "at_least",
    "up to": "up_to", "at most": "up_to",
}  # fmt: skip
_INF = float("inf")


class Interval(NamedTuple):
    """The values a qualified quantity allows: 'over 200' is (200, inf)."""

    lo: float
    hi: float
    lo_open: bool
    hi_open: bool


def _qualifier(qualifier: str | None) -> str:
    q = (qualifier or "exact").strip().casefold()
    return _QUALIFIER_ALIASES.get(q, q)


def quantity_interval(value: float, qualifier: str | None) -> Interval:
    q = _qualifier(qualifier)
    value = float(value)
    if q == "about":
        d = abs(value) * ABOUT_TOLERANCE
        return Interval(value - d, value + d, False, False)
    return {
        "over": Interval(value, _INF, True, True),
        "at_least": Interval(value, _INF, False, True),
        "under": Interval(-_INF, value, True, True),
        "up_to": Interval(-_INF, value, True, False),
    }.get(q, Interval(value, value, False, False))  # unknown qualifiers are read as exact


def _intersects(a: Interval, b: Interval) -> bool:
    lo, lo_open = max((a.lo, a.lo_open), (b.lo, b.lo_open))  # at equal bounds open wins
    hi, hi_closed = min((a.hi, not a.hi_open), (b.hi, not b.hi_open))
    return lo < hi or (lo == hi and not lo_open and hi_closed)


def _contains(outer: Interval, inner: Interval) -> bool:
    lo_ok = outer.lo < inner.lo or (outer.lo == inner.lo and (inner.lo_open or not outer.lo_open))
    hi_ok = outer.hi > inner.hi or (outer.hi == inner.hi and (inner.hi_open or not outer.hi_open))
    return lo_ok and hi_ok


# Unit decision: officers, police officers, personnel, troops, soldiers, agents, peacekeepers
# are one family, "security personnel". Extraction names the head count with whatever noun the
# article used ("1,000 personnel" in one outlet, "1 000 agents" -> officers in another, for the
# same pledge), so within the family a different noun is wording, not a different quantity.
# Both nouns always appear in the explanation, so a reader sees "1,000 personnel vs 1,000
# officers". Money is comparable only within one currency ("USD" = "$" = "dollars"); no FX.
# People, countries, percent... each form their own family; different families never align.
_UNIT_ALIASES = {
    "$": "usd", "us$": "usd", "dollar": "usd", "us dollar": "usd", "€": "eur", "euro": "eur",
    "£": "gbp", "pound": "gbp", "%": "percent", "per cent": "percent", "pct": "percent",
    "people": "person", "policeman": "police officer", "policemen": "police officer",
}  # fmt: skip
_SECURITY = frozenset(
    {"officer", "police officer", "police", "personnel", "troop", "soldier", "agent",
     "police agent", "peacekeeper", "gendarme", "security personnel"}
)  # fmt: skip
_CURRENCIES = frozenset({"usd", "eur", "gbp", "kes", "htg", "jpy", "cny", "chf", "cad", "aud"})


def _singular(word: str) -> str:
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith("s") and not word.endswith(("ss", "us", "is")) and len(word) > 3:
        return word[:-1]
    return word


def unit_key(unit: str | None) -> tuple[str, str]:
    """(canonical unit, family): quantities compare only within one family."""
    raw = " ".join((unit or "").split())
    u = raw.casefold().rstrip(".")
    if u not in _UNIT_ALIASES:
        u = " ".join([*u.split()[:-1], _singular(u.split()[-1])]) if u else u
    u = _UNIT_ALIASES.get(u, u)
    if u in _CURRENCIES or (len(raw) == 3 and raw.isalpha() and raw.isupper()):
        return u, f"money:{u}"
    return u, "security personnel" if u in _SECURITY else u


def _num(value: float) -> str:
    value = float(value)  # JSON and callers may hand over ints
    return f"{int(value):,}" if value.is_integer() else f"{value:,}"


def describe_quantity(c: DiffClaim) -> str:
    if c.value is None:
        return "no figure"
    q = _qualifier(c.qualifier)
    words = {"over": "over ", "under": "under ", "about": "about ", "at_least": "at least ",
             "up_to": "up to "}  # fmt: skip
    return f"{words.get(q, '')}{_num(c.value)} {c.unit or ''}".strip()


def describe_time(c: DiffClaim) -> str:
    start, end = c.time_start or c.time_end, c.time_end or c.time_start
    span = ""
    if start and end:
        whole_month = start.day == 1 and (end + timedelta(days=1)).day == 1
        if start == end:
            span = start.isoformat()
        elif whole_month and (start.year, start.month) == (end.year, end.month):
            span = start.strftime("%Y-%m")
        else:
            span = f"{start.isoformat()}..{end.isoformat()}"
    if c.time_text and span:
        return f"{c.time_text} ({span})"
    return c.time_text or span or "undated"


def compare_quantities(a: Features, b: Features) -> tuple[Relation, str]:
    da, db = describe_quantity(a.claim), describe_quantity(b.claim)
    if a.interval is None or b.interval is None:
        side = "left" if b.interval is None else "right"
        return Relation.refines, f"only {side} gives a figure ({da if side == 'left' else db})"
    ia, ib = a.interval, b.interval
    if ia == ib:
        same = f"{da} in both" if da == db else f"{da} vs {db}: same count, unit worded differently"
        return Relation.agree, same
    if not _intersects(ia, ib):
        return Relation.conflict, f"{da} vs {db}"
    bounded = all(abs(x) != _INF for x in (*ia[:2], *ib[:2]))
    if bounded and "about" in (_qualifier(a.claim.qualifier), _qualifier(b.claim.qualifier)):
        return Relation.agree, f"{da} ≈ {db} (about = ±{ABOUT_TOLERANCE:.0%})"
    if _contains(ib, ia) or _contains(ia, ib):
        side = "left" if _contains(ib, ia) else "right"
        return Relation.refines, f"{da} vs {db}: {side} is more precise"
    return Relation.agree, f"{da} and {db} overlap"


def compare_times(a: Features, b: Features) -> tuple[Relation, str]:
    da, db = describe_time(a.claim), describe_time(b.claim)
    if a.time is None or b.time is None:
        side = "left" if b.time is None else "right"
        return Relation.refines, f"only {side} dates it ({da if side == 'left' else db})"
    (sa, ea), (sb, eb) = a.time, b.time
    if (sa, ea) == (sb, eb):
        return Relation.agree, f"same date {da}" if da == db else f"same date: {da} / {db}"
    if ea < sb or eb < sa:
        return Relation.conflict, f"date {da} vs {db}"
    if (sa <= sb and eb <= ea) or (sb <= sa and ea <= eb):
        side = "left" if sb <= sa and ea <= eb else "right"
        return Relation.refines, f"date {da} vs {db}: {side} is more precise"
    return Relation.agree, f"dates overlap: {da} / {db}"


DEFAULT_THRESHOLD = 0.62
# Below this masked-statement similarity two claims never align, whatever their fields say.
# It is a hard gate (not just a weight) so the ledger can prefilter candidates in C++ with
# rapidfuzz.process and still get exactly the pairs the diff would score.
STATEMENT_GATE = 0.5
# Claims whose scope words disagree ("217 more officers" vs "over 600 officers in total" vs
# "a first contingent of 400") are different facts about the same deployment, and pairing
# them would invent conflicts: their score is multiplied by this.
SCOPE_PENALTY = 0.6
WEIGHTS = {
    "statement": 0.40,
    "predicate": 0.15,
    "object": 0.10,
    "type": 0.10,
    "quantity": 0.10,
    "time": 0.10,
    "location": 0.05,
}
TIME_DECAY_DAYS = 30  # a 1-day gap barely lowers the score; a month apart scores 0


def _wordset(text: str) -> frozenset[str]:
    return frozenset(text.split())


_NUMBER_WORDS = _wordset(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen twenty thirty forty fifty sixty seventy "
    "eighty ninety hundred hundreds thousand thousands million millions billion billions "
    "dozen dozens"
)
_STOPWORDS = _wordset("a an the of to in on for and by at from with its it their that this")
_AUXILIARIES = _wordset("has have had is are was were be been will would did does do")
_PREDICATE_SYNONYMS = {
    "sent": "deployed",
    "send": "deployed",
    "dispatched": "deployed",
    "deploy": "deployed",
    "deploys": "deployed",
    "promised": "pledged",
    "promise": "pledged",
    "pledge": "pledged",
    "pledges": "pledged",
}
# "more than 200" is a qualifier, not the scope word "more" ("217 more officers").
_COMPARATIVE = re.compile(r"\b(?:more|fewer|less) than\b")
_SCOPE_WORDS = {
    "total": "cumulative",
    "altogether": "cumulative",
    "overall": "cumulative",
    "already": "cumulative",
    "cumulative": "cumulative",
    "additional": "increment",
    "another": "increment",
    "further": "increment",
    "more": "increment",
    "new": "increment",
    "latest": "increment",
    "extra": "increment",
    "first": "initial",
    "initial": "initial",
}
_TYPE_NEAR = {
    frozenset({"event", "quantity"}): 0.7,
    frozenset({"quantity", "status"}): 0.7,
    frozenset({"pledge", "quantity"}): 0.7,
    frozenset({"event", "status"}): 0.6,
    frozenset({"pledge", "statement"}): 0.6,
}
_TOKEN = re.compile(r"\d+(?:[.,\u202f\u00a0]\d+)*|[^\W\d_]+", re.UNICODE)


def _tokens(text: str) -> list[str]:
    """Casefolded word tokens with every number (digits or words) replaced by '#'."""
    out: list[str] = []
    for tok in _TOKEN.findall(_COMPARATIVE.sub(" ", text.casefold())):
        if tok[0].isdigit() or tok in _NUMBER_WORDS:
            if out and out[-1] == "#":
                continue  # "300 million" and "300000000" both mask to one '#'
            tok = "#"
        out.append(tok)
    return out


def _masked(text: str | None) -> str | None:
    if text is None:
        return None
    return " ".join(t for t in _tokens(text) if t not in _STOPWORDS)


@dataclass(frozen=True)
class Features:
    """A claim normalized once, so scoring a pair does no regex work."""

    claim: DiffClaim
    subject: str
    statement: str
    predicate: str
    object: str | None
    location: str | None
    unit: str | None
    family: str | None
    interval: Interval | None
    time: tuple[date, date] | None
    scopes: frozenset[str]


def features(claim: DiffClaim) -> Features:
    words = [claim.predicate, claim.statement, claim.object or ""]
    scopes = frozenset(
        _SCOPE_WORDS[t] for text in words for t in _tokens(text) if t in _SCOPE_WORDS
    )
    predicate = " ".join(
        _PREDICATE_SYNONYMS.get(t, t) for t in _tokens(claim.predicate) if t not in _AUXILIARIES
    )
    unit = family = None
    interval = None
    if claim.value is not None:
        unit, family = unit_key(claim.unit)
        interval = quantity_interval(claim.value, claim.qualifier)
    start, end = claim.time_start or claim.time_end, claim.time_end or claim.time_start
    return Features(
        claim=claim,
        subject=claim.subject.strip().casefold(),
        statement=_masked(claim.statement) or "",
        predicate=predicate,
        object=_masked(claim.object),
        location=_masked(claim.location),
        unit=unit,
        family=family,
        interval=interval,
        time=(start, end) if start and end else None,
        scopes=scopes,
    )


def _text_sim(a: str | None, b: str | None, *, one_missing: float) -> float:
    if a is None and b is None:
        return 1.0
    if a is None or b is None:
        return one_missing
    if a == b:
        return 1.0  # also makes two empty strings identical (rapidfuzz scores them 0)
    # token_set alone calls any subset a perfect match; averaging with token_sort keeps
    # "police officers" from matching "an initial contingent of police officers" at 100.
    return (fuzz.token_set_ratio(a, b) + fuzz.token_sort_ratio(a, b)) / 200.0


def _quantity_sim(a: Features, b: Features) -> float | None:
    """None when both claims count things that cannot be compared (people vs USD)."""
    if a.interval is None and b.interval is None:
        return 1.0
    if a.interval is None or b.interval is None:
        return 0.5
    if a.family != b.family:
        return None
    va, vb = abs(a.claim.value or 0.0), abs(b.claim.value or 0.0)
    closeness = 1.0 if max(va, vb) == 0 else min(va, vb) / max(va, vb)
    return 0.5 * (1.0 if a.unit == b.unit else 0.8) + 0.5 * closeness


def _time_sim(a: Features, b: Features) -> float:
    if a.time is None and b.time is None:
        return 1.0
    if a.time is None or b.time is None:
        return 0.6
    gap = max((b.time[0] - a.time[1]).days, (a.time[0] - b.time[1]).days, 0)
    return max(0.0, 1.0 - gap / TIME_DECAY_DAYS)


def _type_sim(a: str, b: str) -> float:
    if a == b:
        return 1.0
    if "other" in (a, b):
        return 0.5
    return _TYPE_NEAR.get(frozenset({a, b}), 0.3)


def score_features(a: Features, b: Features) -> float:
    """Alignment score in [0, 1]; 0 for pairs that are gated out. Symmetric in a and b."""
    if a.subject != b.subject:
        return 0.0  # the caller canonicalized subjects: different keys are different entities
    statement = _text_sim(a.statement, b.statement, one_missing=0.0)
    if statement < STATEMENT_GATE:
        return 0.0
    quantity = _quantity_sim(a, b)
    if quantity is None:
        return 0.0
    total = (
        WEIGHTS["statement"] * statement
        + WEIGHTS["predicate"] * _text_sim(a.predicate, b.predicate, one_missing=0.0)
        + WEIGHTS["object"] * _text_sim(a.object, b.object, one_missing=0.5)
        + WEIGHTS["type"] * _type_sim(a.claim.claim_type, b.claim.claim_type)
        + WEIGHTS["quantity"] * quantity
        + WEIGHTS["time"] * _time_sim(a, b)
        + WEIGHTS["location"] * _text_sim(a.location, b.location, one_missing=0.7)
    )
    if a.scopes and b.scopes and not a.scopes & b.scopes:
        total *= SCOPE_PENALTY
    return round(total, 6)


def pair_score(a: DiffClaim, b: DiffClaim) -> float:
    return score_features(features(a), features(b))


def _voice(c: DiffClaim) -> str:
    by = f" by {c.attribution}" if c.attribution else ""
    return f"{c.modality}{by}"


def classify(a: Features, b: Features) -> tuple[Relation, str]:
    """Relation of an aligned pair and a one-line explanation naming every difference."""
    la, lb = a.claim, b.claim
    parts: list[str] = []
    relations: set[Relation] = set()
    if a.interval is not None or b.interval is not None:
        rel, note = compare_quantities(a, b)
        relations.add(rel)
        parts.append(note)
    if a.time is not None or b.time is not None:
        rel, note = compare_times(a, b)
        relations.add(rel)
        parts.append(note)
    if (la.modality == "denied") != (lb.modality == "denied"):
        relations.add(Relation.conflict)
        denier = "left" if la.modality == "denied" else "right"
        parts.append(f"{denier} denies what the other side states")
    if _voice(la) != _voice(lb):
        parts.append(f"left: {_voice(la)}; right: {_voice(lb)}")
    # A conflict on any field wins; otherwise any added precision makes it a refinement.
    relation = Relation.agree
    for candidate in (Relation.refines, Relation.conflict):
        if candidate in relations:
            relation = candidate
    if not parts:
        parts.append("same statement")
    return relation, f"{'; '.join(parts)} ({la.subject} · {la.predicate})"


_RANK = {Relation.conflict: 0, Relation.refines: 1, Relation.agree: 2}


def diff_claims(
    left: Sequence[DiffClaim], right: Sequence[DiffClaim], *, threshold: float = DEFAULT_THRESHOLD
) -> DiffResult:
    lf = [features(c) for c in left]
    rf = [features(c) for c in right]
    by_subject: dict[str, list[int]] = {}
    for j, f in enumerate(rf):
        by_subject.setdefault(f.subject, []).append(j)
    candidates: list[tuple[float, int, int, int, int]] = []
    for i, a in enumerate(lf):
        for j in by_subject.get(a.subject, ()):
            score = score_features(a, rf[j])
            if score >= threshold:
                ids = sorted((a.claim.id, rf[j].claim.id))
                candidates.append((-score, ids[0], ids[1], i, j))
    candidates.sort()
    used_left: set[int] = set()
    used_right: set[int] = set()
    pairs: list[Pair] = []
    for neg_score, _, _, i, j in candidates:
        if i in used_left or j in used_right:
            continue
        used_left.add(i)
        used_right.add(j)
        relation, explanation = classify(lf[i], rf[j])
        pairs.append(Pair(relation, left[i], right[j], -neg_score, explanation))
    pairs.sort(key=lambda p: (_RANK[p.relation], -p.score, *sorted((p.left.id, p.right.id))))
    only_left = [c for i, c in enumerate(left) if i not in used_left]
    only_right = [c for j, c in enumerate(right) if j not in used_right]
    summary = {r.value: sum(p.relation is r for p in pairs) for r in Relation}
    summary |= {"only_left": len(only_left), "only_right": len(only_right)}
    return DiffResult(pairs, only_left, only_right, summary)
