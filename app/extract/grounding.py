"""Locate evidence quotes in article text and check quantities against them.

Pure functions only: no I/O, no app imports. Offsets are Python ``str`` indices
(Unicode code points) into the original text.

One module past 300 lines on purpose: locating a quote and finding its number share one
normalisation of the text and one map back to the original offsets.
"""

from __future__ import annotations

import functools
import math
import re
import unicodedata
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache

from rapidfuzz import fuzz
from text_to_num import alpha2digit

__all__ = [
    "MatchKind",
    "Span",
    "format_number",
    "locate_quote",
    "normalize",
    "numbers_in",
    "quantity_in_evidence",
]

MIN_FUZZY_CHARS = 12


class MatchKind(StrEnum):
    exact = "exact"
    normalized = "normalized"
    fuzzy = "fuzzy"


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    kind: MatchKind
    score: float


# Applied before NFKC as well as after: NFKC would turn "″" into two primes and
# "´" into a space plus a combining accent, which the table could not undo.
_PUNCT = str.maketrans(
    {
        **dict.fromkeys("‘’‚‛′‹›ʼ`´", "'"),
        **dict.fromkeys("“”„‟″«»", '"'),
        **dict.fromkeys("‐‑‒–—―−", "-"),
        **dict.fromkeys("\u00a0\u2007\u2009\u200a\u202f\u2008\u205f\u3000", " "),
        "…": "...",
    }
)


def _normalize_cluster(cluster: str) -> str:
    out = unicodedata.normalize("NFKC", cluster.translate(_PUNCT))
    out = unicodedata.normalize("NFKC", out.casefold()).translate(_PUNCT)
    # Format characters (soft hyphen, ZWJ, bidi marks in Arabic text) are
    # invisible, so a quote copied by a model rarely keeps them.
    return "".join(" " if ch.isspace() else ch for ch in out if unicodedata.category(ch) != "Cf")


@dataclass(frozen=True)
class _Normalized:
    text: str
    # For each normalized char, the original [start, end) of the cluster it came from.
    starts: tuple[int, ...]
    ends: tuple[int, ...]
    # Normalized positions that fall on cluster boundaries, sorted.
    word_starts: tuple[int, ...]
    word_ends: tuple[int, ...]


def _clusters(text: str) -> list[tuple[int, int]]:
    # A base character plus its combining marks is normalized as one unit so
    # that "e" + U+0301 composes to "é" just as whole-string NFKC would.
    bounds: list[tuple[int, int]] = []
    for i, ch in enumerate(text):
        if bounds and unicodedata.category(ch).startswith("M"):
            bounds[-1] = (bounds[-1][0], i + 1)
        else:
            bounds.append((i, i + 1))
    return bounds


def _char_class(ch: str) -> int:
    return 0 if ch == " " else 1 if ch.isalnum() else 2


def _normalize_with_map(text: str) -> _Normalized:
    chars: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    for cstart, cend in _clusters(text):
        for ch in _normalize_cluster(text[cstart:cend]):
            if ch == " " and (not chars or chars[-1] == " "):
                continue  # collapse whitespace runs; drop leading space
            chars.append(ch)
            starts.append(cstart)
            ends.append(cend)
    while chars and chars[-1] == " ":
        chars.pop()
        starts.pop()
        ends.pop()
    n = len(chars)
    # A boundary may not split the expansion of one original cluster ("ß" -> "ss").
    aligned = [j == 0 or j == n or starts[j] != starts[j - 1] for j in range(n + 1)]
    word_starts = tuple(
        j
        for j in range(n)
        if aligned[j]
        and chars[j] != " "
        and (j == 0 or _char_class(chars[j]) != _char_class(chars[j - 1]))
    )
    word_ends = tuple(
        j
        for j in range(1, n + 1)
        if aligned[j]
        and chars[j - 1] != " "
        and (j == n or _char_class(chars[j]) != _char_class(chars[j - 1]))
    )
    return _Normalized("".join(chars), tuple(starts), tuple(ends), word_starts, word_ends)


# Several quotes are located in the same article in a row; keep its map.
_article_map = lru_cache(maxsize=8)(_normalize_with_map)


def normalize(text: str) -> str:
    """NFKC + casefold + ASCII quotes/dashes + single spaces, stripped."""
    return _normalize_with_map(text).text


