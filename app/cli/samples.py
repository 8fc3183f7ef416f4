"""The sample articles under fixtures/articles, posted to a running service."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import httpx
from rich.console import Console
from rich.table import Table

from app.cli.options import auth_headers, message_of
from app.core.config import PROJECT_ROOT

console = Console()

SAMPLES_DIR = PROJECT_ROOT / "fixtures" / "articles"


def sample_articles(folder: Path = SAMPLES_DIR) -> list[tuple[Path, dict[str, Any]]]:
    return [(p, json.loads(p.read_text(encoding="utf-8"))) for p in sorted(folder.glob("*.json"))]


def post_samples(
    server: str,
    folder: Path = SAMPLES_DIR,
    timeout: float = 120.0,
    api_key: str | None = None,
) -> int:
    """POST every sample article to a running service, saying which one it waits for; print
    a table. Returns failures. An article the service has not answered within ``timeout``
    is a failure, and the next one is posted: its run goes on in the service."""
    articles = sample_articles(folder)
    table = Table("article", "status", "claims", "rejected", "run", "note")
    failures = 0
    with (
        httpx.Client(base_url=server, headers=auth_headers(api_key), timeout=timeout) as client,
        console.status("") as status,
    ):
        for n, (path, article) in enumerate(articles, start=1):
            status.update(f"{path.stem}: extracting ({n} of {len(articles)})")
            row = _post(client, path.stem, article, timeout)
            failures += row[1] not in ("200", "201", "202")
            table.add_row(*row)
    console.print(table)
    return failures


def _post(client: httpx.Client, name: str, article: dict[str, Any], timeout: float) -> list[str]:
    try:
        response = client.post("/articles", json=article)
    except httpx.ReadTimeout:  # sent, and not answered in time; a connect timeout is raised
        note = (
            f"no answer within {timeout:g} s; its run goes on in the service, and loading "
            "again waits for it. A slow model? Raise --timeout"
        )
        return [name, "timeout", "-", "-", "-", note]
    if response.status_code not in (200, 201, 202):
        return [name, str(response.status_code), "-", "-", "-", message_of(response)[:200]]
    body = response.json()
    run = body["run"]
    note = "reused, no LLM call" if body["reused"] else f"{run['llm_calls']} LLM call(s)"
    # A service older than run notes sends none.
    note = "; ".join([note, *run.get("notes", [])])
    counts = [str(len(body["claims"])), str(run["rejected_count"]), str(run["id"])]
    return [name, str(response.status_code), *counts, note]


def wait_healthy(server: str, deadline_s: float = 30.0) -> bool:
    end = time.monotonic() + deadline_s
    while time.monotonic() < end:
        try:
            if httpx.get(f"{server}/healthz", timeout=2).status_code == 200:
                return True
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    return False
