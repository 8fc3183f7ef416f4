"""What the figures, units and dates of a claim mean to the diff.

Pure, like app.diff.relations, which uses these comparisons to classify an aligned pair, and
app.diff.scoring, which uses the units and intervals to align. The claim type lives in
app.diff.types, so none of them import each other in a cycle.

Tolerances, documented here and named in every explanation that uses them:

- "about", "nearly", "around", "approximately": percentages ±1 point (about 40% is 39-41%),
  anything else ±5% of the value (about 20,000 is 19,000-21,000); an exact figure inside
  that range refines it, and so does an estimate within bounds overlapping an open-ended
  figure (about 41,000 against over 40,000). Two estimates, both hedged, agree within one such
  rounding of each other and conflict beyond it (about 40% vs about 45%; about 4,200 vs about
  3,800).
- An event's date is as precise as its day: two reports of one event a day apart (left on
  Friday night, arrived on Saturday; time zones) are one event, and its figure decides.
- A state (a total, a share, a level) holds as of a time: its own dates, else the article's
  publication day. Different numbers as of different days are `updates`, not a conflict; a
  conflict between states needs overlapping as-of times. Within a week, a figure that fits
  the other's and lies within one "about" of it is one number told more precisely: the
  figure decides (`refines`).
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache
from typing import Literal, NamedTuple

from app.diff.types import DiffClaim

Verdict = Literal["agree", "conflict", "refines", "updates"]
Span = tuple[date, date]

ABOUT_POINTS = 1.0  # percent: "about 40%" is 39..41%
# Within a week, a later figure within one rounding of an earlier one and fitting it is that
# number told more precisely, not a change (app.diff.rules.compare_as_of); over longer, a
# statistic read again. On eval/dev the gaps are 1 to 4 days and 30 days.
PINNED_DOWN_DAYS = 7
ABOUT_RELATIVE = 0.05  # counts and money: "about 20" is 19..21, "about $2 million" ±$100,000
EVENT_SLACK_DAYS = 1

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
# family (singular/plural folded), and different families never align. Claims with a unit kind
# (news_claims@v2) compare within their unit kind instead, a currency within its code.
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


def about_bound(percent: bool) -> str:
    return f"±{ABOUT_POINTS:g} point" if percent else f"±{ABOUT_RELATIVE:.0%}"


def quantity_interval(value: float, qualifier: str | None, *, percent: bool = False) -> Interval:
    value, q = float(value), _qualifier(qualifier)
    if q == "about":
        d = ABOUT_POINTS if percent else abs(value) * ABOUT_RELATIVE
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


def _bounded(i: Interval) -> bool:
    return i.lo > -_INF and i.hi < _INF


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


def unit_family(unit: str | None, unit_kind: str | None) -> str:
    """The family two figures must share to be compared: the unit kind when there is one."""
    canonical, family = unit_key(unit)
    if unit_kind is None:
        return family
    if unit_kind == "currency":
        return f"money:{canonical}"
    return unit_kind


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
    a: DiffClaim, b: DiffClaim, ia: Interval | None, ib: Interval | None, *, percent: bool = False
) -> tuple[Verdict, str]:
    """Figures of an aligned pair; `ia`/`ib` are their `quantity_interval`s (None: no figure)."""
    da, db = describe_quantity(a), describe_quantity(b)
    if ia is None or ib is None:
        side, what = ("left", da) if ib is None else ("right", db)
        return "refines", f"only {side} gives a figure ({what})"
    if ia == ib:
        return "agree", f"{da} in both" if da == db else f"{da} vs {db}: same count"
    qa, qb = _qualifier(a.qualifier), _qualifier(b.qualifier)
    bound = f"about = {about_bound(percent)}"
    if qa == qb == "about":
        # Two estimates, each rounded: they agree when within one rounding of each other,
        # else the sources estimate differently (about 40% vs about 45%).
        if _within_rounding(a, b, percent=percent):
            return "agree", f"{da} ≈ {db} ({bound})"
        return "conflict", f"{da} vs {db}: two estimates further apart than {bound}"
    if not _intersects(ia, ib):
        hedged = "about" in (qa, qb)
        return "conflict", f"{da} vs {db}" + (f" ({bound})" if hedged else "")
    if _contains(ia, ib) or _contains(ib, ia):
        side = "left" if _contains(ib, ia) else "right"
        note = f" ({bound})" if "about" in (qa, qb) else ""
        return "refines", f"{da} vs {db}: {side} is more precise{note}"
    if _bounded(ia) != _bounded(ib):
        # "over 40,000" and "about 41,000": the estimate within bounds says more.
        side = "left" if _bounded(ia) else "right"
        return "refines", f"{da} and {db} overlap: {side} is more precise ({bound})"
    return "agree", f"{da} and {db} overlap"


def _within_rounding(a: DiffClaim, b: DiffClaim, *, percent: bool) -> bool:
    """Two figures at most one "about" apart (ABOUT_POINTS for percentages, else
    ABOUT_RELATIVE of the larger)."""
    va, vb = float(a.value or 0), float(b.value or 0)
    tolerance = ABOUT_POINTS if percent else max(abs(va), abs(vb)) * ABOUT_RELATIVE
    return abs(va - vb) <= tolerance


def gap_days(ta: Span, tb: Span) -> int:
    """Days between two spans; 0 when they overlap."""
    (sa, ea), (sb, eb) = ta, tb
    return max((sb - ea).days, (sa - eb).days, 0)


def compare_times(
    a: DiffClaim, b: DiffClaim, ta: Span | None, tb: Span | None, *, slack_days: int = 0
) -> tuple[Verdict, str]:
    """Dates of an aligned pair; `ta`/`tb` are their resolved (start, end) spans or None.

    Spans at most `slack_days` apart are one time reported at the precision of a day.
    """
    da, db = describe_time(a), describe_time(b)
    if ta is None or tb is None:
        side, what = ("left", da) if tb is None else ("right", db)
        return "refines", f"only {side} dates it: {what}"
    (sa, ea), (sb, eb) = ta, tb
    if (sa, ea) == (sb, eb):
        return "agree", f"same date {da}" if da == db else f"same date: {da} / {db}"
    if ea < sb or eb < sa:
        gap = gap_days(ta, tb)
        if gap <= slack_days:
            return "agree", f"{da} vs {db}: {gap} day apart, within a day's precision"
        return "conflict", f"{da} vs {db}"
    if (sa <= sb and eb <= ea) or (sb <= sa and ea <= eb):
        side = "left" if sb <= sa and ea <= eb else "right"
        return "refines", f"{da} vs {db}: {side} is more precise"
    return "agree", f"dates overlap: {da} / {db}"


def time_span(start: date | None, end: date | None) -> Span | None:
    """A claim's dates as a span, one end standing for both when only one is known."""
    start, end = start or end, end or start
    return (start, end) if start and end else None


