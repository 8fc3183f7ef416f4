"""Split long articles into overlapping chunks that each fit the LLM token budget.

Chunks break at paragraph, then sentence, then word boundaries, and overlap so that a claim
straddling a boundary is whole in at least one chunk. Offsets are into the whole article.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

CHARS_PER_TOKEN = 4  # see app.llm.replay.estimate_tokens: no tokenizer can be downloaded offline

_SENTENCE_END = re.compile(r"[.!?…。！？][\"'”’»)\]]*\s+")
_WORD_GAP = re.compile(r"\s+")


@dataclass(frozen=True)
class Chunk:
    index: int
    start: int  # offset of text[0] in the article
    text: str

    @property
    def end(self) -> int:
        return self.start + len(self.text)


def _break_before(text: str, lo: int, hi: int) -> int:
    """The best place to end a chunk in text[lo:hi]: after a paragraph, a sentence, a word."""
    window = text[lo:hi]
    paragraph = window.rfind("\n\n")
    if paragraph > 0:
        return lo + paragraph + 2
    sentences = list(_SENTENCE_END.finditer(window))
    if sentences:
        return lo + sentences[-1].end()
    words = list(_WORD_GAP.finditer(window))
    if words:
        return lo + words[-1].end()
    return hi


def _start_after(text: str, lo: int, hi: int) -> int:
    """Where to start the next chunk in text[lo:hi]: at a sentence, else a word start."""
    window = text[lo:hi]
    sentence = _SENTENCE_END.search(window)
    if sentence:
        return lo + sentence.end()
    word = _WORD_GAP.search(window)
    if word:
        return lo + word.end()
    return lo


def split_text(text: str, *, token_budget: int, overlap_tokens: int) -> list[Chunk]:
    max_chars = token_budget * CHARS_PER_TOKEN
    overlap = overlap_tokens * CHARS_PER_TOKEN
    if len(text) <= max_chars:
        return [Chunk(index=0, start=0, text=text)]
    chunks: list[Chunk] = []
    start = 0
    while start < len(text):
        hard_end = min(start + max_chars, len(text))
        end = (
            hard_end
            if hard_end == len(text)
            else _break_before(text, start + max_chars // 2, hard_end)
        )
        chunks.append(Chunk(index=len(chunks), start=start, text=text[start:end]))
        if end >= len(text):
            break
        # Step back by the overlap, then forward to a clean boundary, always making progress.
        back = max(end - overlap, start + 1)
        start = max(_start_after(text, back, end), start + 1) if overlap else end
    return chunks
