"""What the browser tests check on every page: requests, accessibility, screenshots."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, Request

from app.core.config import PROJECT_ROOT

CHROMIUM = Path(os.environ.get("FACTDIFF_TEST_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--no-first-run",
]
SCREENSHOTS = PROJECT_ROOT / "reports" / "screenshots"
AXE_JS = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"

requires_chromium = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason=f"no Chromium at {CHROMIUM}: install Debian's chromium package "
    "(apt-get install chromium) to run the browser tests",
)


@dataclass
class RequestLog:
    """Every request a page made, and those the browser refused under the page's policy."""

    origin: str
    urls: list[str] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)

    def watch(self, page: Page) -> RequestLog:
        page.on("request", lambda r: self.urls.append(r.url))
        page.on("requestfailed", self._failed)
        return self

    def _failed(self, request: Request) -> None:
        if request.failure == "csp":
            self.blocked.append(request.url)

    def outside(self) -> list[str]:
        """Requests that left the service: neither to it, nor in-page data, nor refused."""
        local = urlsplit(self.origin).netloc
        return [
            u
            for u in self.urls
            if urlsplit(u).scheme not in ("data", "blob")
            and urlsplit(u).netloc != local
            and u not in self.blocked
        ]


def watch_requests(page: Page, origin: str) -> RequestLog:
    return RequestLog(origin).watch(page)


def serious_violations(page: Page) -> list[dict[str, Any]]:
    """axe-core's serious and critical violations on the page as it is now."""
    # Evaluated through the DevTools protocol, which the page's script policy does not bind.
    page.evaluate(AXE_JS.read_text(encoding="utf-8"))
    results = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in results["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def screenshot(page: Page, name: str, *, full_page: bool = True) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=full_page)
