"""What the words of a claim mean to the diff: statements, predicates and objects as compared.

Numbers are masked (the figure is compared as a figure, app.diff.rules), stopwords dropped, and
scope words ("additional", "in total", "first") read for claims without canonical fact fields.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import NamedTuple

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


# A claim's evidence quote is often its statement word for word, and both are tokenised for
# its features (normalize_text, then quote_words): the second asks right after the first.
@lru_cache(maxsize=1024)
def _tokens(text: str) -> tuple[str, ...]:
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
    return tuple(out)


def _scopes(tokens: tuple[str, ...]) -> frozenset[str]:
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


def content_words(text: str) -> list[str]:
    """The words of `normalize_text(text).masked`, without building the rest of a Text."""
    return [t for t in _tokens(text) if t not in _STOPWORDS]


# Objects, places and predicates are a small vocabulary that recurs in every request, so these
# caches stay warm; statements are cached per call instead (app.diff.features.features_of).
normalize_short_text = lru_cache(maxsize=4096)(normalize_text)


@lru_cache(maxsize=4096)
def normalize_predicate(text: str) -> tuple[str, frozenset[str], frozenset[str]]:
    """(verb phrase without auxiliaries, synonyms folded; its stems; its scopes)."""
    tokens = _tokens(text)
    words = [_SYNONYMS.get(t, t) for t in tokens if t not in _PREDICATE_DROP]
    return " ".join(words), frozenset(_stem(t) for t in words), _scopes(tokens)
