"""Time expressions resolved against a publication date (Saturday 18 January 2025)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.extract.dates import DateRange, resolve_time

SATURDAY = date(2025, 1, 18)


def d(iso: str) -> date:
    return date.fromisoformat(iso)


@pytest.mark.parametrize(
    ("text", "start", "end", "granularity"),
    [
        # A bare weekday on its own weekday is the publication day (dateparser says 11th).
        ("Saturday", "2025-01-18", "2025-01-18", "day"),
        ("on Saturday", "2025-01-18", "2025-01-18", "day"),
        ("samedi", "2025-01-18", "2025-01-18", "day"),
        ("Friday", "2025-01-17", "2025-01-17", "day"),
        ("Sunday", "2025-01-12", "2025-01-12", "day"),
        ("mardi", "2025-01-14", "2025-01-14", "day"),
        ("last Saturday", "2025-01-11", "2025-01-11", "day"),
        ("vendredi dernier", "2025-01-17", "2025-01-17", "day"),
        ("next Friday", "2025-01-24", "2025-01-24", "day"),
        # Parts of the day resolve to their day.
        ("Friday night", "2025-01-17", "2025-01-17", "day"),
        ("vendredi soir", "2025-01-17", "2025-01-17", "day"),
        ("Saturday morning", "2025-01-18", "2025-01-18", "day"),
        ("samedi après-midi", "2025-01-18", "2025-01-18", "day"),
        ("tonight", "2025-01-18", "2025-01-18", "day"),
        ("ce matin", "2025-01-18", "2025-01-18", "day"),
        ("last night", "2025-01-17", "2025-01-17", "day"),
        ("overnight", "2025-01-17", "2025-01-18", "day"),  # the night just passed
        ("at noon on Saturday", "2025-01-18", "2025-01-18", "day"),  # not a week ago
        ("at midnight on Friday", "2025-01-17", "2025-01-17", "day"),
        # Early in the week is its first three days, not the whole week.
        ("early this week", "2025-01-13", "2025-01-15", "week"),
        ("this week", "2025-01-13", "2025-01-19", "week"),
        ("hier soir", "2025-01-17", "2025-01-17", "day"),
        ("at 3pm", "2025-01-18", "2025-01-18", "day"),
        ("yesterday", "2025-01-17", "2025-01-17", "day"),
        ("il y a deux jours", "2025-01-16", "2025-01-16", "day"),
        # Months: the most recent one not after publication.
        ("in June", "2024-06-01", "2024-06-30", "month"),
        ("en juin", "2024-06-01", "2024-06-30", "month"),
        ("December", "2024-12-01", "2024-12-31", "month"),
        ("January", "2025-01-01", "2025-01-31", "month"),
        ("mid-January", "2025-01-01", "2025-01-31", "month"),
        ("fin décembre", "2024-12-01", "2024-12-31", "month"),
        ("earlier this month", "2025-01-01", "2025-01-18", "month"),
        ("plus tôt ce mois-ci", "2025-01-01", "2025-01-18", "month"),
        ("earlier this year", "2025-01-01", "2025-01-18", "year"),
        ("last month", "2024-12-01", "2024-12-31", "month"),
        # Weeks run Monday..Sunday.
        ("last week", "2025-01-06", "2025-01-12", "week"),
        ("la semaine dernière", "2025-01-06", "2025-01-12", "week"),
        ("this week", "2025-01-13", "2025-01-19", "week"),
        ("next week", "2025-01-20", "2025-01-26", "week"),
        # Years.
        ("this year", "2025-01-01", "2025-12-31", "year"),
        ("last year", "2024-01-01", "2024-12-31", "year"),
        ("l'année dernière", "2024-01-01", "2024-12-31", "year"),
        ("2024", "2024-01-01", "2024-12-31", "year"),
        ("in 2023", "2023-01-01", "2023-12-31", "year"),
        ("since 2019", "2019-01-01", "2025-01-18", "year"),  # until the article
        ("since December", "2024-12-01", "2025-01-18", "month"),
        ("since Monday", "2025-01-13", "2025-01-18", "day"),
        # Absolute dates.
        ("Jan 18", "2025-01-18", "2025-01-18", "day"),
        ("Jan. 17", "2025-01-17", "2025-01-17", "day"),
        ("18 January 2025", "2025-01-18", "2025-01-18", "day"),
        ("le 18 janvier", "2025-01-18", "2025-01-18", "day"),
        ("depuis le 2 janvier", "2025-01-02", "2025-01-18", "day"),
        ("January 2025", "2025-01-01", "2025-01-31", "month"),
        ("during March 2022", "2022-03-01", "2022-03-31", "month"),
        ("2025-01-10", "2025-01-10", "2025-01-10", "day"),
        ("Friday, Jan. 17", "2025-01-17", "2025-01-17", "day"),
    ],
)
def test_resolve_against_publication(text: str, start: str, end: str, granularity: str) -> None:
    assert resolve_time(text, SATURDAY) == DateRange(d(start), d(end), granularity)


def test_datetime_publication_uses_its_date() -> None:
    published = datetime(2025, 1, 18, 23, 30, tzinfo=UTC)
    assert resolve_time("Saturday", published) == DateRange(SATURDAY, SATURDAY, "day")
    assert resolve_time("yesterday", published) == DateRange(
        d("2025-01-17"), d("2025-01-17"), "day"
    )


def test_weekday_is_within_the_last_six_days() -> None:
    wednesday = date(2025, 1, 15)
    assert resolve_time("Wednesday", wednesday) == DateRange(wednesday, wednesday, "day")
    assert resolve_time("Thursday", wednesday) == DateRange(d("2025-01-09"), d("2025-01-09"), "day")


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("on Thursday", "2025-01-23", "2025-01-23"),  # the coming Thursday, not the last
        ("Saturday", "2025-01-18", "2025-01-18"),  # the day itself
        ("on 12 November", "2025-11-12", "2025-11-12"),
        ("in June", "2025-06-01", "2025-06-30"),
        ("by December", "2025-12-01", "2025-12-31"),
        ("early on Monday morning", "2025-01-20", "2025-01-20"),
        ("last Thursday", "2025-01-16", "2025-01-16"),  # the words say which
        ("yesterday", "2025-01-17", "2025-01-17"),
        ("on 3 March 2024", "2024-03-03", "2024-03-03"),  # a year is a year
    ],
)
def test_the_coming_reading_of_the_same_words(text: str, start: str, end: str) -> None:
    got = resolve_time(text, SATURDAY, prefer="future")
    assert got is not None
    assert (got.start, got.end) == (d(start), d(end))


def test_a_modifier_before_a_preposition_is_read() -> None:
    # Thursday 8 October 2026: the protest "early on Thursday morning" is that day.
    thursday = date(2026, 10, 8)
    got = resolve_time("early on Thursday morning", thursday)
    assert got == DateRange(thursday, thursday, "day")


def test_month_in_leap_february() -> None:
    assert resolve_time("in February", date(2024, 3, 5)) == DateRange(
        d("2024-02-01"), d("2024-02-29"), "month"
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("18 January 2025", DateRange(d("2025-01-18"), d("2025-01-18"), "day")),
        ("January 2025", DateRange(d("2025-01-01"), d("2025-01-31"), "month")),
        ("2024", DateRange(d("2024-01-01"), d("2024-12-31"), "year")),
        ("2025-01-10", DateRange(d("2025-01-10"), d("2025-01-10"), "day")),
        # Relative, or missing the year: no answer without a publication date.
        ("Saturday", None),
        ("yesterday", None),
        ("last year", None),
        ("Jan 18", None),
        ("tonight", None),
        ("earlier this month", None),
    ],
)
def test_without_publication_date(text: str, expected: DateRange | None) -> None:
    assert resolve_time(text, None) == expected


@pytest.mark.parametrize("text", ["", "   ", "asdf", "the police", "5", "17", "Kenya"])
def test_unparseable_returns_none(text: str) -> None:
    assert resolve_time(text, SATURDAY) is None


TIME_WORDS = st.sampled_from(
    [
        *("on", "in", "since", "last", "next", "this", "earlier", "mid-", "early", "ago"),
        *("Saturday", "samedi", "Friday", "night", "soir", "matin", "June", "juin"),
        *("week", "semaine", "month", "mois", "year", "année", "January", "janvier"),
        *("le", "en", "depuis", "il", "y", "a", "deux", "18", "2025", "3pm", ".", ",", "-"),
    ]
)


@settings(deadline=None)
@given(
    text=st.one_of(st.text(max_size=40), st.lists(TIME_WORDS, max_size=6).map(" ".join)),
    published=st.one_of(
        st.none(),
        st.sampled_from([date.min, date.max]),  # overflow when stepping a day or week
        st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31)),
        st.datetimes(timezones=st.just(UTC)),
    ),
)
def test_never_raises(text: str, published: date | datetime | None) -> None:
    result = resolve_time(text, published)
    if result is not None:
        assert result.start <= result.end
        assert result.granularity in {"day", "week", "month", "year"}
