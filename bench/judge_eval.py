"""How well a model judges the pairs the diff leaves undecided, asked as the adjudicator asks.

    python -m bench.judge_eval --base-url URL --model NAME [--split dev] [--wording varied]
        [--api-key KEY] [--mode tools|json_schema|json|md_json] [--limit N]

For every two articles of each story of eval/<split>/, diffs their gold claims (one wording)
and puts each pair the diff leaves undecided to the model through the adjudicator's prompt and
schema (app.services.adjudicator.ask_contents), then scores the same-fact verdicts against the
gold pairs. Before third sources are applied, so it asks about a few more pairs than a service
would. Prints a table, with the score of a judge that always answers "one fact" beside it, and
writes it as Markdown to bench/results/judge_eval-<split>-<wording>.md. Needs a live endpoint:
this is how a team picks a judge (FACTDIFF_ADJUDICATOR_MODEL) before paying for it in the diff.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any

from pydantic import SecretStr
from rich.console import Console
from rich.table import Table

from app.core.config import InstructorMode, LLMMode, Settings
from app.diff.align import diff_claims
from app.diff.evaluation import gold_diff_claims
from app.diff.types import Pair
from app.llm.client import build_client, close_client
from app.llm.errors import LLMError
from app.services.adjudicator import Adjudicator, ask_contents, pair_contents
from bench.diff_eval import load, write_table


@dataclass(frozen=True)
class Question:
    story: str
    pair: Pair
    gold: str | None  # the gold relation, or None: two different facts


@dataclass
class Tally:
    asked: int = 0
    failed: int = 0
    right: int = 0  # same-fact verdicts that match gold
    said_same: int = 0
    said_same_gold: int = 0
    relation_right: int = 0  # of the gold pairs judged one fact, with the gold relation
    failures: list[str] = field(default_factory=list)


def questions(stories: list[dict[str, Any]], wording: str) -> list[Question]:
    """Every pair of every two articles of each story that the adjudicator is asked about
    (undecided, then for it only: no entity named in common), with its gold relation."""
    out = []
    for story in stories:
        gold = {frozenset((p["left"], p["right"])): p["relation"] for p in story["pairs"]}
        claims = gold_diff_claims(story, wording)
        for left, right in combinations(sorted(claims), 2):
            result = diff_claims(
                [c for _, c in claims[left]], [c for _, c in claims[right]], with_untied=True
            )
            gold_id = {c.id: g for g, c in claims[left] + claims[right]}
            for pair in [*result.undecided, *result.for_judge]:
                key = frozenset((gold_id[pair.left.id], gold_id[pair.right.id]))
                out.append(Question(story["story"], pair, gold.get(key)))
    return out


async def judge(adjudicator: Adjudicator, asked: list[Question]) -> Tally:
    tally = Tally()
    for question in asked:  # in turn: a local server answers one request at a time
        try:
            verdict = await ask_contents(adjudicator, pair_contents(question.pair))
        except LLMError as exc:
            tally.failed += 1
            tally.failures.append(f"{question.story}: {exc.reason}: {exc.message}")
            continue
        tally.asked += 1
        one_fact = question.gold is not None
        tally.right += verdict.same_fact == one_fact
        tally.said_same += verdict.same_fact
        tally.said_same_gold += verdict.same_fact and one_fact
        tally.relation_right += verdict.same_fact and verdict.relation.value == question.gold
    return tally


def share(part: int, whole: int) -> str:
    return f"{part / whole:.1%}" if whole else "–"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base-url", required=True, help="the judge's OpenAI-compatible /v1")
    parser.add_argument("--model", required=True)
    parser.add_argument("--api-key", default="not-needed")
    parser.add_argument("--mode", choices=[m.value for m in InstructorMode], default="tools")
    parser.add_argument("--split", choices=["dev", "test", "holdout", "all"], default="dev")
    parser.add_argument("--wording", choices=["canonical", "varied"], default="varied")
    parser.add_argument("--limit", type=int, default=0, help="ask at most this many pairs")
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds for one answer")
    args = parser.parse_args()
    settings = Settings(
        llm_mode=LLMMode.live,
        llm_base_url=args.base_url,
        llm_api_key=SecretStr(args.api_key),
        llm_model=args.model,
        instructor_mode=InstructorMode(args.mode),
        llm_timeout_s=args.timeout,
        _env_file=None,
    )
    asked = questions(load(args.split), args.wording)
    asked = asked[: args.limit] if args.limit else asked

    async def run() -> Tally:
        client = build_client(settings)
        try:
            return await judge(Adjudicator(client, settings), asked)
        finally:
            await close_client(client)

    started = time.monotonic()
    tally = asyncio.run(run())
    seconds = time.monotonic() - started
    one_fact = sum(q.gold is not None for q in asked)
    columns = ("judge", "pairs asked", "one fact (gold)", "verdicts right", "said one fact",
               "of those one fact", "relation right", "failed", "seconds")  # fmt: skip
    rows = [
        (args.model, str(tally.asked), str(one_fact), share(tally.right, tally.asked),
         str(tally.said_same), share(tally.said_same_gold, tally.said_same),
         share(tally.relation_right, tally.said_same_gold), str(tally.failed), f"{seconds:.0f}"),
        ("always one fact", str(len(asked)), str(one_fact), share(one_fact, len(asked)),
         str(len(asked)), share(one_fact, len(asked)), "–", "0", "0"),
    ]  # fmt: skip
    title = f"judge_eval · {args.split} · {args.wording} wording · {args.model}"
    table = Table(*columns, title=title)
    for row in rows:
        table.add_row(*row)
    console = Console()
    console.print(table)
    for failure in tally.failures:
        console.print(f"[yellow]{failure}[/]")
    command = (
        f"`python -m bench.judge_eval --split {args.split} --wording {args.wording} "
        f"--base-url {args.base_url} --model {args.model} --mode {args.mode}`"
    )
    write_table(f"judge_eval-{args.split}-{args.wording}.md", title, command, columns, rows)


if __name__ == "__main__":
    main()