def as_of(c: DiffClaim) -> Span | None:
    """When a state holds: its own dates, else its article's day; None when neither is known."""
    if (span := time_span(c.time_start, c.time_end)) is not None:
        return span
    if c.published_at is not None:
        day = c.published_at.date()
        return day, day
    return None


def compare_as_of(
    a: DiffClaim, b: DiffClaim, figure: tuple[Verdict, str] | None, *, percent: bool = False
) -> tuple[Verdict, str] | None:
    """`updates` when two states hold as of different days with different numbers (over 300
    injured on Monday, 520 on Tuesday); None otherwise, so that the figure decides: two days'
    reports of one number agree, and within PINNED_DOWN_DAYS a figure that fits the other's
    and lies within one rounding of it ("over 40,000 depositors" on Tuesday, 41,300 on
    Wednesday; 241 survivors and "over 240") pins one number down, which `refines` says, not
    a change. A month apart, "over 412,000 waiting" and 419,800 are two readings."""
    ta, tb = as_of(a), as_of(b)
    if ta is None or tb is None:
        return None
    gap = gap_days(ta, tb)
    if gap == 0 or figure is None or a.value == b.value:
        return None
    close = gap <= PINNED_DOWN_DAYS and figure[0] in ("agree", "refines")
    if close and _within_rounding(a, b, percent=percent):
        return None
    later = "right" if tb[0] > ta[1] else "left"
    span_a, span_b = describe_span(*ta), describe_span(*tb)
    return "updates", f"as of {span_a} vs as of {span_b}: {later} is the later value"
