"""How alike two claims' words are: the text and predicate similarities both scorers use."""

from __future__ import annotations

from rapidfuzz import fuzz

from app.diff.features import Features
from app.diff.words import Text


def text_sim(a: Text | None, b: Text | None, *, one_missing: float) -> float:
    if a is None or b is None:
        return 1.0 if a is b else one_missing
    if a.masked == b.masked:
        return 1.0  # also for two empty strings, which rapidfuzz scores 0
    # token_set alone scores any subset 100 ("Kenya leads the mission" inside "Kenya pledged
    # 1,000 personnel to the mission"); weighting token_sort keeps whole-sentence agreement.
    # fuzz.ratio of the presorted tokens is token_sort_ratio without sorting on every pair.
    set_ratio = fuzz.token_set_ratio(a.masked, b.masked)
    return (0.25 * set_ratio + 0.75 * fuzz.ratio(a.by_token, b.by_token)) / 100.0


def predicate_sim(a: Features, b: Features) -> float:
    if a.predicate == b.predicate:
        return 1.0
    # Shared stems decide ("deployed" ~ "has deployed in total"); characters only break ties,
    # since short verbs share letters by chance ("pledged" vs "leads" is 50 in fuzz.ratio).
    overlap = len(a.stems & b.stems) / min(len(a.stems), len(b.stems)) if a.stems and b.stems else 0
    return 0.7 * overlap + 0.3 * fuzz.ratio(a.predicate, b.predicate) / 100.0
