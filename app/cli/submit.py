"""Submit a batch of articles to a running factdiff, a bounded number at a time.

Each article is posted with ``?wait=false`` and its run polled, so a slow extraction holds no
HTTP request open. Every outcome goes to the JSONL report as soon as it is known, so an
interrupted batch leaves a report of what finished; a re-run skips what the server stores.

One module past 300 lines on purpose: the bounded posting, the polling and the report are one
loop whose interruption and resume must be read as a whole.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import httpx
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from app.cli.options import auth_headers, message_of
from app.cli.outcomes import (
    Outcome,
    open_report,
    problem_lines,
    progress_description,
    report_line,
    summary_table,
)
from app.store.crud import content_hash
from app.store.publications import publication_identity

FOLDER_SUFFIXES = frozenset({".txt", ".md", ".json", ".jsonl"})
RETRYABLE = frozenset({429, 500, 502, 503, 504})
MAX_RETRY_AFTER_S = 60.0
# Refusals of the article itself; any other 4xx (auth, wrong URL) is the batch's problem.
INVALID = frozenset({400, 413, 422})


@dataclass
class SubmitOptions:
    server: str
    api_key: str | None = None
    concurrency: int = 8
    report: Path | None = None
    schema: str | None = None
    resume: bool = True
    poll_interval: float = 0.5
    timeout: float = 600.0
    retries: int = 3
    backoff: float = 0.5


Item = tuple[str, dict[str, Any] | Exception]


def collect_articles(paths: Sequence[Path]) -> Iterator[Item]:
    """Articles from files and folders, in a stable order; unreadable ones as an Exception."""
    for path in paths:
        if path.is_dir():
            files = (p for p in path.rglob("*") if p.is_file())
            for file in sorted(f for f in files if f.suffix.lower() in FOLDER_SUFFIXES):
                yield from _read(file)
        else:
            yield from _read(path)


def _read(path: Path) -> Iterator[Item]:
    suffix = path.suffix.lower()
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeError) as exc:
        yield str(path), exc
        return
    if suffix == ".jsonl":
        for number, line in enumerate(text.splitlines(), start=1):
            if line.strip():
                yield f"{path}:{number}", _object(line)
    elif suffix == ".json":
        yield str(path), _object(text)
    else:
        yield str(path), {"text": text, "title": _title(text, markdown=suffix == ".md")}


def _object(text: str) -> dict[str, Any] | Exception:
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        return ValueError(f"not JSON: {exc}")
    if not isinstance(value, dict):
        return ValueError(f"expected one article object, got a JSON {type(value).__name__}")
    return value


def _title(text: str, *, markdown: bool) -> str | None:
    lines = text.lstrip().splitlines()
    first = lines[0].strip() if lines else ""
    if markdown:
        heading = re.match(r"#{1,6}\s+(\S.*)", first)
        return heading.group(1).strip() if heading else None
    # Plain text only has a headline when one stands alone above the body; a first
    # paragraph is not a title (and would overrun the API's 500 characters).
    if len(lines) > 1 and not lines[1].strip() and 0 < len(first) <= 200:
        return first
    return None


class RequestFailedError(Exception):
    """The server could not be reached, or kept answering 5xx, through every retry."""


async def _request(
    client: httpx.AsyncClient, options: SubmitOptions, method: str, url: str, **kwargs: Any
) -> httpx.Response:
    # Retrying a POST whose answer was lost is safe: the server dedupes articles by content
    # hash and never runs the same extraction twice.
    for attempt in range(options.retries + 1):
        wait: float | None = None
        try:
            response = await client.request(method, url, **kwargs)
        except httpx.TransportError as exc:
            problem = f"cannot reach {options.server}: {type(exc).__name__} {exc}".strip()
        else:
            wait = _retry_after(response)
            # A wait of more than a minute (a key's daily token budget is spent) will not end
            # within this batch: the article fails now with the server's reason.
            if response.status_code not in RETRYABLE or (wait or 0) > MAX_RETRY_AFTER_S:
                return response
            problem = f"{method} {url}: {_detail(response)}"
        if attempt < options.retries:
            await asyncio.sleep(wait if wait is not None else options.backoff * 2**attempt)
    raise RequestFailedError(f"{problem} (after {options.retries + 1} attempts)")


def _retry_after(response: httpx.Response) -> float | None:
    """The server's Retry-After in seconds, when it gives one as a number."""
    try:
        return max(0.0, float(response.headers["retry-after"]))
    except (KeyError, ValueError):
        return None


def _detail(response: httpx.Response) -> str:
    return f"{response.status_code} {message_of(response)}".strip()


async def _stored(
    client: httpx.AsyncClient, options: SubmitOptions, digest: str, item: dict[str, Any]
) -> Outcome | None:
    """An outcome when the server stores this article with claims, under this item's outlet
    and url, which a re-run skips.

    Stored without claims may mean its run failed, so that one is posted again: the server
    answers from the stored run when it succeeded, and queues it again when it failed. A text
    stored under another outlet is posted too: the server adds the publication without
    extracting the text again.
    """
    found = await _request(client, options, "GET", "/articles", params={"content_hash": digest})
    if found.status_code != 200 or not found.json()["data"]:
        return None
    article = found.json()["data"][0]
    identity = publication_identity(item.get("outlet"), item.get("url"))
    carried = {publication_identity(p["outlet"], p["url"]) for p in article["publications"]}
    if identity not in carried:
        return None
    article_id = article["id"]
    claims = await _request(
        client, options, "GET", "/claims", params={"article_id": article_id, "limit": 1}
    )
    if claims.status_code != 200 or not claims.json()["data"]:
        return None
    run_id = claims.json()["data"][0]["run_id"]
    return Outcome("", "skipped", article_id, run_id, reason="stored already")


