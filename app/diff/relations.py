"""The relation of two aligned claims, and a one-line explanation naming the field that decided it.

One field decides, in this order, and a difference in a later field never overrides it:

1. denial: one side denies what the other states -> conflict;
2. the as-of time of two states (totals, shares, levels): different days and different
   numbers -> `updates`, the later value of a changing quantity, never a conflict;
3. the figure, when both give one (within the unit's tolerance, app.diff.rules);
4. the date, when neither gives a figure (or only one does and the dates conflict).

Events' dates compare at the precision of a day (left on Friday night, arrived on Saturday),
and an undated report is no evidence of another time. The other differences (dates beside a
figure, attribution) are named, never decisive.
"""

from __future__ import annotations

from app.diff.features import Features
from app.diff.rules import (
    EVENT_SLACK_DAYS,
    Verdict,
    compare_as_of,
    compare_quantities,
    compare_times,
)
from app.diff.types import DiffClaim, Relation


def _voice(c: DiffClaim) -> str:
    return f"{c.modality} by {c.attribution}" if c.attribution else c.modality


def mixed_aspects(a: Features, b: Features) -> bool:
    """Two figures, one an event's and the other a state's ("410,000 households without power
    on Monday" / "315,000 reconnected since Monday"): whether they differ says nothing about
    one fact, so the diff offers a conflict between them to check, not calls it, and the
    ledger does not file them in one fact. On eval/dev no gold pair with two figures mixes
    them (257 of 257)."""
    return a.interval is not None and b.interval is not None and a.aspect != b.aspect


def mixed_conflict(a: Features, b: Features) -> bool:
    """A conflict between an event's figure and a state's (`mixed_aspects`)."""
    return mixed_aspects(a, b) and classify(a, b)[0] is Relation.conflict


def classify(a: Features, b: Features) -> tuple[Relation, str]:
    """Relation of an aligned pair and a one-line explanation naming every difference."""
    states = a.aspect == b.aspect == "state"
    figure = None
    if a.interval is not None or b.interval is not None:
        figure = compare_quantities(a.claim, b.claim, a.interval, b.interval, percent=a.percent)
    both_figures = a.interval is not None and b.interval is not None
    date = None
    # A state's date is when it holds: app.diff.rules.compare_as_of reads it, not this.
    if not states and (a.time is not None or b.time is not None):
        slack = 0 if states else EVENT_SLACK_DAYS
        date = compare_times(a.claim, b.claim, a.time, b.time, slack_days=slack)
    denied = (a.claim.modality == "denied") != (b.claim.modality == "denied")
    as_of = (
        compare_as_of(a.claim, b.claim, figure, percent=a.percent)
        if states and both_figures
        else None
    )

    # (field, verdict, note): the deciding field first, then the others as context.
    decided: tuple[str, Verdict, str]
    others: list[tuple[str, tuple[Verdict, str] | None]] = []
    if denied:
        side = "left" if a.claim.modality == "denied" else "right"
        decided = ("denial", "conflict", f"{side} denies what the other states")
        others = [("figure", figure), ("date", date)]
    elif as_of is not None:
        decided = ("as-of time", *as_of)
        others = [("figure", figure)]
        date = None  # the as-of note already names both times
    elif both_figures and figure is not None:
        decided = ("figure", *figure)
        others = [("date", date)]
    elif date is not None and (figure is None or date[0] == "conflict"):
        verdict, note = date
        if a.time is None or b.time is None:
            verdict = "agree"  # an undated report is no evidence of another time
        decided = ("date", verdict, note)
        others = [("figure", figure)]
    elif figure is not None:
        decided = ("figure", *figure)
        others = [("date", date)]
    else:
        # Nothing to weigh but the words that paired them: say so, not that they are the same.
        decided = ("statement", "agree", "no figure or date on either side to tell them apart")
    field, verdict, note = decided
    notes = [f"{field} decides: {note}"]
    notes += [f"{name}: {found[1]}" for name, found in others if found is not None]
    if _voice(a.claim) != _voice(b.claim):  # shown, never hidden, but not itself a conflict
        notes.append(f"left: {_voice(a.claim)}; right: {_voice(b.claim)}")
    return Relation(verdict), f"{'; '.join(notes)} ({a.claim.subject} · {a.claim.predicate})"
