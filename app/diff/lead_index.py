"""Which stored facts a new claim can join: their leaders, indexed for the ledger.

A claim joins a fact only if it scores the threshold against the fact's leader, and a pair with
canonical fields scores only if its actors tie (`app.diff.structured`): by a name, or by an
entity of one named in the other's sentence. Leaders with one `Features.pair_key` (a daily
tally, wire copy: alike but for the figure) form a group, found through the keys of their
names and words (`app.diff.entities.name_keys`, `word_key`), and sorted by figure; each group
a claim can tie with is asked once how far a figure may be from the claim's
(`app.diff.structured.figure_window`), and only its leaders inside that window are scored.
Exact: a skipped leader could not have reached the threshold.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right, insort
from collections import defaultdict
from collections.abc import Hashable
from dataclasses import dataclass, field
from weakref import WeakKeyDictionary

from app.diff.entities import name_keys, word_key
from app.diff.features import Features, PairKey
from app.diff.structured import PairMemo, figure_window, precise_figure


@dataclass(frozen=True)
class _Keys:
    names: frozenset[str]  # of its subject and object entity: ties by name
    entities: frozenset[str]  # of every entity it names: found in another's sentence
    sentence: frozenset[str]  # of its sentence's words: where another's entities are found


def _keys(f: Features) -> _Keys:
    names = name_keys(f.subject)
    if f.object_entity is not None:
        names |= name_keys(f.object_entity)
    entities = frozenset(word_key(w) for words in f.entity_words for w in words)
    return _Keys(names, entities, frozenset(word_key(w) for w in f.sentence_words))


# A structured claim's keys are read from fields its pair_key holds (subject, object entity,
# entity words, sentence words), so claims of one pair_key share them. Kept while some claim's
# features hold the key: every pass of fact assignment indexes its blocks' stored leaders anew,
# and a daily tally's or wire copy's new claims all ask for the same keys.
_KEYS_OF: WeakKeyDictionary[PairKey, _Keys] = WeakKeyDictionary()


def _structured_keys(f: Features) -> _Keys:
    keys = _KEYS_OF.get(f.pair_key)
    if keys is None:
        keys = _KEYS_OF[f.pair_key] = _keys(f)
    return keys


@dataclass
class _Group:
    lead: Features  # any leader of the group: they differ only in their figures
    leads: list[tuple[float, int]] = field(default_factory=list)  # (magnitude, cluster index)


@dataclass
class LeadIndex:
    """The clusters' leaders; clusters are only ever added, and a leader never changes."""

    groups: list[_Group] = field(default_factory=list)
    group_of: dict[Hashable, int] = field(default_factory=dict)  # pair_key -> group
    by_name: dict[str, set[int]] = field(default_factory=lambda: defaultdict(set))
    by_entity: dict[str, set[int]] = field(default_factory=lambda: defaultdict(set))
    by_sentence: dict[str, set[int]] = field(default_factory=lambda: defaultdict(set))
    words_only: list[int] = field(default_factory=list)  # leaders without canonical fields
    size: int = 0

    def add(self, k: int, lead: Features) -> None:
        self.size = max(self.size, k + 1)
        if not lead.structured:
            self.words_only.append(k)
            return
        g = self.group_of.get(lead.pair_key)
        if g is None:
            g = self.group_of[lead.pair_key] = len(self.groups)
            self.groups.append(_Group(lead))
            keys = _structured_keys(lead)
            for index, found in ((self.by_name, keys.names), (self.by_entity, keys.entities),
                                 (self.by_sentence, keys.sentence)):  # fmt: skip
                for key in found:
                    index[key].add(g)
        insort(self.groups[g].leads, (lead.magnitude, k))

    def candidates(self, f: Features, memo: PairMemo, threshold: float) -> list[int]:
        """The clusters whose leader f may score `threshold` against, in index order."""
        if not f.structured:
            return list(range(self.size))
        keys = _structured_keys(f)
        tied: set[int] = set()
        for index, found in ((self.by_name, keys.names), (self.by_sentence, keys.entities),
                             (self.by_entity, keys.sentence)):  # fmt: skip
            for key in found:
                if key in index:
                    tied |= index[key]
        # One precise figure on both sides lifts a pair the window may leave out
        # (app.diff.structured.score_structured).
        precise = f.interval is not None and precise_figure(f.magnitude)
        chosen = list(self.words_only)
        for g in tied:
            group = self.groups[g]
            lo, hi = figure_window(f, group.lead, memo, threshold)
            if lo <= hi:
                chosen.extend(_between(group.leads, lo, hi, self.size))
            if precise and not lo <= f.magnitude <= hi:
                chosen.extend(_between(group.leads, f.magnitude, f.magnitude, self.size))
        chosen.sort()
        return chosen


def _between(leads: list[tuple[float, int]], lo: float, hi: float, size: int) -> list[int]:
    """The clusters of the leaders whose figure lies in [lo, hi]."""
    return [k for _, k in leads[bisect_left(leads, (lo, -1)) : bisect_right(leads, (hi, size))]]
