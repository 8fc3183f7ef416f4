"""A batch's outcomes: problems grouped into one line each, the report appended to."""

from __future__ import annotations

import io
import json
from collections import Counter
from pathlib import Path

from rich.console import Console

from app.cli.outcomes import (
    Outcome,
    open_report,
    problem_lines,
    progress_description,
    report_line,
)

UNREACHABLE = "cannot reach http://127.0.0.1:9: ConnectError [Errno 111] (after 4 attempts)"


def printed(outcomes: list[Outcome], limit: int = 20) -> list[str]:
    console = Console(file=io.StringIO(), width=40)
    for line in problem_lines(outcomes, limit=limit):
        console.print(line, soft_wrap=True)
    assert isinstance(console.file, io.StringIO)
    return console.file.getvalue().splitlines()


def test_the_same_problem_is_one_line_with_a_count_and_a_lone_one_names_its_article() -> None:
    outcomes = [
        Outcome("a.txt", "failed", reason=UNREACHABLE),
        Outcome("b.txt", "succeeded", claims=3),
        Outcome("c.txt", "invalid", reason="422 text: text is empty: send the article's text"),
        Outcome("d.txt", "failed", reason=UNREACHABLE),
        Outcome("e.txt", "skipped", reason="stored already"),
        Outcome("f.txt", "failed", reason=UNREACHABLE),
        Outcome("g.txt", "invalid", reason="422 text: text is empty: send the article's text"),
        Outcome("h.txt", "failed", reason="timed out after 600 s with run 7 running; go on"),
        Outcome("i.txt", "failed", reason="timed out after 600 s with run 12 running; go on"),
        Outcome("j.txt", "failed", reason="llm_unavailable: no fixture (sha256 62163347832e)"),
        Outcome("k.txt", "failed", reason="llm_unavailable: no fixture (sha256 9463a8f8d7d3)"),
        Outcome("l.txt", "failed", reason="GET /runs/31: 404 run 31 not found"),
    ]

    assert printed(outcomes) == [
        f"failed 3 articles: {UNREACHABLE}",
        "invalid 2 articles: 422 text: text is empty: send the article's text",
        "failed 2 articles: timed out after 600 s with run … running; go on",
        "failed 2 articles: llm_unavailable: no fixture (sha256 …)",
        "failed l.txt: GET /runs/31: 404 run 31 not found",
    ]
    assert printed(outcomes, limit=2) == [
        f"failed 3 articles: {UNREACHABLE}",
        "invalid 2 articles: 422 text: text is empty: send the article's text",
        "... and 5 more article(s) with other problems",
    ]
    assert printed([Outcome("b.txt", "succeeded"), Outcome("e.txt", "skipped")]) == []


def test_notes_on_runs_that_succeeded_follow_the_problems_grouped_the_same_way() -> None:
    empty = "the model's answer held no claims"
    outcomes = [
        Outcome("a.txt", "succeeded", claims=0, rejected=0, notes=[empty]),
        Outcome("b.txt", "failed", reason=UNREACHABLE),
        Outcome(
            "c.txt",
            "succeeded",
            claims=0,
            rejected=4,
            notes=["grounding rejected every claim the model returned: /runs/7/rejected says why"],
        ),
        Outcome("d.txt", "succeeded", claims=0, rejected=0, notes=[empty]),
        Outcome(
            "e.txt",
            "succeeded",
            claims=0,
            rejected=2,
            notes=["grounding rejected every claim the model returned: /runs/12/rejected says why"],
        ),
        Outcome(
            "f.txt",
            "succeeded",
            claims=1,
            rejected=3,
            notes=["grounding rejected more claims than it kept: /runs/13/rejected says why"],
        ),
    ]

    assert printed(outcomes) == [
        f"failed b.txt: {UNREACHABLE}",
        f"note 2 articles: {empty}",
        "note 2 articles: grounding rejected every claim the model returned: /runs/…/rejected "
        "says why",
        "note f.txt: grounding rejected more claims than it kept: /runs/13/rejected says why",
    ]
    assert printed(outcomes, limit=2) == [
        f"failed b.txt: {UNREACHABLE}",
        f"note 2 articles: {empty}",
        "... and 3 more article(s) with other notes",
    ]


def test_a_reason_is_printed_as_sent_never_read_as_markup() -> None:
    reason = "502 [bold]upstream[/bold] said [red]no"
    assert printed([Outcome("a.txt", "failed", reason=reason)]) == [f"failed a.txt: {reason}"]


def test_the_progress_bar_names_every_status() -> None:
    counts = Counter({"succeeded": 1, "skipped": 4, "invalid": 2})
    console = Console(file=io.StringIO(), width=100)
    console.print(progress_description(counts))
    assert isinstance(console.file, io.StringIO)
    assert console.file.getvalue() == "1 succeeded, 4 skipped, 0 failed, 2 invalid\n"


def test_the_report_is_appended_to_and_a_cut_off_line_is_ended_first(tmp_path: Path) -> None:
    path = tmp_path / "reports" / "batch.jsonl"
    with open_report(path, append=True) as report:
        report.write(report_line(Outcome("a.txt", "succeeded", claims=2)))
    with path.open("a", encoding="utf-8") as killed:
        killed.write('{"source": "b.txt", "sta')  # a run killed mid-line

    with open_report(path, append=True) as report:
        report.write(report_line(Outcome("c.txt", "skipped")))

    first, cut, last = path.read_text(encoding="utf-8").splitlines()
    assert (json.loads(first)["source"], json.loads(first)["claims"]) == ("a.txt", 2)
    assert cut == '{"source": "b.txt", "sta'
    assert json.loads(last)["source"] == "c.txt"

    with open_report(path, append=False) as report:
        report.write(report_line(Outcome("d.txt", "failed", reason="x")))
    assert [json.loads(line)["source"] for line in path.read_text().splitlines()] == ["d.txt"]
