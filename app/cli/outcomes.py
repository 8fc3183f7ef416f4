"""How each article of a batch ended, and what the batch adds up to on screen and in the report."""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import IO, Literal

from rich.table import Table
from rich.text import Text

Status = Literal["succeeded", "failed", "skipped", "invalid"]
STATUSES: tuple[Status, ...] = ("succeeded", "skipped", "failed", "invalid")
PROBLEMS: tuple[Status, ...] = ("failed", "invalid")
MAX_LISTED = 20  # problem lines printed after the summary; the report has every article

# What differs from one article to the next in a server's message that is otherwise the same:
# a digest (the replay fixture's "sha256 62163347832e") and a run id ("run 7", "/runs/7").
VARYING = re.compile(r"\b(?=[0-9a-f]*[0-9])[0-9a-f]{8,}\b|(?<=run )\d+|(?<=/runs/)\d+")


@dataclass
class Outcome:
    source: str
    status: Status
    article_id: int | None = None
    run_id: int | None = None
    claims: int | None = None
    rejected: int | None = None
    reason: str | None = None
    seconds: float = 0.0
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    # The service's notes on a succeeded run (RunPublic.notes): no claim stored, say.
    notes: list[str] = field(default_factory=list)


def progress_description(counts: Counter[str]) -> str:
    """The progress bar's words: each status by its own name, as in the summary."""
    return (
        f"[green]{counts['succeeded']} succeeded[/], {counts['skipped']} skipped, "
        f"[red]{counts['failed']} failed[/], [red]{counts['invalid']} invalid[/]"
    )


def summary_table(outcomes: Sequence[Outcome], wall_seconds: float | None = None) -> Table:
    table = Table("", "total", title=f"{len(outcomes)} article(s)", title_justify="left")
    for status in STATUSES:
        table.add_row(status, str(sum(o.status == status for o in outcomes)))
    # Skipped articles were extracted by an earlier run: this batch adds none of their claims.
    table.add_row("claims extracted", str(sum(o.claims or 0 for o in outcomes)))
    table.add_row("claims rejected", str(sum(o.rejected or 0 for o in outcomes)))
    if any(o.prompt_tokens is not None for o in outcomes):
        prompt = sum(o.prompt_tokens or 0 for o in outcomes)
        completion = sum(o.completion_tokens or 0 for o in outcomes)
        table.add_row("tokens", f"{prompt} prompt + {completion} completion")
    if wall_seconds is not None:
        table.add_row("wall time", f"{wall_seconds:.1f} s")
        rate = len(outcomes) / wall_seconds if wall_seconds > 0 else 0.0
        table.add_row("articles/s", f"{rate:.2f}")
    return table


def problem_lines(outcomes: Sequence[Outcome], limit: int = MAX_LISTED) -> list[Text]:
    """One line per distinct problem: an article's own, or a count of the articles that share
    one ("failed 19 articles: llm_unavailable: ..."), in the order they first came; then the
    notes on articles that succeeded ("note 3 articles: the model's answer held no claims...")."""
    groups: dict[tuple[str, str], list[tuple[Outcome, str]]] = {}
    noted: dict[tuple[str, str], list[tuple[Outcome, str]]] = {}
    for outcome in outcomes:
        if outcome.status in PROBLEMS:
            reason = outcome.reason or ""
            key = (outcome.status, VARYING.sub("…", reason))
            groups.setdefault(key, []).append((outcome, reason))
        for note in outcome.notes if outcome.status == "succeeded" else ():
            noted.setdefault(("note", VARYING.sub("…", note)), []).append((outcome, note))
    lines = []
    listed = [*groups.items(), *noted.items()]
    for (status, shared), members in listed[:limit]:
        if len(members) == 1:
            what = f"{members[0][0].source}: {members[0][1]}"
        else:
            what = f"{len(members)} articles: {shared}"
        lines.append(Text.assemble((status, "red" if status in PROBLEMS else "yellow"), " ", what))
    unlisted = listed[limit:]
    left = sum(len(members) for (status, _), members in unlisted if status in PROBLEMS)
    if left:
        lines.append(Text(f"... and {left} more article(s) with other problems", style="red"))
    left = sum(len(members) for (status, _), members in unlisted if status not in PROBLEMS)
    if left:
        lines.append(Text(f"... and {left} more article(s) with other notes", style="yellow"))
    return lines


def open_report(path: Path, *, append: bool) -> IO[str]:
    """The JSONL report. Appended to when a batch is resumed, so the earlier run's lines stay;
    a line a killed run left unfinished is ended first, so each later line is whole JSON."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if not append:
        return path.open("w", encoding="utf-8")
    unfinished = False
    if path.exists() and path.stat().st_size:
        with path.open("rb") as existing:
            existing.seek(-1, 2)
            unfinished = existing.read(1) != b"\n"
    report = path.open("a", encoding="utf-8")
    if unfinished:
        report.write("\n")
    return report


def report_line(outcome: Outcome) -> str:
    return json.dumps(asdict(outcome), ensure_ascii=False) + "\n"


def exit_code(outcomes: Sequence[Outcome]) -> int:
    return 1 if any(o.status in PROBLEMS for o in outcomes) else 0
