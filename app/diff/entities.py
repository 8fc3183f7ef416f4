"""Whether two entity names can stand for one entity, from their words alone.

Two articles extracted one at a time name one actor differently: after the country, its
police or its government ("Kenya", "Kenyan police", "Government of Kenya"), by an acronym
("MSS", "U.S. government"), or as part of a longer name ("MSS contributing countries"). The
entity table's aliases map the names it has learnt; these rules catch the rest without a list
of names: shared words (a demonym is its country's name plus a suffix), and an acronym that
spells the initials of consecutive words of the other name. They only open a pair for
scoring; the fact kind, the figure and the time still have to agree.
"""

from __future__ import annotations

from functools import lru_cache

from app.core.names import MIN_STEM, name_words, same_word


def _spells(acronym: str, words: tuple[str, ...]) -> bool:
    """True when `acronym` is the initials of len(acronym) consecutive words."""
    n = len(acronym)
    if not 2 <= n <= 6 or len(words) < n:
        return False
    initials = "".join(w[0] for w in words)
    return acronym in initials and any(
        initials[i : i + n] == acronym for i in range(len(words) - n + 1)
    )


def _matched(word: str, others: tuple[str, ...]) -> bool:
    return any(same_word(word, o) for o in others) or _spells(word, others)


@lru_cache(maxsize=65536)
def name_similarity(a: str, b: str) -> float:
    """1.0 for one name; 0.7-0.9 when half or more of the shorter name's words are found in
    the other (as words, word stems or an acronym); 0 otherwise. Symmetric."""
    if a == b:
        return 1.0
    wa, wb = name_words(a), name_words(b)
    if not wa or not wb:
        return 0.0
    if wa == wb:
        return 1.0
    short, long = sorted((wa, wb), key=lambda w: (len(w), w))
    found = sum(_matched(w, long) for w in short)
    # An acronym in the longer name spelling the shorter one's words ("MSS force" vs
    # "Multinational Security Support mission") counts the same way, read from that side.
    found = max(found, sum(_matched(w, short) for w in long if len(w) <= 6 and _spells(w, short)))
    ratio = found / len(short)
    return 0.0 if ratio < 0.5 else round(0.5 + 0.4 * min(ratio, 1.0), 6)


def word_key(word: str) -> str:
    """The same for any two words `same_word` matches: their first MIN_STEM letters."""
    return word[:MIN_STEM]


@lru_cache(maxsize=16384)
def name_keys(name: str) -> frozenset[str]:
    """Keys that two names share whenever `name_similarity` ties them: the name itself, its
    words' keys, and each acronym it may be or spell, so an index can skip the other names."""
    words = name_words(name)
    initials = "".join(w[0] for w in words)
    spelt = (initials[i : i + n] for n in range(2, 7) for i in range(len(initials) - n + 1))
    acronyms = {w for w in words if 2 <= len(w) <= 6} | set(spelt)
    return frozenset({"=" + name} | {word_key(w) for w in words} | {"^" + a for a in acronyms})
