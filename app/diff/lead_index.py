"""Which stored facts a new claim can join: their leaders, grouped and sorted for the ledger.

A claim joins a fact only if it scores the threshold against the fact's leader. Leaders with
one `Features.pair_key` (a daily tally, wire copy: everything alike but the figure) score
alike against a claim but for their figures, so each group is asked once how far a figure
may be from the claim's (`app.diff.structured.figure_window`) and only the leaders inside
that window are scored. Exact: a skipped leader could not have reached the threshold.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right, insort
from collections.abc import Hashable
from dataclasses import dataclass, field

from app.diff.features import Features
from app.diff.structured import PairMemo, figure_window


@dataclass
class _Group:
    lead: Features  # any leader of the group: they differ only in their figures
    leads: list[tuple[float, int]] = field(default_factory=list)  # (magnitude, cluster index)


@dataclass
class LeadIndex:
    """The clusters' leaders; clusters are only ever added, and a leader never changes."""

    groups: dict[Hashable, _Group] = field(default_factory=dict)
    words_only: list[int] = field(default_factory=list)  # leaders without canonical fields
    size: int = 0

    def add(self, k: int, lead: Features) -> None:
        self.size = max(self.size, k + 1)
        if not lead.structured:
            self.words_only.append(k)
            return
        group = self.groups.setdefault(lead.pair_key, _Group(lead))
        insort(group.leads, (lead.magnitude, k))

    def candidates(self, f: Features, memo: PairMemo, threshold: float) -> list[int]:
        """The clusters whose leader f may score `threshold` against, in index order."""
        if not f.structured:
            return list(range(self.size))
        found = list(self.words_only)
        for group in self.groups.values():
            lo, hi = figure_window(f, group.lead, memo, threshold)
            if lo > hi:
                continue
            leads = group.leads
            start = bisect_left(leads, (lo, -1))
            end = bisect_right(leads, (hi, self.size))
            found.extend(k for _, k in leads[start:end])
        found.sort()
        return found
