"""The diff when a story has more outlets than the evaluation set's three: six texts a story.

    python -m bench.diff_six_texts [--split dev|test|holdout|all]

Each story's three articles, once in each wording of their gold claims (canonical, varied), are
six texts, as if six outlets had told it and two models had read them. Every two texts of
different articles are diffed, across wordings too, and the other articles' texts are the
third sources that may link an undecided pair (app.diff.bridges); the two wordings of one
article never link each other. Counts the pairs made, how many are gold pairs, and the same for
the pairs a third source made, with third sources and without. Prints a table; writes
bench/results/diff_six_texts-<split>.md.
"""

from __future__ import annotations

import argparse
from dataclasses import replace
from itertools import combinations
from typing import Any

from rich.console import Console
from rich.table import Table

from app.diff.align import diff_claims
from app.diff.bridges import bridge_undecided
from app.diff.evaluation import gold_diff_claims
from app.diff.types import DiffClaim
from bench.diff_eval import load, write_table

Text = tuple[str, str]  # (article key, wording)


def six_texts(story: dict[str, Any]) -> dict[Text, list[tuple[str, DiffClaim]]]:
    """The story's texts with ids unique across them; an article's two wordings are two
    articles for the diff (they are diffed as two sources), numbered apart."""
    texts: dict[Text, list[tuple[str, DiffClaim]]] = {}
    for w, wording in enumerate(("canonical", "varied")):
        for key, rows in gold_diff_claims(story, wording).items():
            texts[(key, wording)] = [
                (gid, replace(c, id=c.id + 100_000 * w, article_id=c.article_id + 100 * w))
                for gid, c in rows
            ]
    return texts


def score(stories: list[dict[str, Any]], *, third_sources: bool) -> dict[str, int]:
    counts = dict.fromkeys(("diffs", "made", "gold", "conflicts", "conflicts gold"), 0)
    counts |= dict.fromkeys(("by a third source", "by a third source, gold"), 0)
    for story in stories:
        gold = {frozenset((p["left"], p["right"])): p["relation"] for p in story["pairs"]}
        texts = six_texts(story)
        gid = {c.id: g for rows in texts.values() for g, c in rows}
        for (ka, wa), (kc, wc) in combinations(sorted(texts), 2):
            if ka == kc:
                continue
            others = [c for (k, _), rows in texts.items() if k not in (ka, kc) for _, c in rows]
            result = diff_claims([c for _, c in texts[(ka, wa)]], [c for _, c in texts[(kc, wc)]])
            if third_sources:
                result = bridge_undecided(result, others)
            counts["diffs"] += 1
            for p in result.pairs:
                key = frozenset((gid[p.left.id], gid[p.right.id]))
                counts["made"] += 1
                counts["gold"] += key in gold
                if p.relation.value == "conflict":
                    counts["conflicts"] += 1
                    counts["conflicts gold"] += gold.get(key) == "conflict"
                if p.linked_by is not None:
                    counts["by a third source"] += 1
                    counts["by a third source, gold"] += key in gold
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", choices=["dev", "test", "holdout", "all"], default="dev")
    args = parser.parse_args()
    stories = load(args.split)
    table = Table(title=f"factdiff diff on eval/{args.split}, six texts a story")
    columns = ["third sources", *score([], third_sources=False), "alignment P"]
    for name in columns:
        table.add_column(name)
    rows = []
    for third_sources in (False, True):
        counts = score(stories, third_sources=third_sources)
        share = counts["gold"] / counts["made"] if counts["made"] else 1.0
        rows.append(["yes" if third_sources else "no", *map(str, counts.values()), f"{share:.1%}"])
        table.add_row(*rows[-1])
    Console().print(table)
    write_table(
        f"diff_six_texts-{args.split}.md",
        "The diff with six texts a story",
        f"`python -m bench.diff_six_texts --split {args.split}`",
        columns,
        rows,
    )


if __name__ == "__main__":
    main()
