"""The words of an entity's name, as every layer compares names.

Two articles name one actor differently ("Kenya", "Kenyan police", "Government of Kenya"): the
diff ties names by their words and word stems (app.diff.entities), and the store learns which
wording of an article names which entity (app.store.entities). Both read names the same way,
here.
"""

from __future__ import annotations

import re
from functools import lru_cache

_WORD = re.compile(r"[^\W_]+")
_DROP = frozenset({"the", "of", "and", "for", "in", "on", "to", "a", "an", "s"})
MIN_STEM = 4  # "kenya" ~ "kenyan", "haiti" ~ "haitians"; shorter words must be equal


@lru_cache(maxsize=16384)
def name_words(name: str) -> tuple[str, ...]:
    # Dots and apostrophes join: "U.S." is "us", "Kenya's" is "kenya" + "s" (dropped).
    folded = name.casefold().replace(".", "").replace("’", "'")
    return tuple(w for w in _WORD.findall(folded.replace("'", " ")) if w not in _DROP)


def same_word(x: str, y: str) -> bool:
    if x == y:
        return True
    short, long = (x, y) if len(x) <= len(y) else (y, x)
    return len(short) >= MIN_STEM and long.startswith(short)


@lru_cache(maxsize=16384)
def shortens(mention: str, name: str) -> bool:
    """True when every word of ``mention`` is a word (or stem) of ``name``: "Police" of
    "Drovenian police", "Kenya" of "Kenyan police", "Government" of "Government of Kenya".

    Such a mention is the name with its distinguishing words left out, so it names no entity
    of its own: learnt as an alias, the "Police" of one story's town would take in every
    claim of every other story whose article says "police".
    """
    words, of = name_words(mention), name_words(name)
    return bool(words) and all(any(same_word(w, o) for o in of) for w in words)


_ARTICLES = frozenset({"the", "a", "an"})


def describes(name: str) -> bool:
    """True when ``name`` is a description rather than a name: no word of it, past a leading
    article, is capitalised ("the company", "The operator", "intercity train"). "Halvard
    Terminals" and "The Dock and Harbour Workers' Union" are names."""
    words = name.split()
    if words and words[0].casefold() in _ARTICLES:
        words = words[1:]
    return not any(w[:1].isupper() for w in words)
