"""factdiff submit: a batch of files against a live service, resumed and interrupted."""

from __future__ import annotations

import asyncio
import io
import json
import shutil
import socket
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx
from rich.console import Console
from rich.table import Table
from sqlalchemy import Engine

from app.cli.outcomes import Outcome, exit_code, summary_table
from app.cli.submit import SubmitOptions, collect_articles, submit
from app.core.config import PROJECT_ROOT
from app.store import db
from tests.app.llm.test_replay import NO_FIXTURE_HELP
from tests.conftest import ARTICLES_DIR, load_article

BATCH_SAMPLES = ("kenya-haiti-217", "kenya-haiti-270", "unrelated-city-budget")
NO_FIXTURE_TEXT = "Harbour reopens\n\nThe harbour of Port-Salut reopened on Monday.\n"


@pytest.fixture(name="engine")
def engine_fixture(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    """A file database: the served app writes from several threads at once, which an
    in-memory database on one shared connection does not survive."""
    engine = db.make_engine(f"sqlite:///{tmp_path / 'served.db'}")
    db.migrate(engine)
    # The app's lifespan opens db.get_engine(): this database, not the developer's.
    monkeypatch.setattr(db, "get_engine", lambda: engine)
    yield engine
    engine.dispose()


def options_for(server: str, tmp_path: Path, report: str = "report.jsonl") -> SubmitOptions:
    return SubmitOptions(
        server=server,
        api_key="test-key",
        concurrency=4,
        report=tmp_path / report,
        poll_interval=0.02,
        timeout=20,
        backoff=0.01,
    )


def quiet() -> Console:
    return Console(file=io.StringIO(), width=160)


def output(console: Console) -> str:
    assert isinstance(console.file, io.StringIO)
    return console.file.getvalue()


def rows(table: Table) -> dict[str, str]:
    console = quiet()
    console.print(table)
    cells = [line.split("│")[1:3] for line in output(console).splitlines() if "│" in line]
    return {name.strip(): value.strip() for name, value in cells if name.strip()}


async def get(server: str, path: str, **params: Any) -> Any:
    async with httpx.AsyncClient(base_url=server) as http:
        response = await http.get(path, params=params)
    assert response.status_code == 200, response.text
    return response.json()


async def stored(server: str) -> list[dict[str, Any]]:
    body = await get(server, "/articles", limit=500)
    assert body["count"] == len(body["data"])
    data: list[dict[str, Any]] = body["data"]
    return data


def make_batch(folder: Path) -> Path:
    folder.mkdir()
    for stem in BATCH_SAMPLES:
        shutil.copy(ARTICLES_DIR / f"{stem}.json", folder / f"{stem}.json")
    (folder / "no-fixture.txt").write_text(NO_FIXTURE_TEXT, encoding="utf-8")
    lines = [load_article("docs-example"), {"text": "   ", "title": "Blank"}]
    (folder / "more.jsonl").write_text("\n".join(json.dumps(x) for x in lines) + "\n")
    return folder


async def test_a_batch_reports_every_article_and_a_rerun_skips_the_stored(
    tmp_path: Path, live_server: str
) -> None:
    batch = make_batch(tmp_path / "batch")
    options = options_for(live_server, tmp_path)
    console = quiet()

    outcomes = await submit([batch], options, console)

    by_source = {Path(o.source).name: o for o in outcomes}
    assert [(name, o.status) for name, o in by_source.items()] == [
        ("kenya-haiti-217.json", "succeeded"),
        ("kenya-haiti-270.json", "succeeded"),
        ("more.jsonl:1", "succeeded"),
        ("more.jsonl:2", "invalid"),
        ("no-fixture.txt", "failed"),
        ("unrelated-city-budget.json", "succeeded"),
    ]
    for o in outcomes:
        if o.status == "succeeded":
            assert o.claims and o.article_id and o.run_id and o.reason is None
    assert by_source["unrelated-city-budget.json"].claims == 8
    invalid = by_source["more.jsonl:2"]
    assert invalid.reason == "422 text: text is empty: send the article's text"
    failed = by_source["no-fixture.txt"]
    assert failed.reason and failed.reason.startswith("llm_unavailable: no LLM fixture")
    assert "FACTDIFF_LLM_BASE_URL" in failed.reason
    assert failed.article_id and failed.run_id and failed.claims is None
    assert exit_code(outcomes) == 1

    assert options.report is not None
    report = [json.loads(line) for line in options.report.read_text().splitlines()]
    assert sorted(report, key=lambda r: r["source"]) == [o.__dict__ for o in outcomes]
    total_claims = sum(o.claims or 0 for o in outcomes)
    summary = rows(summary_table(outcomes, wall_seconds=2.0))
    counted = ("succeeded", "skipped", "failed", "invalid", "claims extracted")
    assert {k: summary[k] for k in counted} == {
        "succeeded": "4",
        "skipped": "0",
        "failed": "1",
        "invalid": "1",
        "claims extracted": str(total_claims),
    }
    assert summary["articles/s"] == "3.00"
    assert "prompt +" in summary["tokens"]
    printed = output(console)
    assert "6 article(s)" in printed
    assert "no-fixture.txt: llm_unavailable" in printed
    before = await stored(live_server)
    assert len(before) == 5  # the blank one was refused; the failed one is stored

    again = await submit([batch], replace(options, report=tmp_path / "again.jsonl"), quiet())

    assert [(Path(o.source).name, o.status) for o in again] == [
        ("kenya-haiti-217.json", "skipped"),
        ("kenya-haiti-270.json", "skipped"),
        ("more.jsonl:1", "skipped"),
        ("more.jsonl:2", "invalid"),
        ("no-fixture.txt", "failed"),  # tried again, not skipped: its run had failed
        ("unrelated-city-budget.json", "skipped"),
    ]
    assert [(o.article_id, o.run_id) for o in again] == [(o.article_id, o.run_id) for o in outcomes]
    assert await stored(live_server) == before


async def test_without_resume_the_server_reuses_its_runs(tmp_path: Path, live_server: str) -> None:
    folder = tmp_path / "one"
    folder.mkdir()
    shutil.copy(ARTICLES_DIR / "docs-example.json", folder / "a.json")
    options = replace(options_for(live_server, tmp_path), resume=False)
    (first,) = await submit([folder], options, quiet())

    (second,) = await submit([folder], options, quiet())

    assert (first.status, first.reason) == ("succeeded", None)
    assert (second.status, second.reason) == ("succeeded", "reused the stored run: no LLM call")
    assert (second.run_id, second.claims) == (first.run_id, first.claims)
    assert second.prompt_tokens is None  # no tokens were spent on it this time
    assert exit_code([first, second]) == 0
    # Not a resumed batch: its report starts afresh.
    assert options.report is not None
    (line,) = options.report.read_text().splitlines()
    assert json.loads(line)["reason"] == "reused the stored run: no LLM call"


async def test_an_interrupted_batch_keeps_its_report_and_a_rerun_finishes_it(
    tmp_path: Path, live_server: str
) -> None:
    folder = tmp_path / "samples"
    shutil.copytree(ARTICLES_DIR, folder)
    samples = len(list(folder.glob("*.json")))
    options = replace(options_for(live_server, tmp_path), concurrency=1)
    console = quiet()

    task = asyncio.create_task(submit([folder], options, console))
    report = options.report
    assert report is not None
    while not (report.exists() and report.read_text()):
        assert not task.done()
        await asyncio.sleep(0.005)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task

    finished = [json.loads(line) for line in report.read_text().splitlines()]
    assert 1 <= len(finished) < samples
    assert {r["status"] for r in finished} == {"succeeded"}
    assert "Interrupted with" in output(console)

    rest = await submit([folder], replace(options, report=tmp_path / "rest.jsonl"), quiet())

    assert exit_code(rest) == 0
    assert {o.source for o in rest if o.status == "skipped"} >= {r["source"] for r in finished}
    articles = await stored(live_server)
    assert len(articles) == samples
    assert len({a["content_hash"] for a in articles}) == samples
    for article in articles:
        claims = await get(live_server, "/claims", article_id=article["id"])
        assert len({c["run_id"] for c in claims["data"]}) <= 1, "extracted twice"


async def test_an_unreachable_server_fails_each_article_with_the_reason(tmp_path: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    article = tmp_path / "a.md"
    article.write_text("# Title\n\nBody text.\n")
    options = replace(options_for(f"http://127.0.0.1:{port}", tmp_path), retries=1)

    (outcome,) = await submit([article], options, quiet())

    assert outcome.status == "failed"
    assert outcome.reason and outcome.reason.startswith(f"cannot reach http://127.0.0.1:{port}")
    assert outcome.reason.endswith("(after 2 attempts)")


def run_body(status: str, **extra: Any) -> dict[str, Any]:
    return {
        "id": 7,
        "status": status,
        "claims_count": 2,
        "rejected_count": 1,
        "prompt_tokens": 100,
        "completion_tokens": 20,
        "error_reason": None,
        "error": None,
        **extra,
    }


@respx.mock
async def test_5xx_is_retried_the_key_sent_and_a_slow_run_times_out(tmp_path: Path) -> None:
    base = "http://factdiff.test"
    respx.get(f"{base}/articles").respond(200, json={"data": [], "count": 0})
    accepted = {"article": {"id": 3}, "run": run_body("queued"), "reused": False, "claims": []}
    post = respx.post(f"{base}/articles").mock(
        side_effect=[
            httpx.Response(503, json={"detail": "the database is unavailable; try again"}),
            httpx.Response(202, json=accepted),
            httpx.Response(202, json=accepted),
        ]
    )
    runs = respx.get(f"{base}/runs/7").mock(
        side_effect=[httpx.Response(200, json=run_body("running"))] * 2
        + [httpx.Response(200, json=run_body("succeeded"))]
    )
    article = tmp_path / "a.txt"
    article.write_text("Some article text.")
    options = replace(options_for(base, tmp_path), report=None, poll_interval=0.01)

    (outcome,) = await submit([article], options, quiet())

    assert (outcome.status, outcome.claims, outcome.rejected) == ("succeeded", 2, 1)
    assert (outcome.prompt_tokens, outcome.completion_tokens) == (100, 20)
    assert post.call_count == 2 and runs.call_count == 3
    assert post.calls[0].request.headers["Authorization"] == "Bearer test-key"
    assert post.calls[0].request.url.params["wait"] == "false"

    respx.get(f"{base}/runs/7").respond(200, json=run_body("running"))
    (slow,) = await submit([article], replace(options, timeout=0.05), quiet())
    assert slow.status == "failed"
    assert slow.reason and slow.reason.startswith("timed out after 0.05 s with run 7 running")


@respx.mock
async def test_a_run_that_stored_no_claim_succeeds_with_the_services_note(tmp_path: Path) -> None:
    base = "http://factdiff.test"
    note = "the model's answer held no claims: if the article states figures, …"
    respx.get(f"{base}/articles").respond(200, json={"data": [], "count": 0})
    done = run_body("succeeded", claims_count=0, rejected_count=0, notes=[note])
    respx.post(f"{base}/articles").respond(
        201, json={"article": {"id": 3}, "run": done, "reused": False, "claims": []}
    )
    article = tmp_path / "a.txt"
    article.write_text("Some article text.")
    console = quiet()

    (outcome,) = await submit([article], options_for(base, tmp_path), console)

    assert (outcome.status, outcome.claims, outcome.notes) == ("succeeded", 0, [note])
    assert f"note {article}: {note}" in output(console).splitlines()
    report = (tmp_path / "report.jsonl").read_text().splitlines()
    assert json.loads(report[0])["notes"] == [note]
    assert exit_code([outcome]) == 0


def test_collect_reads_files_folders_and_bad_lines_without_stopping(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b.md").write_text("## A heading\n\nBody.\n")
    (tmp_path / "a.txt").write_text("Headline\n\nBody.\n")
    (tmp_path / "c.txt").write_text("One paragraph, no headline.\nSecond line.\n")
    (tmp_path / "d.md").write_text("Not a heading\n")
    (tmp_path / "e.json").write_text('[{"text": "a list"}]')
    (tmp_path / "f.jsonl").write_text('{"text": "ok", "outlet": "X"}\n\n{"text": \n7\n')
    (tmp_path / "ignored.html").write_text("<p>not an article</p>")

    items = dict(collect_articles([tmp_path, tmp_path / "missing.txt"]))

    names = {Path(k).relative_to(tmp_path).as_posix(): v for k, v in items.items()}
    assert list(names) == [
        "a.txt",
        "c.txt",
        "d.md",
        "e.json",
        "f.jsonl:1",
        "f.jsonl:3",
        "f.jsonl:4",
        "sub/b.md",
        "missing.txt",
    ]
    assert names["a.txt"] == {"text": "Headline\n\nBody.\n", "title": "Headline"}
    assert names["sub/b.md"] == {"text": "## A heading\n\nBody.\n", "title": "A heading"}
    assert names["c.txt"]["title"] is None  # type: ignore[index]
    assert names["d.md"]["title"] is None  # type: ignore[index]
    assert names["f.jsonl:1"] == {"text": "ok", "outlet": "X"}
    assert str(names["e.json"]) == "expected one article object, got a JSON list"
    assert str(names["f.jsonl:3"]).startswith("not JSON:")
    assert str(names["f.jsonl:4"]) == "expected one article object, got a JSON int"
    assert isinstance(names["missing.txt"], FileNotFoundError)


def test_exit_code_and_summary_of_nothing() -> None:
    assert exit_code([]) == 0
    assert exit_code([Outcome("a", "skipped")]) == 0
    assert exit_code([Outcome("a", "succeeded"), Outcome("b", "invalid")]) == 1
    assert rows(summary_table([]))["claims extracted"] == "0"


@respx.mock
async def test_429_waits_its_retry_after_and_a_spent_daily_budget_fails_at_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    base = "http://factdiff.test"
    slept: list[float] = []

    async def record_sleep(seconds: float) -> None:
        slept.append(seconds)

    monkeypatch.setattr("app.cli.submit.asyncio.sleep", record_sleep)
    respx.get(f"{base}/articles").respond(200, json={"data": [], "count": 0})
    done = {"article": {"id": 3}, "run": run_body("succeeded"), "reused": False, "claims": []}
    limited = "rate limit of 2 requests per minute exceeded for key 'newsroom'; retry in 7 s"
    spent = (
        "daily token budget of 1000 spent for key 'newsroom' (1200 used today); "
        "it resets at 00:00 UTC"
    )
    post = respx.post(f"{base}/articles").mock(
        side_effect=[
            httpx.Response(429, json={"detail": limited}, headers={"Retry-After": "7"}),
            httpx.Response(202, json=done),
            httpx.Response(429, json={"detail": spent}, headers={"Retry-After": "36000"}),
        ]
    )
    first, second = tmp_path / "a.txt", tmp_path / "b.txt"
    first.write_text("First article text.")
    second.write_text("Second article text.")
    options = replace(options_for(base, tmp_path), report=None, concurrency=1)

    ok, refused = await submit([first, second], options, quiet())

    assert ok.status == "succeeded"
    assert slept == [7.0]
    assert post.call_count == 3
    assert refused.status == "failed"
    assert refused.reason is not None and spent in refused.reason


async def test_a_resumed_batch_appends_to_its_report_and_counts_the_stored_as_skipped(
    tmp_path: Path, live_server: str
) -> None:
    folder = tmp_path / "batch"
    folder.mkdir()
    for stem in ("kenya-haiti-217", "kenya-haiti-270"):
        shutil.copy(ARTICLES_DIR / f"{stem}.json", folder / f"{stem}.json")
    for n in (1, 2, 3):
        text = f"Harbour {n}\n\nThe harbour of Port-Salut {n} reopened on Monday.\n"
        (folder / f"no-fixture-{n}.txt").write_text(text, encoding="utf-8")
    options = options_for(live_server, tmp_path)
    assert options.report is not None
    await submit([folder], options, quiet())
    first_lines = options.report.read_text().splitlines()
    console = quiet()

    again = await submit([folder], options, console)

    lines = options.report.read_text().splitlines()
    assert lines[:5] == first_lines
    assert sorted((Path(r["source"]).name, r["status"]) for r in map(json.loads, lines[5:])) == [
        ("kenya-haiti-217.json", "skipped"),
        ("kenya-haiti-270.json", "skipped"),
        ("no-fixture-1.txt", "failed"),
        ("no-fixture-2.txt", "failed"),
        ("no-fixture-3.txt", "failed"),
    ]
    assert exit_code(again) == 1
    printed = output(console).splitlines()
    (bar,) = [line for line in printed if "5/5" in line]
    assert bar.startswith("0 succeeded, 2 skipped, 3 failed, 0 invalid ━")
    summary = rows(summary_table(again))
    assert [summary[k] for k in ("succeeded", "skipped", "failed", "claims extracted")] == [
        "0",
        "2",
        "3",
        "0",
    ]
    problems = [line for line in printed if line.startswith(("failed", "invalid"))]
    assert problems == [
        "failed 3 articles: llm_unavailable: no LLM fixture for this article (user message "
        f"sha256 …) under {PROJECT_ROOT / 'fixtures' / 'llm'}. {NO_FIXTURE_HELP}"
    ]


async def test_a_rerun_posts_a_stored_text_under_a_new_outlet(
    tmp_path: Path, live_server: str
) -> None:
    wire = load_article("kenya-haiti-wire")
    carried = [wire, {**wire, "outlet": "Lakeside Gazette"}, {**wire, "outlet": "Coastal Courier"}]
    first = tmp_path / "first.jsonl"
    first.write_text(json.dumps(wire) + "\n")
    both = tmp_path / "carried.jsonl"
    both.write_text("\n".join(json.dumps(x) for x in carried) + "\n")
    options = options_for(live_server, tmp_path)
    assert [o.status for o in await submit([first], options, quiet())] == ["succeeded"]

    again = await submit([both], replace(options, concurrency=1), quiet())

    assert [(o.status, o.reason) for o in again] == [
        ("skipped", "stored already"),
        ("succeeded", "reused the stored run: no LLM call"),
        ("succeeded", "reused the stored run: no LLM call"),
    ]
    (article,) = await stored(live_server)
    assert [p["outlet"] for p in article["publications"]] == [
        "Meridian Newswire",
        "Lakeside Gazette",
        "Coastal Courier",
    ]
