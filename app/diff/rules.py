"""What the fields of a claim mean to the diff: words, figures, units and dates.

Pure, like app.diff.align, which scores and aligns claims with these rules and uses them to
classify a pair. The claim type lives in app.diff.types, so the two never import each other.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from functools import lru_cache
from typing import Literal, NamedTuple

from app.diff.types import DiffClaim

# --- words -----------------------------------------------------------------------------------

_NUMBER_WORDS = frozenset(["zero", "one", "two", "three", "four", "five", "six", "seven", "eight",
    "nine", "ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen",
    "eighteen", "nineteen", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty",
    "ninety", "hundred", "hundreds", "thousand", "thousands", "million", "millions", "billion",
    "billions", "dozen", "dozens"])  # fmt: skip
_STOPWORDS = frozenset(["a", "an", "the", "of", "to", "in", "on", "for", "and", "by", "at",
                        "from", "with", "its", "it", "their", "that", "this"])  # fmt: skip
_AUXILIARIES = frozenset(["has", "have", "had", "is", "are", "was", "were", "be", "been",
                          "will", "would", "did", "does", "do"])  # fmt: skip
_PREDICATE_DROP = _AUXILIARIES | _STOPWORDS
_SYNONYMS = {"sent": "deployed", "send": "deployed", "dispatched": "deployed",
             "promised": "pledged", "promise": "pledged", "supported": "backed"}  # fmt: skip
_COMPARATIVE = re.compile(r"\b(?:more|fewer|less) than\b")  # "more than 200" is no scope word
_SCOPES = {"total": "cumulative", "altogether": "cumulative", "overall": "cumulative",
           "already": "cumulative", "additional": "increment", "another": "increment",
           "further": "increment", "more": "increment", "new": "increment", "latest": "increment",
           "extra": "increment", "first": "initial", "initial": "initial"}  # fmt: skip
_TOKEN = re.compile(r"\d+(?:[.,\u202f\u00a0]\d+)*|[^\W\d_]+")
_NO_SCOPES: frozenset[str] = frozenset()


def _tokens(text: str) -> list[str]:
    """Casefolded word tokens, every number (digits or words) masked as one '#'."""
    text = text.casefold()
    if "than" in text:  # the substitution costs more than the test, and "than" is rare
        text = _COMPARATIVE.sub(" ", text)
    out: list[str] = []
    for tok in _TOKEN.findall(text):
        if tok[0].isdigit() or tok in _NUMBER_WORDS:
            if out and out[-1] == "#":
                continue  # "300 million" and "300000000" both mask to a single '#'
            tok = "#"
        out.append(tok)
    return out


def _scopes(tokens: list[str]) -> frozenset[str]:
    if _SCOPES.keys().isdisjoint(tokens):
        return _NO_SCOPES
    return frozenset(_SCOPES[t] for t in tokens if t in _SCOPES)


def _stem(token: str) -> str:
    for suffix in ("ing", "ed", "es", "s"):
        if token.endswith(suffix) and len(token) - len(suffix) >= 3:
            return token[: -len(suffix)]
    return token


class Text(NamedTuple):
    """A statement, object or place as the scorer compares it."""

    masked: str  # stopwords dropped, numbers masked
    by_token: str  # the masked tokens sorted, as fuzz.token_sort_ratio would sort them
    scopes: frozenset[str]  # cumulative / increment / initial, from the scope words


def normalize_text(text: str) -> Text:
    tokens = _tokens(text)
    words = [t for t in tokens if t not in _STOPWORDS]
    return Text(" ".join(words), " ".join(sorted(words)), _scopes(tokens))


# Objects, places and predicates are a small vocabulary that recurs in every request, so these
# caches stay warm; statements are cached per call instead (app.diff.align.features_of).
normalize_short_text = lru_cache(maxsize=4096)(normalize_text)


@lru_cache(maxsize=4096)
def normalize_predicate(text: str) -> tuple[str, frozenset[str], frozenset[str]]:
    """(verb phrase without auxiliaries, synonyms folded; its stems; its scopes)."""
    tokens = _tokens(text)
    words = [_SYNONYMS.get(t, t) for t in tokens if t not in _PREDICATE_DROP]
    return " ".join(words), frozenset(_stem(t) for t in words), _scopes(tokens)


# --- figures, units and dates ----------------------------------------------------------------

Verdict = Literal["agree", "conflict", "refines"]
Span = tuple[date, date]

ABOUT_TOLERANCE = 0.10  # "about 20" is 18..22: reporters round, "nearly 20" is also `about`

_QUALIFIERS = {"nearly": "about", "around": "about", "approximately": "about", "more than": "over",
               "fewer than": "under", "less than": "under", "at least": "at_least",
               "up to": "up_to", "at most": "up_to"}  # fmt: skip
_QUALIFIER_WORDS = {"over": "over ", "under": "under ", "about": "about ",
                    "at_least": "at least ", "up_to": "up to "}  # fmt: skip
# Unit decision: officers, police officers, personnel, troops, soldiers, agents, peacekeepers
# are one family. Extraction names a head count with whatever noun the outlet used ("1,000
# personnel" here, "1 000 agents" -> officers there, for the same pledge), so within the family
# a different noun is wording, not a different quantity; explanations show both nouns. Money
# compares within one currency only ("USD" = "$" = "dollars"), no FX. Any other unit is its own
# family (singular/plural folded), and different families never align.
_UNITS = {"$": "usd", "us$": "usd", "dollar": "usd", "us dollar": "usd", "€": "eur",
          "euro": "eur", "£": "gbp", "pound": "gbp", "%": "percent", "per cent": "percent",
          "pct": "percent", "people": "person", "policemen": "police officer"}  # fmt: skip
_SECURITY = frozenset({"officer", "police officer", "police", "personnel", "troop", "soldier",
                       "agent", "peacekeeper", "gendarme", "security personnel"})  # fmt: skip
_CURRENCIES = frozenset({"usd", "eur", "gbp", "kes", "htg", "jpy", "cny", "chf", "cad", "aud"})
_INF = float("inf")


class Interval(NamedTuple):
    """The values a qualified quantity allows: 'over 200' is (200, inf)."""

    lo: float
    hi: float
    lo_open: bool
    hi_open: bool


def _qualifier(qualifier: str | None) -> str:
    q = (qualifier or "exact").strip().casefold()
    return _QUALIFIERS.get(q, q)


def quantity_interval(value: float, qualifier: str | None) -> Interval:
    value, q = float(value), _qualifier(qualifier)
    if q == "about":
        d = abs(value) * ABOUT_TOLERANCE
        return Interval(value - d, value + d, False, False)
    if q == "over":
        return Interval(value, _INF, True, True)
    if q == "at_least":
        return Interval(value, _INF, False, True)
    if q == "under":
        return Interval(-_INF, value, True, True)
    if q == "up_to":
        return Interval(-_INF, value, True, False)
    return Interval(value, value, False, False)  # unknown qualifiers read as exact


def _intersects(a: Interval, b: Interval) -> bool:
    lo, lo_open = max((a.lo, a.lo_open), (b.lo, b.lo_open))  # at equal bounds, open wins
    hi, hi_closed = min((a.hi, not a.hi_open), (b.hi, not b.hi_open))
    return lo < hi or (lo == hi and not lo_open and hi_closed)


def _contains(out: Interval, inn: Interval) -> bool:
    lo_ok = out.lo < inn.lo or (out.lo == inn.lo and (inn.lo_open or not out.lo_open))
    return lo_ok and (out.hi > inn.hi or (out.hi == inn.hi and (inn.hi_open or not out.hi_open)))


# Cached: units are a small vocabulary, and the ledger asks once per claim of a busy entity.
@lru_cache(maxsize=1024)
def unit_key(unit: str | None) -> tuple[str, str]:
    """(canonical unit, family): quantities compare only within one family."""
    raw = " ".join((unit or "").split())
    words = raw.casefold().rstrip(".").split() or [""]
    last = words[-1]
    if last.endswith("ies") and len(last) > 4:
        last = last[:-3] + "y"
    elif last.endswith("s") and not last.endswith(("ss", "us", "is")) and len(last) > 3:
        last = last[:-1]
    singular = " ".join([*words[:-1], last])
    u = _UNITS.get(" ".join(words)) or _UNITS.get(singular) or singular
    if u in _CURRENCIES or (len(raw) == 3 and raw.isalpha() and raw.isupper()):
        return u, f"money:{u}"
    return u, "security personnel" if u in _SECURITY else u


def describe_quantity(c: DiffClaim) -> str:
    if c.value is None:
        return "no figure"
    v = float(c.value)
    num = f"{int(v):,}" if v.is_integer() else f"{v:,}"
    return f"{_QUALIFIER_WORDS.get(_qualifier(c.qualifier), '')}{num} {c.unit or ''}".strip()


def describe_span(start: date | None, end: date | None) -> str:
    """'2025-01-18', '2024-06' for a whole month, else 'start..end'; '' when unresolved."""
    start, end = start or end, end or start
    if not (start and end):
        return ""
    if start == end:
        return start.isoformat()
    whole_month = start.day == 1 and (end + timedelta(days=1)).day == 1
    if whole_month and (start.year, start.month) == (end.year, end.month):
        return start.strftime("%Y-%m")
    return f"{start}..{end}"


def describe_time(c: DiffClaim) -> str:
    span = describe_span(c.time_start, c.time_end)
    return f"{c.time_text} ({span})" if c.time_text and span else c.time_text or span or "undated"


def compare_quantities(
    a: DiffClaim, b: DiffClaim, ia: Interval | None, ib: Interval | None
) -> tuple[Verdict, str]:
    """Figures of an aligned pair; `ia`/`ib` are their `quantity_interval`s (None: no figure)."""
    da, db = describe_quantity(a), describe_quantity(b)
    if ia is None or ib is None:
        side, what = ("left", da) if ib is None else ("right", db)
        return "refines", f"only {side} gives a figure ({what})"
    if ia == ib:
        return "agree", f"{da} in both" if da == db else f"{da} vs {db}: same count"
    if not _intersects(ia, ib):
        return "conflict", f"{da} vs {db}"
    bounded = _INF not in (abs(ia.lo), abs(ia.hi), abs(ib.lo), abs(ib.hi))
    if bounded and "about" in (_qualifier(a.qualifier), _qualifier(b.qualifier)):
        return "agree", f"{da} ≈ {db} (about = ±{ABOUT_TOLERANCE:.0%})"
    if _contains(ia, ib) or _contains(ib, ia):
        side = "left" if _contains(ib, ia) else "right"
        return "refines", f"{da} vs {db}: {side} is more precise"
    return "agree", f"{da} and {db} overlap"


def compare_times(
    a: DiffClaim, b: DiffClaim, ta: Span | None, tb: Span | None
) -> tuple[Verdict, str]:
    """Dates of an aligned pair; `ta`/`tb` are their resolved (start, end) spans or None."""
    da, db = describe_time(a), describe_time(b)
    if ta is None or tb is None:
        side, what = ("left", da) if tb is None else ("right", db)
        return "refines", f"only {side} dates it: {what}"
    (sa, ea), (sb, eb) = ta, tb
    if (sa, ea) == (sb, eb):
        return "agree", f"same date {da}" if da == db else f"same date: {da} / {db}"
    if ea < sb or eb < sa:
        return "conflict", f"date {da} vs {db}"
    if (sa <= sb and eb <= ea) or (sb <= sa and ea <= eb):
        side = "left" if sb <= sa and ea <= eb else "right"
        return "refines", f"date {da} vs {db}: {side} is more precise"
    return "agree", f"dates overlap: {da} / {db}"