def _to_original(norm: _Normalized, nstart: int, nend: int) -> tuple[int, int]:
    return norm.starts[nstart], norm.ends[nend - 1]


def _find_normalized(nquote: str, norm: _Normalized) -> tuple[int, int] | None:
    n = len(norm.text)
    pos = norm.text.find(nquote)
    while pos != -1:
        end = pos + len(nquote)
        # Skip hits that begin or end inside one original char's expansion,
        # e.g. "s" matching the second half of "ß" -> "ss".
        start_ok = pos == 0 or norm.starts[pos] != norm.starts[pos - 1]
        end_ok = end == n or norm.starts[end] != norm.starts[end - 1]
        if start_ok and end_ok:
            return pos, end
        pos = norm.text.find(nquote, pos + 1)
    return None


def _find_fuzzy(nquote: str, norm: _Normalized, threshold: float) -> tuple[int, int, float] | None:
    # partial_ratio only scores windows as wide as the quote, so a dropped or
    # added word lowers it; find the place leniently, then re-score nearby
    # word-aligned windows of any width with a plain ratio.
    alignment = fuzz.partial_ratio_alignment(nquote, norm.text, score_cutoff=threshold - 20)
    if alignment is None:
        return None
    slack = max(8, len(nquote) // 5)
    lo_s = bisect_left(norm.word_starts, alignment.dest_start - slack)
    hi_s = bisect_right(norm.word_starts, alignment.dest_start + slack)
    lo_e = bisect_left(norm.word_ends, alignment.dest_end - slack)
    hi_e = bisect_right(norm.word_ends, alignment.dest_end + slack)
    # Ties go to the window closest in length to the quote, then the earliest.
    candidates = [
        (fuzz.ratio(nquote, norm.text[start:end]), -abs(end - start - len(nquote)), -start, end)
        for start in norm.word_starts[lo_s:hi_s]
        for end in norm.word_ends[lo_e:hi_e]
        if end > start
    ]
    if not candidates:
        return None
    score, _, neg_start, end = max(candidates)
    if score < threshold:
        return None
    return -neg_start, end, score


def locate_quote(quote: str, text: str, *, fuzzy_threshold: float = 90.0) -> Span | None:
    """Find ``quote`` in ``text``: exact, then normalized, then fuzzy; first hit wins."""
    stripped = quote.strip()
    if not stripped:
        return None
    pos = text.find(stripped)
    if pos != -1:
        return Span(pos, pos + len(stripped), MatchKind.exact, 100.0)

    nquote = normalize(stripped)
    if not nquote:
        return None
    norm = _article_map(text)
    hit = _find_normalized(nquote, norm)
    if hit is not None:
        return Span(*_to_original(norm, *hit), MatchKind.normalized, 100.0)

    if len(nquote) < MIN_FUZZY_CHARS:
        return None
    fuzzy_hit = _find_fuzzy(nquote, norm, fuzzy_threshold)
    if fuzzy_hit is None:
        return None
    start, end = _to_original(norm, fuzzy_hit[0], fuzzy_hit[1])
    return Span(start, end, MatchKind.fuzzy, fuzzy_hit[2])


# ---------------------------------------------------------------------------
# Quantities
# ---------------------------------------------------------------------------

_SPACES = str.maketrans(dict.fromkeys("\u00a0\u2007\u2009\u200a\u202f\u2008", " "))

_SCALES: dict[str, float] = {
    **dict.fromkeys(("thousand", "thousands", "k", "mille"), 1e3),
    **dict.fromkeys(("million", "millions", "mn", "m"), 1e6),
    **dict.fromkeys(("billion", "billions", "bn", "milliard", "milliards", "md", "mds"), 1e9),
    **dict.fromkeys(("trillion", "trillions", "tn"), 1e12),
}

_GLUED = frozenset({"k", "m", "bn", "mn", "tn"})

# Alternatives are tried in order; each grouped form demands exact 3-digit
# groups so "2,5" and "2,5000" fall through to the plain decimal branch.
_NUMBER = r"""
    (?P<eu>\d{1,3}(?:\.\d{3})+,\d+ | \d{1,3}(?:\.\d{3}){2,})
  | (?P<comma>\d{1,3}(?:,\d{3})+(?:\.\d+)?)
  | (?P<space>\d{1,3}(?:\ \d{3})+(?:,\d+)?)
  | (?P<dot3>\d{1,3}\.\d{3})
  | (?P<plain>\d+(?:[.,]\d+)?)
"""
# A match starts at a currency sign or at its number's first digit: the lookahead skips every
# other place at once, where the branches below were each tried and failed (a third of the cost
# of reading an evidence passage's digits).
# Ordinals count: "for the 9th day" states 9 as much as "nine days" does (alpha2digit writes
# "ninth" as "9th" too), and "the 21st century" is 21 as written.
_NUMBER_RE = re.compile(
    r"(?=[$€£¥\d])(?P<cur>[$€£¥]\s?)?(?<![^\W_])(?:" + _NUMBER + r")(?!\d)"
    r"(?:(?P<sep>\s?)(?P<scale>" + "|".join(sorted(_SCALES, key=len, reverse=True)) + r")\b)?",
    re.IGNORECASE | re.VERBOSE,
)
# Number words alpha2digit leaves alone: "a dozen" (12), "two dozen" (24), "half a million",
# "a fortnight" (2 weeks, 14 days), and the fractions "half", "a quarter" and "three quarters"
# (0.5, 0.25, 0.75, or as a percentage 50, 25, 75: "less than half the usual rainfall", "half of
# voters"). Read from its output too, where "two" is already "2".
_DOZEN_RE = re.compile(r"\b(?:(\d+)|an?|one)\s+dozens?\b", re.IGNORECASE)
_HALF_RE = re.compile(r"\bhalf\s+an?\s+(thousand|million|billion)\b", re.IGNORECASE)
_FORTNIGHT_RE = re.compile(r"\bfortnight\b", re.IGNORECASE)
_FRACTION_RE = re.compile(
    r"\b(?:(?P<half>half)(?!\s+an?\s+(?:thousand\b|million\b|billion\b|\d))"
    r"|(?:an?|one|1)\s+(?P<quarter>quarter)|(?:three|3)\s+(?P<quarters>quarters))\b",
    re.IGNORECASE,
)
_FRACTIONS = {"half": 0.5, "quarter": 0.25, "quarters": 0.75}
_WORD_HYPHEN_RE = re.compile(r"(?<=[^\W\d_])-(?=[^\W\d_])")
# "one" counts only as a count of something: "One person is missing", not "one of them".
_ONE_RE = re.compile(r"\b(?:one|a single)\s+(?!of\b)[^\W\d_]", re.IGNORECASE)


def _idioms(text: str) -> list[float]:
    found = [12.0 * float(n or 1) for n in _DOZEN_RE.findall(text)]
    found += [0.5 * _SCALES[scale.lower()] for scale in _HALF_RE.findall(text)]
    if _FORTNIGHT_RE.search(text):
        found += [2.0, 14.0]
    for match in _FRACTION_RE.finditer(text):
        share = _FRACTIONS[str(match.lastgroup)]  # each alternative names one group
        found += [share, 100.0 * share]
    return found


def format_number(value: float) -> str:
    """A number as an article writes it: 500,000,000 and 41.5, never 5e+08."""
    if not math.isfinite(value):
        return str(value)
    if float(value).is_integer():
        return f"{int(value):,}"
    written = f"{value:,.10f}".rstrip("0").rstrip(".")
    return repr(value) if written in ("0", "-0") else written


# alpha2digit turns a lone scale word into digits ("one point five billion" ->
# "1.5 1000000000"), so in its output a power of 1000 after a number scales it.
_SPLIT_SCALE_RE = re.compile(r"(?<![\d.,])(\d+(?:[.,]\d+)?) (1000|1000000|1000000000)(?![\d.,])")

# Function words that tell English from French well enough to pick a parser.
_EN_WORDS = frozenset(
    {"the", "and", "of", "to", "in", "is", "was", "were", "an", "on", "for", "with", "by"}
    | {"from", "that", "has", "have", "had", "per", "over", "it", "its", "are"}
)
_FR_WORDS = frozenset(
    {"le", "la", "les", "de", "des", "du", "et", "est", "une", "au", "aux", "pour", "dans"}
    | {"par", "sur", "que", "qui", "été", "ont", "il", "elle", "sont", "avec"}
)


def _parse(match: re.Match[str]) -> list[float]:
    if match["eu"]:
        values = [float(match["eu"].replace(".", "").replace(",", "."))]
    elif match["comma"]:
        values = [float(match["comma"].replace(",", ""))]
    elif match["space"]:
        values = [float(match["space"].replace(" ", "").replace(",", "."))]
    elif match["dot3"]:
        # "1.000" is 1.0 in English and 1000 in much of Europe: keep both.
        raw = match["dot3"]
        values = [float(raw), float(raw.replace(".", ""))]
    else:
        values = [float(match["plain"].replace(",", "."))]
    scale = (match["scale"] or "").lower()
    if not scale:
        return values
    # "20k" and "3bn" only count glued on; "5m" is metres unless it is money.
    if (scale in _GLUED and match["sep"]) or (scale == "m" and not match["cur"]):
        return values
    values += [v * _SCALES[scale] for v in values]
    return values


def _languages(text: str) -> list[str]:
    words = re.findall(r"[^\W\d_]+", text.lower())
    en = sum(w in _EN_WORDS for w in words)
    fr = sum(w in _FR_WORDS for w in words)
    # Running the French parser on English text turns "per cent" into 100 and
    # "Sept." into 7, so only use both when the language is unclear.
    if en > fr:
        return ["en"]
    if fr > en:
        return ["fr"]
    return ["en", "fr"]


def numbers_in(text: str) -> list[float]:
    """Every numeric value expressed in ``text``, in first-seen order, deduplicated."""
    return list(_numbers_in(text))


def _digit_numbers(cleaned: str) -> tuple[float, ...]:
    values = (value for match in _NUMBER_RE.finditer(cleaned) for value in _parse(match))
    return tuple(value for value in values if math.isfinite(value))


# Number words are costly to parse, and one evidence passage may be checked again (a re-ask
# quoting it anew, a salvaged answer, a curated claim): remember recent answers.
@functools.lru_cache(maxsize=8192)
def _numbers_in(text: str) -> tuple[float, ...]:
    cleaned = text.translate(_SPACES)
    found = list(_digit_numbers(cleaned))
    # Mask digit numbers so alpha2digit only contributes what words expressed,
    # and cannot glue "$300 million" into "$300 1000000".
    masked = _NUMBER_RE.sub(" # ", cleaned)
    # alpha2digit reads no number word glued to a noun by a hyphen ("a six-week trial", "a
    # five-year contract"); "twenty one" and "dix sept" it reads as well spaced as hyphenated.
    masked = _WORD_HYPHEN_RE.sub(" ", masked)
    found += _idioms(cleaned)
    for lang in _languages(cleaned):
        try:
            # threshold=2: "deux"/"two" count, but not "un"/"une"/"one", which are
            # far more often articles or pronouns than quantities.
            converted = alpha2digit(masked, lang, threshold=2)
        except Exception:  # a third-party parser must not break grounding
            continue
        for match in _NUMBER_RE.finditer(converted):
            found += _parse(match)
        for base, scale in _SPLIT_SCALE_RE.findall(converted):
            found.append(float(base.replace(",", ".")) * float(scale))
        found += _idioms(converted)
    unique: list[float] = []
    for value in found:
        if math.isfinite(value) and not any(math.isclose(value, u) for u in unique):
            unique.append(value)
    return tuple(unique)


def quantity_in_evidence(value: float, evidence: str, *, rel_tol: float = 1e-6) -> bool:
    """True when ``evidence`` states ``value`` (in digits, words, or with a scale word)."""

    def stated(numbers: tuple[float, ...]) -> bool:
        return any(math.isclose(value, n, rel_tol=rel_tol, abs_tol=1e-9) for n in numbers)

    # Most quantities are written in digits: found there, the number words (the costly part)
    # need not be parsed.
    if stated(_digit_numbers(evidence.translate(_SPACES))) or stated(_numbers_in(evidence)):
        return True
    # numbers_in leaves "one" out (far more often a pronoun than a count); a claim of one
    # thing may still quote "One person is still missing".
    return math.isclose(value, 1.0) and _ONE_RE.search(evidence) is not None
