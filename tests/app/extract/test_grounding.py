"""Quote location and quantity checks: offsets into the original text, by hand."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.extract.grounding import (
    MatchKind,
    Span,
    format_number,
    locate_quote,
    normalize,
    numbers_in,
    quantity_in_evidence,
)

KENYA = "Kenya deployed an additional 217 police officers to Haiti on Saturday."
CURLY = "The minister said the plan was “a complete failure” — and then left."
FRENCH = (
    "Le ministre a déclaré\u00a0: «\u00a0Nous enverrons 1\u202f000 policiers\u00a0» "
    "à Port-au-Prince."
)


def test_exact_match_offsets() -> None:
    span = locate_quote("217 police officers", KENYA)
    assert span == Span(29, 48, MatchKind.exact, 100.0)
    assert KENYA[29:48] == "217 police officers"


def test_exact_match_strips_the_quotes_whitespace() -> None:
    span = locate_quote("  Haiti on Saturday \n", KENYA)
    assert span == Span(52, 69, MatchKind.exact, 100.0)
    assert KENYA[52:69] == "Haiti on Saturday"


def test_first_occurrence_wins() -> None:
    text = "The police came; the police left; the police stayed."
    assert locate_quote("the police", text) == Span(17, 27, MatchKind.exact, 100.0)
    # Case-insensitively the first one is at 0.
    assert locate_quote("THE POLICE", text) == Span(0, 10, MatchKind.normalized, 100.0)


def test_normalized_match_covers_the_curly_quoted_passage() -> None:
    quote = 'said the plan was "a complete failure" - and THEN  left'
    span = locate_quote(quote, CURLY)
    assert span == Span(13, 67, MatchKind.normalized, 100.0)
    assert CURLY[13:67] == "said the plan was “a complete failure” — and then left"


def test_normalized_match_has_no_trailing_whitespace() -> None:
    text = "He said:  “enough”   and left."
    span = locate_quote('"enough"', text)
    assert span is not None and span.kind is MatchKind.normalized
    assert (span.start, span.end) == (10, 18)
    assert text[10:18] == "“enough”"


def test_french_guillemets_and_narrow_spaces() -> None:
    span = locate_quote("« Nous enverrons 1 000 policiers »", FRENCH)
    assert span == Span(24, 58, MatchKind.normalized, 100.0)
    assert FRENCH[24:58] == "«\u00a0Nous enverrons 1\u202f000 policiers\u00a0»"

    inner = locate_quote("nous enverrons 1 000 policiers", FRENCH)
    assert inner is not None and (inner.start, inner.end) == (26, 56)

    accented = locate_quote("à Port-au-Prince", FRENCH)
    assert accented == Span(59, 75, MatchKind.exact, 100.0)
    assert FRENCH[59:75] == "à Port-au-Prince"


def test_length_changing_normalization_maps_back() -> None:
    text = "🎉🇭🇹 Die Straße ﬁnal ist lang."
    # "ß" casefolds to "ss" and "ﬁ" NFKC-decomposes to "fi": one original char each.
    span = locate_quote("STRASSE final", text)
    assert span == Span(8, 19, MatchKind.normalized, 100.0)
    assert text[8:19] == "Straße ﬁnal"


def test_half_of_an_expanded_char_is_not_a_match() -> None:
    # "s" would match the first half of "ß" -> "ss"; it must match the real "s".
    text = "Maß und Messer"
    span = locate_quote("S UND", text)
    assert span is None or text[span.start : span.end].casefold() == "s und"
    assert locate_quote("ß", "Strasse und Straße") == Span(16, 17, MatchKind.exact, 100.0)


def test_decomposed_accents_in_text() -> None:
    text = "Un cafe\u0301 cre\u0300me, s'il vous plaît."
    span = locate_quote("CAFÉ CRÈME", text)
    assert span == Span(3, 15, MatchKind.normalized, 100.0)
    assert text[3:15] == "cafe\u0301 cre\u0300me"


def test_emoji_before_quote_does_not_shift_offsets() -> None:
    text = "🇭🇹🔥 Kenya deployed 217 police officers."
    assert locate_quote("217 police officers", text) == Span(19, 38, MatchKind.exact, 100.0)
    assert locate_quote("217 POLICE officers", text) == Span(19, 38, MatchKind.normalized, 100.0)


def test_greek_and_cyrillic() -> None:
    greek = "Η Αθήνα είναι η πρωτεύουσα της Ελλάδας."
    assert locate_quote("η αθήνα είναι", greek) == Span(0, 13, MatchKind.normalized, 100.0)

    russian = "Президент заявил, что «мир близок», — сообщает агентство."
    span = locate_quote('президент заявил, что "мир близок"', russian)
    assert span == Span(0, 34, MatchKind.normalized, 100.0)
    assert russian[0:34] == "Президент заявил, что «мир близок»"


def test_arabic_fuzzy_one_letter() -> None:
    text = "قال الوزير إن 300 جندي وصلوا إلى العاصمة."
    span = locate_quote("إن 300 جندي وصلوا إلى العاصمه", text)  # ة written as ه
    assert span is not None and span.kind is MatchKind.fuzzy
    assert (span.start, span.end) == (11, 40)
    assert text[11:40] == "إن 300 جندي وصلوا إلى العاصمة"


def test_fuzzy_one_changed_word() -> None:
    quote = "Kenya sent an additional 217 police officers to Haiti on Saturday"
    span = locate_quote(quote, KENYA)
    assert span is not None
    assert span.kind is MatchKind.fuzzy
    assert span.score >= 90.0
    assert (span.start, span.end) == (0, 69)
    assert KENYA[0:69] == "Kenya deployed an additional 217 police officers to Haiti on Saturday"


def test_fuzzy_dropped_word_snaps_to_word_boundaries() -> None:
    span = locate_quote("an additional 217 officers to Haiti on Saturday", KENYA)
    assert span is not None and span.kind is MatchKind.fuzzy
    assert KENYA[span.start : span.end] == "an additional 217 police officers to Haiti on Saturday"


def test_fuzzy_respects_threshold() -> None:
    quote = "Kenya sent an additional 217 police officers to Haiti on Saturday"
    assert locate_quote(quote, KENYA, fuzzy_threshold=99.0) is None


def test_fuzzy_can_hide_a_wrong_number_so_check_the_passage() -> None:
    span = locate_quote("Kenya deployed an additional 270 police officers to Haiti", KENYA)
    assert span is not None and span.kind is MatchKind.fuzzy
    assert not quantity_in_evidence(270, KENYA[span.start : span.end])


@pytest.mark.parametrize(
    "quote",
    [
        "Kenya withdrew all of its soldiers from Nairobi last year",
        "aliens landed in Paris yesterday evening",
        "",
        "   ",
        "217 polise",  # close, but too short to fuzzy-match safely
    ],
)
def test_unsupported_quotes_return_none(quote: str) -> None:
    assert locate_quote(quote, KENYA) is None


def test_normalize() -> None:
    assert normalize("  “Straße”\u00a0—  ﬁne…  ") == '"strasse" - fine...'
    assert normalize("«\u202fOui\u202f»") == '" oui "'


# --- numbers ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("displaced over one million people", [1_000_000]),
        ("pledged a total of 1,000 personnel", [1000]),
        ("pledging over $300 million", [300, 300_000_000]),
        ("over 3,100 troops", [3100]),
        ("deux cent dix-sept policiers", [217]),
        ("1 000 policiers", [1000]),
        ("1\u00a0000 policiers et 2\u202f500 gendarmes", [1000, 2500]),
        ("two hundred and seventeen officers", [217]),
        ("mille soldats", [1000]),
        ("un million de personnes", [1_000_000]),
        ("1.5 billion", [1.5, 1_500_000_000]),
        ("a 3bn fund and 20k troops", [3, 3_000_000_000, 20, 20_000]),
        ("2 milliards d'euros", [2, 2_000_000_000]),
        ("12% of voters", [12]),
        ("un taux de 2,5 %", [2.5]),
        ("2.5 and 1,000,000.75", [2.5, 1_000_000.75]),
        ("1.000.000 habitants", [1_000_000]),
        ("1.000", [1.0, 1000]),  # ambiguous: both readings
        ("US$5m", [5, 5_000_000]),
        ("a 5m wall", [5]),  # metres, not millions
        ("the 21st century", [21]),  # ordinals are numbers as written
        ("le 1er janvier", [1]),
        ("for the ninth day", [9]),
        ("for the 9th day", [9]),
        ("for the third time", [3]),
        ("the strike reached its tenth day", [10]),
        ("pour la neuvième fois", [9]),
        ("for the first time", []),  # like "one": far more often a word than a count
        ("a dozen picketers", [12]),
        ("two dozen ships", [2, 24]),
        ("half a million people", [500_000, 1_000_000]),
        ("less than half the usual rainfall", [0.5, 50]),
        ("a quarter of the staff", [0.25, 25]),
        ("three quarters of homes", [0.75, 75, 3]),
        ("on behalf of the union", []),
        ("in the third quarter", [3]),
        ("within a fortnight", [2, 14]),
        ("the six-week trial", [6]),
        ("a five-year contract", [5]),
        ("deux cent dix-sept policiers", [217]),
        ("an A320 crashed", []),
        ("no numbers here", []),
    ],
)
def test_numbers_in(text: str, expected: list[float]) -> None:
    assert numbers_in(text) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("value", "evidence", "expected"),
    [
        (300_000_000, "pledging over $300 million", True),
        (300, "pledging over $300 million", True),
        (1_000_000, "displaced over one million people", True),
        (270, "deployed an additional 217 police officers", False),
        (217, "deployed an additional 217 police officers", True),
        (1000, "pledged a total of 1,000 personnel", True),
        (3100, "over 3,100 troops", True),
        (217, "deux cent dix-sept policiers", True),
        (1000, "1 000 policiers", True),
        (2_000_000_000, "deux milliards d'euros", True),
        (1_500_000_000, "a $1.5 billion package", True),
        # Clearly English text is not also read with the French parser ("cent", "sept").
        (100, "inflation was 12 per cent", False),
        (7, "the truce has held since Sept. 18", False),
        (1, "one of the officers was hurt", False),  # "one"/"un" are rarely quantities
        (2, "two of the officers were hurt", True),
        (9, "The strike entered its ninth day on Tuesday", True),
        (9, "the 9th straight day of the walkout", True),
        (3, "the third truce to fail since the fighting began", True),
        (12, "A dozen picketers were arrested", True),
        (6, "The six-week trial heard from 41 witnesses", True),
        (1, "One person is still missing", True),
        (1, "a single vessel was allowed in", True),
    ],
)
def test_quantity_in_evidence(value: float, evidence: str, expected: bool) -> None:
    assert quantity_in_evidence(value, evidence) is expected


@pytest.mark.parametrize(
    ("value", "written"),
    [
        (500_000_000, "500,000,000"),
        (41.5, "41.5"),
        (0.1 + 0.2, "0.3"),
        (-3, "-3"),
        (1e-7, "0.0000001"),
    ],
)
def test_numbers_are_written_as_an_article_writes_them(value: float, written: str) -> None:
    assert format_number(value) == written


def test_quantity_tolerance_is_relative() -> None:
    assert quantity_in_evidence(0.1 + 0.2, "a 0.3 percent rise")
    assert not quantity_in_evidence(0.1, "a 0.1001 percent rise")
    assert quantity_in_evidence(0.1, "a 0.1001 percent rise", rel_tol=1e-2)


# --- properties --------------------------------------------------------------------------

# Characters whose normalization is context-free (no combining marks, no Hangul jamo),
# plus the typographic ones normalization exists for.
ALPHABET = st.sampled_from(list("abcXYZ éèàçÉßﬁ‘’“”«»—–-'\".,…αβΩςжЖ😀🇭🇹 \u00a0\u202f\u00ad\n12"))


@given(text=st.text(), data=st.data())
def test_any_slice_is_found_exactly(text: str, data: st.DataObject) -> None:
    i = data.draw(st.integers(0, len(text)))
    j = data.draw(st.integers(i, len(text)))
    quote = text[i:j]
    span = locate_quote(quote, text)
    if not quote.strip():
        assert span is None
        return
    assert span is not None and span.kind is MatchKind.exact
    assert text[span.start : span.end] == quote.strip()
    assert span.start == text.find(quote.strip())


def _retype(quote: str) -> str:
    """What a model might type back: straight quotes, hyphens, other case, other spaces."""
    table = str.maketrans({"’": "'", "“": '"', "«": '"', "—": "-", " ": "  ", "\u00a0": " "})
    return quote.translate(table).upper()


@settings(max_examples=300)
@given(text=st.text(ALPHABET, max_size=60), data=st.data())
def test_retyped_slice_is_found_normalized(text: str, data: st.DataObject) -> None:
    i = data.draw(st.integers(0, len(text)))
    j = data.draw(st.integers(i, len(text)))
    quote = _retype(text[i:j])
    span = locate_quote(quote, text)
    if not quote.strip():
        assert span is None
    if not normalize(quote):
        return  # e.g. only a soft hyphen: invisible, nothing to compare
    assert span is not None
    assert 0 <= span.start < span.end <= len(text)
    matched = text[span.start : span.end]
    assert normalize(matched) == normalize(quote)
    assert matched == matched.strip()


@given(text=st.text(), value=st.floats(allow_nan=True, allow_infinity=True))
def test_numbers_never_raise(text: str, value: float) -> None:
    numbers_in(text)
    quantity_in_evidence(value, text)


@given(n=st.integers(0, 10**12))
def test_formatted_integers_are_found(n: int) -> None:
    assert quantity_in_evidence(n, f"about {n} people")
    assert quantity_in_evidence(n, f"about {n:,} people")
    assert quantity_in_evidence(n, f"environ {n:,} personnes".replace(",", "\u202f"))
