"""Which stretch of a substring search the trigram index looks up (``GET /claims?q=``).

A trigram index finds the claims holding a text by intersecting the lists of claims that hold
each of its trigrams, and pays for the length of every list. "Org 271 deployed" over a
million claims whose statements all name an "Org" reads the lists of "org" and "rg ", a
million entries each, and the six of "deployed", to find 47 claims: 15-25 ms of index work.

The index is asked for a shorter stretch that finds about the same claims, judged on a random
sample of stored claims (taken again every few minutes):

- a trigram at either end that most claims hold is left out: it narrows nothing ("org");
- so is an end character that the characters next to it all but always come with ("ployed"
  after "dep": every "dep" in the sample goes on "deployed").

"org 271 deployed" becomes " 271 dep". Nothing rare is ever left out, so the stretch finds
hardly more claims than the whole query would; and the claims it finds are checked for the
whole query, so the answer is exactly the one the whole query gives.
"""

from __future__ import annotations

import random
import time
import weakref
from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import Engine, func
from sqlmodel import Session, col, select

from app.store.models import Claim

SAMPLE_SIZE = 512
SAMPLE_TTL_S = 600.0
# A trigram this frequent (occurrences per claim, statement and evidence both counted: 0.3 is
# in some 15-30% of claims) at an end of the search is left out.
DENSE = 0.3
# An end character is left out when, of RELIABLE or more occurrences in the sample of the
# (up to) CONTEXT characters beside it, IMPLIED or more come with it.
CONTEXT = 4
RELIABLE = 8
IMPLIED = 0.9


@dataclass
class TextSample:
    """Character n-gram counts in the lower-cased text of randomly chosen claims."""

    text: str
    claims: int
    taken_at: float = field(default_factory=time.monotonic)
    grams: list[Counter[str]] = field(init=False)

    def __post_init__(self) -> None:
        text = self.text
        self.grams = [Counter()] + [
            Counter(text[i : i + n] for i in range(len(text) - n + 1))
            for n in range(1, CONTEXT + 2)
        ]

    def density(self, trigram: str) -> float:
        """Occurrences per claim."""
        return self.grams[3][trigram] / max(self.claims, 1)

    def comes_with(self, context: str, extended: str) -> bool:
        """Whether ``context`` all but always occurs as part of ``extended``, by the sample."""
        seen = self.grams[len(context)][context]
        return seen >= RELIABLE and self.grams[len(extended)][extended] >= IMPLIED * seen


_samples: weakref.WeakKeyDictionary[Engine, TextSample] = weakref.WeakKeyDictionary()


def sample(session: Session) -> TextSample:
    """The claim text sample of the session's database, taken again once stale."""
    bind = session.get_bind()
    engine = bind if isinstance(bind, Engine) else bind.engine
    current = _samples.get(engine)
    if current is None or time.monotonic() - current.taken_at > SAMPLE_TTL_S:
        current = _samples[engine] = take_sample(session)
    return current


def take_sample(session: Session, size: int = SAMPLE_SIZE) -> TextSample:
    top = session.exec(select(func.max(Claim.id))).one() or 0
    # Seeded by the table's size: the same store gives the same sample, and the same plans.
    ids = random.Random(top).sample(range(1, top + 1), min(size, top))
    rows = session.exec(
        select(Claim.statement, Claim.evidence_quote).where(col(Claim.id).in_(ids))
    ).all()
    text = "\x00".join(f"{statement}\x1f{evidence}".lower() for statement, evidence in rows)
    return TextSample(text=text, claims=len(rows))


def index_stretch(needle: str, sample: TextSample) -> tuple[int, int]:
    """Start and end of the stretch of ``needle`` (folded) for the index to look up."""
    start, end = 0, len(needle)
    while end - start > 3:  # the denser end first, so that the rarest trigrams stay
        first, last = (
            sample.density(needle[start : start + 3]),
            sample.density(needle[end - 3 : end]),
        )
        if max(first, last) < DENSE:
            break
        if first >= last:
            start += 1
        else:
            end -= 1
    while end - start > 3:
        context = needle[max(start, end - 1 - CONTEXT) : end - 1]
        if not sample.comes_with(context, context + needle[end - 1]):
            break
        end -= 1
    while end - start > 3:
        context = needle[start + 1 : min(end, start + 1 + CONTEXT)]
        if not sample.comes_with(context, needle[start] + context):
            break
        start += 1
    return start, end


def stretch_for(session: Session, needle: str) -> tuple[int, int]:
    """``index_stretch`` by the sample of the session's database."""
    if len(needle) <= 3:
        return 0, len(needle)
    return index_stretch(needle, sample(session))
