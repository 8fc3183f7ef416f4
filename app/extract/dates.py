"""Resolve time expressions ("on Saturday", "in June", "last week") to date ranges.

Pure: the only context is the article's publication date. Built on dateparser,
with fixes for the places where its reading differs from a news article's.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, Literal

from dateparser.date import DateDataParser

__all__ = ["DateRange", "resolve_time"]


Prefer = Literal["past", "future"]


@dataclass(frozen=True)
class DateRange:
    start: date
    end: date  # inclusive
    granularity: str  # "day" | "week" | "month" | "year"


# Hard-coded rather than calendar.day_name, which follows the process locale.
_WEEKDAYS: dict[str, int] = {
    name: i
    for names in (
        "monday tuesday wednesday thursday friday saturday sunday",
        "mon tue wed thu fri sat sun",
        "lundi mardi mercredi jeudi vendredi samedi dimanche",
    )
    for i, name in enumerate(names.split())
} | {"tues": 1, "thur": 3, "thurs": 3}

_PREPOSITIONS = re.compile(
    r"^(?:on|in|during|since|at|by|from|le|en|depuis|durant|pendant|dans|au)\s+", re.IGNORECASE
)
_PART_OF_DAY = re.compile(
    r"\b(?:in\s+the\s+|dans\s+la\s+|l')?"
    r"(?:morning|afternoon|evening|night|tonight|overnight|noon|midday|midnight|dawn|"
    r"matin|matinée|après-midi|soir|soirée|nuit)\b",
    re.IGNORECASE,
)
# "overnight" alone, in a report: the night just passed, from the day before into the day the
# article was written ("investigators were sent overnight", in a Saturday-morning report).
_OVERNIGHT = re.compile(r"^\s*overnight\s*$", re.IGNORECASE)
# "since December": from then until the article was written; a state ("has kept its rate at
# 4.25 percent since December") holds all that while, not only in December.
_SINCE = re.compile(r"^\s*(?:since|depuis)\b", re.IGNORECASE)
_WEEKDAY_RE = re.compile(
    r"^(?:(?P<pre>last|past|this|next|ce)\s+)?(?P<day>[a-zéû]+)\.?(?:\s+(?P<post>dernier|prochain))?$"
)
_EARLIER = re.compile(
    r"^(?:earlier|plus tôt|au début de|début)\s+(?:this|ce|cette)\s+"
    r"(?P<unit>week|month|year|semaine|mois|année)(?:-ci)?$",
    re.IGNORECASE,
)
_MODIFIERS = re.compile(r"^(?:early|mid|late|début|mi|fin)(?:\s+|-)(?:de\s+|d')?", re.IGNORECASE)
_UNITS = {
    "week": "week",
    "semaine": "week",
    "month": "month",
    "mois": "month",
    "year": "year",
    "année": "year",
}

# Two arbitrary bases used to tell absolute expressions from relative ones.
_PROBE_BASES = (datetime(2003, 3, 12, 12), datetime(2011, 9, 27, 12))


def _as_date(value: date | datetime | None) -> date | None:
    return value.date() if isinstance(value, datetime) else value


def _widen(day: date, granularity: str) -> DateRange:
    if granularity == "year":
        return DateRange(date(day.year, 1, 1), date(day.year, 12, 31), "year")
    if granularity == "month":
        last = calendar.monthrange(day.year, day.month)[1]
        return DateRange(day.replace(day=1), day.replace(day=last), "month")
    if granularity == "week":
        monday = day - timedelta(days=day.weekday())
        return DateRange(monday, monday + timedelta(days=6), "week")
    return DateRange(day, day, "day")


def _dateparser(
    text: str, languages: tuple[str, ...], base: datetime, prefer: Prefer = "past"
) -> DateRange | None:
    settings: dict[str, Any] = {
        "RELATIVE_BASE": base,
        "PREFER_DATES_FROM": prefer,
        "RETURN_TIME_AS_PERIOD": True,
    }
    # A parser per call costs nothing measurable and shares no state across threads.
    parser = DateDataParser(languages=list(languages), settings=settings)
    try:
        data = parser.get_date_data(text)
    except Exception:  # dateparser raises assorted errors on odd input; callers want None
        return None
    if data.date_obj is None:
        return None
    return _widen(data.date_obj.date(), data.period or "day")


def _clean(text: str) -> tuple[str, bool, bool]:
    """The words that name the day, whether a part of the day was named ("Friday night" is
    Friday; dateparser fails on "vendredi soir" and "ce matin"), and whether they said
    "early" ("early this week")."""
    cleaned = " ".join(text.replace("\u00a0", " ").replace("\u202f", " ").split()).strip(" .,;")
    had_part = early = False
    for _ in range(3):  # "since on" / "depuis le" / "at noon on Monday" style stacks
        cleaned = _PREPOSITIONS.sub("", cleaned)
        # "mid-January" / "fin janvier": the month is as precise as we get.
        modifier = _MODIFIERS.match(cleaned)
        if modifier:
            word = re.split(r"[\s\-']", modifier.group(), maxsplit=1)[0].lower()
            early = early or word in {"early", "début"}
            cleaned = cleaned[modifier.end() :]
        without_part = " ".join(_PART_OF_DAY.sub(" ", cleaned).split())
        had_part = had_part or without_part != cleaned
        cleaned = without_part
    return cleaned, had_part, early


def _weekday(text: str, published: date, prefer: Prefer) -> DateRange | None:
    match = _WEEKDAY_RE.match(text.lower())
    if match is None or match["day"] not in _WEEKDAYS:
        return None
    target = _WEEKDAYS[match["day"]]
    back = (published.weekday() - target) % 7
    if match["pre"] == "next" or match["post"] == "prochain":
        ahead = (target - published.weekday()) % 7 or 7
        return _widen(published + timedelta(days=ahead), "day")
    if prefer == "future" and match["pre"] is None and match["post"] is None:
        return _widen(published + timedelta(days=(target - published.weekday()) % 7), "day")
    if match["pre"] in {"last", "past"} or match["post"] == "dernier":
        back = back or 7  # "last Saturday" on a Saturday is a week ago
    return _widen(published - timedelta(days=back), "day")


def _relative_special(
    text: str, had_part: bool, published: date, prefer: Prefer
) -> DateRange | None:
    lowered = text.lower()
    if had_part and lowered in {"", "this", "ce", "cette", "today", "aujourd'hui"}:
        return _widen(published, "day")
    if had_part and lowered in {"last", "hier"}:
        return _widen(published - timedelta(days=1), "day")
    earlier = _EARLIER.match(lowered)
    if earlier:
        unit = _UNITS[earlier["unit"]]
        return DateRange(_widen(published, unit).start, published, unit)
    return _weekday(text, published, prefer)


def resolve_time(
    text: str,
    published_at: date | datetime | None,
    *,
    languages: Sequence[str] = ("en", "fr"),
    prefer: Prefer = "past",
) -> DateRange | None:
    """Resolve ``text`` to an inclusive date range, or None when it names no time.

    "since X" runs from the start of X to the publication day. Words that name a day or a month
    without its year ("on Thursday", "in June") are read as the last one by default; with
    ``prefer="future"``, as the coming one.

    Relative expressions need ``published_at``; without it only absolute dates
    (ones that read the same whatever "today" is) resolve.
    """
    try:
        resolved = _resolve(text, published_at, tuple(languages), prefer)
    except OverflowError:  # arithmetic next to date.min / date.max
        return None
    published = _as_date(published_at)
    if resolved is None or published is None or not _SINCE.match(text):
        return resolved
    if resolved.start > published:
        return resolved  # not a "since" we can read: left as the words name it
    return DateRange(resolved.start, max(resolved.end, published), resolved.granularity)


def _resolve(
    text: str, published_at: date | datetime | None, langs: tuple[str, ...], prefer: Prefer
) -> DateRange | None:
    cleaned, had_part, early = _clean(text)
    if not cleaned and not had_part:
        return None
    # dateparser reads "5" as May; only a four-digit year stands alone.
    if cleaned.isdigit() and len(cleaned) != 4:
        return None
    published = _as_date(published_at)

    if published is None:
        if not cleaned:
            return None
        first, second = (_dateparser(cleaned, langs, base) for base in _PROBE_BASES)
        return first if first is not None and first == second else None

    if _OVERNIGHT.match(text):
        return DateRange(published - timedelta(days=1), published, "day")
    special = _relative_special(cleaned, had_part, published, prefer)
    if special is not None:
        return special
    if not cleaned:
        return None
    # End of day, so a bare clock time ("at 3pm") lands on the publication day
    # instead of being pushed to yesterday by PREFER_DATES_FROM="past".
    found = _dateparser(cleaned, langs, datetime.combine(published, time(23, 59, 59)), prefer)
    if early and found is not None and found.granularity == "week":
        # "Early this week": its first three days, so that a figure for them is not taken for
        # one over the whole week (a total of which Monday's is a part).
        return DateRange(found.start, found.start + timedelta(days=2), "week")
    return found