async def _poll(
    client: httpx.AsyncClient, options: SubmitOptions, run: dict[str, Any], deadline: float
) -> dict[str, Any]:
    while run["status"] not in ("succeeded", "failed"):
        if time.monotonic() >= deadline:
            raise RequestFailedError(
                f"timed out after {options.timeout:g} s with run {run['id']} {run['status']}; "
                "the run goes on on the server; a re-run picks it up"
            )
        await asyncio.sleep(options.poll_interval)
        response = await _request(client, options, "GET", f"/runs/{run['id']}")
        if response.status_code != 200:
            raise RequestFailedError(f"GET /runs/{run['id']}: {_detail(response)}")
        run = response.json()
    return run


async def _submit_one(
    client: httpx.AsyncClient, options: SubmitOptions, source: str, item: dict[str, Any]
) -> Outcome:
    started = time.monotonic()
    body = dict(item)
    if options.schema and "schema" not in body:
        body["schema"] = options.schema
    text = body.get("text")
    if options.resume and isinstance(text, str):
        skipped = await _stored(client, options, content_hash(text), body)
        if skipped is not None:
            skipped.source, skipped.seconds = source, _since(started)
            return skipped
    response = await _request(
        client, options, "POST", "/articles", params={"wait": "false"}, json=body
    )
    if response.status_code in INVALID:
        return Outcome(source, "invalid", reason=_detail(response), seconds=_since(started))
    if response.status_code not in (201, 202):
        raise RequestFailedError(f"POST /articles: {_detail(response)}")
    data = response.json()
    reused = bool(data["reused"])
    run = await _poll(client, options, data["run"], started + options.timeout)
    outcome = Outcome(source, "failed", data["article"]["id"], run["id"])
    if run["status"] == "failed":
        outcome.reason = f"{run['error_reason']}: {run['error']}"
    else:
        outcome.status, outcome.claims = "succeeded", run["claims_count"]
        outcome.rejected = run["rejected_count"]
        outcome.notes = list(run.get("notes", []))  # none from a service older than notes
        if reused:
            outcome.reason = "reused the stored run: no LLM call"
        else:
            outcome.prompt_tokens = run["prompt_tokens"]
            outcome.completion_tokens = run["completion_tokens"]
    outcome.seconds = _since(started)
    return outcome


def _since(started: float) -> float:
    return round(time.monotonic() - started, 3)


async def _outcome(
    client: httpx.AsyncClient, options: SubmitOptions, source: str, item: Any
) -> Outcome:
    if isinstance(item, Exception):
        return Outcome(source, "invalid", reason=str(item) or type(item).__name__)
    started = time.monotonic()
    try:
        return await _submit_one(client, options, source, item)
    except RequestFailedError as exc:
        reason = str(exc)
    except (ValueError, KeyError, TypeError) as exc:
        reason = f"unexpected answer from the server: {type(exc).__name__} {exc}"
    return Outcome(source, "failed", reason=reason, seconds=_since(started))


async def submit(paths: Sequence[Path], options: SubmitOptions, console: Console) -> list[Outcome]:
    """Submit every article under ``paths``; print progress and a summary; return outcomes.

    Cancelled (Ctrl-C), it stops its requests, keeps the report of what finished, prints the
    summary so far and re-raises.
    """
    items = list(collect_articles(paths))
    done: list[tuple[int, Outcome]] = []
    counts: Counter[str] = Counter()
    started = time.monotonic()
    headers = auth_headers(options.api_key)
    report: IO[str] | None = None
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn())
    progress = Progress(*columns, TimeElapsedColumn(), console=console)
    bar = progress.add_task(progress_description(counts), total=len(items))
    pending = iter(enumerate(items))

    def record(index: int, outcome: Outcome) -> None:
        done.append((index, outcome))
        if report is not None:
            report.write(report_line(outcome))
            report.flush()
        counts[outcome.status] += 1
        progress.update(bar, advance=1, description=progress_description(counts))

    async def worker(client: httpx.AsyncClient) -> None:
        # One shared iterator: next() never awaits, so no two workers take the same item.
        for index, (source, item) in pending:
            record(index, await _outcome(client, options, source, item))

    if options.report is not None:
        report = open_report(options.report, append=options.resume)
    interrupted = True
    try:
        async with httpx.AsyncClient(
            base_url=options.server.rstrip("/"), headers=headers, timeout=30.0
        ) as client:
            with progress:
                async with asyncio.TaskGroup() as group:
                    for _ in range(max(1, min(options.concurrency, len(items)))):
                        group.create_task(worker(client))
        interrupted = False
    finally:
        if report is not None:
            report.close()
        outcomes = [o for _, o in sorted(done, key=lambda pair: pair[0])]
        console.print(summary_table(outcomes, wall_seconds=time.monotonic() - started))
        for line in problem_lines(outcomes):
            # Unwrapped: one problem, one line, whatever the terminal's width.
            console.print(line, soft_wrap=True)
        if interrupted:
            left = len(items) - len(outcomes)
            console.print(
                f"[yellow]Interrupted with {left} article(s) left; run again to submit them "
                "(what the server stores is skipped).[/]"
            )
    return outcomes
