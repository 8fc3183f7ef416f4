"""Alignment and relation quality of the diff on the evaluation set's gold claims.

    python -m bench.diff_eval [--split dev|test|holdout|all] [--misses]

For every story of eval/<split>/, diffs every two of its articles' gold claims, in both
wordings (canonical, varied), once with the canonical fields of news_claims@v2 and once
without them (as v1 claims, aligned by their words), and compares the pairs with the gold
pairs (app.diff.evaluation). Tune on dev; the test split is for reporting. Prints a rich
table and writes it as Markdown to bench/results/diff_eval-<split>.md. Targets (issue 13, test
split, both wordings): alignment P and R >= 95%, conflict precision >= 95%, relation
accuracy >= 90%. The ledger columns cluster each story's claims as `/facts` would: the
cross-article pairs put in one fact against the gold pairs, and the conflict facts, with how
many no gold conflict pair backs. "to check" counts the pairs the diff offers as undecided
(one fact by gold in brackets), "by a third source" the pairs made because a claim of the
story's third article matched both (app.diff.bridges), and "made or to check" the gold pairs
a reader sees either way;
"ledger made or to check" the gold pairs in one fact, or in two facts that GET /facts/{id}
offers each other to check (app.diff.related), which a curator sees either way.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from app.diff.evaluation import DiffScore, LedgerScore, score_ledger, score_stories

EVAL = Path(__file__).resolve().parents[1] / "eval"
RESULTS = Path(__file__).parent / "results"
TARGETS = {"precision": 0.95, "recall": 0.95, "conflict_precision": 0.95,
           "relation_accuracy": 0.90}  # fmt: skip


def load(split: str) -> list[dict[str, Any]]:
    splits = ["dev", "test", "holdout"] if split == "all" else [split]
    paths = [p for s in splits for p in sorted((EVAL / s).glob("*.json"))]
    return [json.loads(p.read_text(encoding="utf-8")) for p in paths]


def met(score: DiffScore) -> str:
    missed = [name for name, target in TARGETS.items() if getattr(score, name) < target]
    return "met" if not missed else "missed: " + ", ".join(missed)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", choices=["dev", "test", "holdout", "all"], default="dev")
    parser.add_argument("--misses", action="store_true", help="list every wrong or missed pair")
    args = parser.parse_args()
    stories = load(args.split)
    if not stories:
        raise SystemExit(f"no stories under {EVAL}/{args.split}")
    columns = ("fields", "wording", "gold pairs", "predicted", "alignment P", "alignment R",
               "relation accuracy", "conflict P", "targets", "by a third source (one fact)",
               "to check (one fact)",
               "made or to check", "for a judge only (one fact)", "a perfect judge's reach",
               "ledger P", "ledger R", "ledger made or to check",
               "ledger conflicts (unbacked)")  # fmt: skip
    rows, misses = [], []
    for fields, v1 in (("v2 (canonical fields)", False), ("v1 (words only)", True)):
        for wording in ("canonical", "varied"):
            score = score_stories(stories, wording, v1=v1)
            ledger = LedgerScore()
            for story in stories:
                ledger += score_ledger(story, wording, v1=v1)
            rows.append((fields, wording, str(score.gold), str(score.predicted),
                         f"{score.precision:.1%}", f"{score.recall:.1%}",
                         f"{score.relation_accuracy:.1%}", f"{score.conflict_precision:.1%}",
                         met(score), f"{score.linked} ({score.linked_gold})",
                         f"{score.offered} ({score.offered_gold})",
                         f"{score.recall_with_offered:.1%}",
                         f"{score.for_judge} ({score.for_judge_gold})",
                         f"{score.recall_with_judge:.1%}",
                         f"{ledger.precision:.1%}", f"{ledger.recall:.1%}",
                         f"{ledger.recall_with_offered:.1%}",
                         f"{ledger.conflict_facts} ({ledger.unbacked_conflicts})"))  # fmt: skip
            if not v1:
                misses += score.misses
    table = Table(title=f"factdiff diff on eval/{args.split} ({len(stories)} stories)")
    for name in columns:
        table.add_column(name)
    for row in rows:
        table.add_row(*row)
    console = Console()
    console.print(table)
    if args.misses:
        for line in misses:
            console.print(f"  {line}", markup=False)
    names = ", ".join(s["story"] for s in stories)
    write_table(
        f"diff_eval-{args.split}.md",
        "factdiff diff quality on the evaluation set",
        f"`python -m bench.diff_eval --split {args.split}`: eval/{args.split}, {names}.",
        columns,
        rows,
    )


def write_table(
    name: str, title: str, source: str, columns: Sequence[str], rows: Sequence[Sequence[str]]
) -> None:
    """A results table as Markdown in bench/results/: its title, the command, the rows."""
    lines = [
        f"# {title}",
        "",
        source,
        "",
        "| " + " | ".join(columns) + " |",
        "|" + "---|" * len(columns),
        *("| " + " | ".join(row) + " |" for row in rows),
        "",
    ]
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / name).write_text("\n".join(lines), encoding="utf-8")


if __name__ == "__main__":
    main()
