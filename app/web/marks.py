"""An article's text cut into the stretches each claim's evidence covers, for marking it.

Quotes may overlap or nest, which HTML elements cannot do across each other: the text is cut
at every quote's start and end, and each stretch lists the claims whose quote covers it. A
claim's quote is then the run of consecutive stretches that name it, whose text joined is
``text[char_start:char_end]``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise


@dataclass(frozen=True)
class Span:
    claim_id: int
    start: int
    end: int


@dataclass(frozen=True)
class Stretch:
    text: str
    claims: tuple[int, ...]  # claims whose quote covers it, the one starting first first
    starts: tuple[int, ...]  # claims whose quote starts here
    ends: tuple[int, ...]  # claims whose quote ends here


def stretches(text: str, spans: Sequence[Span]) -> list[Stretch]:
    """The text cut at every quote boundary; offsets out of the text are clipped to it."""
    size = len(text)
    valid = [Span(s.claim_id, max(0, s.start), min(size, s.end)) for s in spans if s.start < s.end]
    valid = [s for s in valid if s.start < s.end]
    valid.sort(key=lambda s: (s.start, -s.end, s.claim_id))
    cuts = sorted({0, size, *(s.start for s in valid), *(s.end for s in valid)})
    starting: dict[int, list[int]] = {}
    ending: dict[int, list[int]] = {}
    for s in valid:
        starting.setdefault(s.start, []).append(s.claim_id)
        ending.setdefault(s.end, []).append(s.claim_id)
    open_claims: list[Span] = []
    out: list[Stretch] = []
    index = 0
    for a, b in pairwise(cuts):
        open_claims = [s for s in open_claims if s.end > a]
        while index < len(valid) and valid[index].start == a:
            open_claims.append(valid[index])
            index += 1
        out.append(
            Stretch(
                text=text[a:b],
                claims=tuple(s.claim_id for s in open_claims),
                starts=tuple(starting.get(a, ())),
                ends=tuple(ending.get(b, ())),
            )
        )
    return out
