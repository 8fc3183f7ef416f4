"""The sample articles under fixtures/articles, posted to a running service."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import httpx
from rich.console import Console
from rich.table import Table

from app.cli.options import auth_headers
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
    """POST every sample article to a running service; print a table. Returns failures."""
    table = Table("article", "status", "claims", "rejected", "run", "note")
    failures = 0
    headers = auth_headers(api_key)
    with httpx.Client(base_url=server, headers=headers, timeout=timeout) as client:
        for path, article in sample_articles(folder):
            response = client.post("/articles", json=article)
            if response.status_code in (200, 201, 202):
                body = response.json()
                run = body["run"]
                note = (
                    "reused, no LLM call" if body["reused"] else f"{run['llm_calls']} LLM call(s)"
                )
                table.add_row(
                    path.stem,
                    str(response.status_code),
                    str(len(body["claims"])),
                    str(run["rejected_count"]),
                    str(run["id"]),
                    note,
                )
            else:
                failures += 1
                table.add_row(
                    path.stem, str(response.status_code), "-", "-", "-", response.text[:80]
                )
    console.print(table)
    return failures


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
