"""The evaluation's report: a table per story and in total, the confusion matrix, the targets,
and the same as JSON (``factdiff eval --json FILE``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict
from typing import Any

from rich.console import Console
from rich.table import Table

from app.eval.metrics import Counts
from app.eval.score import StoryScore

# issue 13's targets, on the test split under both wordings.
TARGETS = {
    "alignment_recall": 0.95,
    "alignment_precision": 0.95,
    "conflict_precision": 0.95,
    "relation_accuracy": 0.90,
}
COLUMNS = (
    ("claim_precision", "claim P"),
    ("claim_recall", "claim R"),
    ("grounding_rate", "grounded"),
    ("alignment_precision", "align P"),
    ("alignment_recall", "align R"),
    ("relation_accuracy", "relation acc"),
    ("conflict_precision", "conflict P"),
    ("conflict_recall", "conflict R"),
    ("tokens_per_article", "tokens/art"),
    ("llm_calls_per_article", "calls/art"),
)


def total(scores: Sequence[StoryScore]) -> Counts:
    counts = Counts()
    for score in scores:
        counts.add(score.counts)
    return counts


def _counts_json(counts: Counts) -> dict[str, int]:
    data = asdict(counts)
    data.pop("confusion")
    return data


def _rounded(figures: dict[str, float | None]) -> dict[str, float | None]:
    return {k: None if v is None else round(v, 4) for k, v in figures.items()}


def report_json(scores: Sequence[StoryScore], *, context: dict[str, Any]) -> dict[str, Any]:
    counts = total(scores)
    figures = counts.figures()
    return {
        **context,
        "figures": _rounded(figures),
        "counts": _counts_json(counts),
        "confusion": counts.confusion_matrix(),
        "targets": {
            name: {"target": goal, "value": figures[name], "met": _met(figures[name], goal)}
            for name, goal in TARGETS.items()
        },
        "stories": [
            {
                "story": s.story,
                "split": s.split,
                "figures": _rounded(s.counts.figures()),
                "counts": _counts_json(s.counts),
                **s.details,
            }
            for s in scores
        ],
    }


def _met(value: float | None, goal: float) -> bool | None:
    return None if value is None else value >= goal


def _cell(name: str, value: float | None) -> str:
    if value is None:
        return "–"
    if name.endswith("per_article"):
        return f"{value:,.1f}"
    return f"{value:.0%}" if value in (0, 1) else f"{value:.1%}"


def print_report(console: Console, scores: Sequence[StoryScore], title: str) -> None:
    table = Table("story", *(label for _, label in COLUMNS), title=title)
    table.columns[0].no_wrap = True
    for score in scores:
        figures = score.counts.figures()
        table.add_row(score.story, *(_cell(name, figures[name]) for name, _ in COLUMNS))
    counts = total(scores)
    figures = counts.figures()
    table.add_section()
    table.add_row(
        f"all ({len(scores)})", *(_cell(name, figures[name]) for name, _ in COLUMNS), style="bold"
    )
    console.print(table)
    console.print(
        f"claims: {counts.matched_claims} of {counts.gold_claims} gold found, "
        f"{counts.stored_claims} stored, {counts.rejected_claims} rejected; "
        f"pairs: {counts.aligned_pairs} of {counts.gold_pairs} gold found, "
        f"{counts.predicted_pairs} made; {counts.failed_articles} article(s) failed"
    )
    if counts.linked_pairs:
        console.print(
            f"by a third source: {counts.linked_pairs} pair(s) made because a claim of another "
            f"article matched both, {counts.linked_gold_pairs} of them gold"
        )
    if counts.offered_pairs:
        console.print(
            f"to check: {counts.offered_pairs} pair(s) offered, {counts.offered_gold_pairs} of "
            f"them gold; gold pairs made or offered: "
            f"{_cell('', figures['recall_with_offered'])}"
        )
    matrix = counts.confusion_matrix()
    confusion = Table("gold \\ predicted", *matrix, title="relations (pairs)")
    for gold, row in matrix.items():
        confusion.add_row(gold, *(str(n) if n else "·" for n in row.values()))
    console.print(confusion)
    targets = Table("target (issue 13)", "value", "goal", "met")
    for name, goal in TARGETS.items():
        met = _met(figures[name], goal)
        mark = "–" if met is None else "[green]yes[/]" if met else "[red]no[/]"
        targets.add_row(name.replace("_", " "), _cell(name, figures[name]), f"{goal:.0%}", mark)
    console.print(targets)
