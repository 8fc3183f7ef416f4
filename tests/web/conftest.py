"""The service, started by the tests as users start it, for a real browser to read its pages.

``factdiff`` is served by uvicorn in its own process on a free port, over a temporary SQLite
database, in replay mode, with the sample articles posted to it (all but one, which a test
submits through the form). The browser is Debian's chromium, driven by Playwright through
its executable path: no browser is downloaded. Without /usr/bin/chromium the browser tests
are skipped, saying so.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, BrowserType, Playwright, sync_playwright

from app.cli.main import SAMPLES_DIR, wait_healthy
from app.core.config import PROJECT_ROOT
from bench.ledger_bench import free_port
from tests.web.browser import CHROMIUM, CHROMIUM_ARGS

# Submitted through the form by a test, so not loaded with the others.
FORM_SAMPLE = "kenya-haiti-wire"
WRITE_KEY = "desk-key-0123456789abcdef"
READ_KEY = "reader-key-0123456789abcdef"


def sample(stem: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((SAMPLES_DIR / f"{stem}.json").read_text("utf-8"))
    return data


@dataclass
class Service:
    url: str
    process: subprocess.Popen[bytes]
    headers: dict[str, str] = field(default_factory=dict)

    def get(self, path: str, **params: Any) -> Any:
        response = httpx.get(self.url + path, params=params, headers=self.headers, timeout=30)
        response.raise_for_status()
        return response.json()


@contextmanager
def _serve(folder: Path, extra_env: dict[str, str]) -> Iterator[Service]:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FACTDIFF_", "OPENAI_"))} | {
        "FACTDIFF_DATABASE_URL": f"sqlite:///{folder / 'factdiff.db'}",
        "FACTDIFF_LLM_MODE": "replay",
        "FACTDIFF_WORKER_CONCURRENCY": "2",
        **extra_env,
    }
    command = [sys.executable, "-m", "uvicorn", "app.main:app", "--port", str(port)]
    log = (folder / "service.log").open("wb")
    process = subprocess.Popen(command, env=env, cwd=PROJECT_ROOT, stdout=log, stderr=log)
    url = f"http://127.0.0.1:{port}"
    try:
        assert wait_healthy(url, deadline_s=60), f"the service did not start: see {log.name}"
        yield Service(url, process)
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()


@pytest.fixture(scope="session")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    """The service with the samples loaded, open (no API keys)."""
    folder = tmp_path_factory.mktemp("web-service")
    with _serve(folder, {}) as running:
        with httpx.Client(base_url=running.url, timeout=120) as client:
            for path in sorted(SAMPLES_DIR.glob("*.json")):
                if path.stem != FORM_SAMPLE:
                    response = client.post("/articles", json=sample(path.stem))
                    assert response.status_code == 201, (path.stem, response.text)
        yield running


@pytest.fixture(scope="session")
def keyed_service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    """The service with API keys (one that writes, one that reads) and two samples loaded."""
    folder = tmp_path_factory.mktemp("web-keyed")
    keys = [
        {"name": "desk", "key": WRITE_KEY, "scope": "write"},
        {"name": "reader", "key": READ_KEY, "scope": "read"},
    ]
    with _serve(folder, {"FACTDIFF_API_KEYS": json.dumps(keys)}) as running:
        running.headers = {"Authorization": f"Bearer {WRITE_KEY}"}
        with httpx.Client(base_url=running.url, timeout=120, headers=running.headers) as client:
            for stem in ("kenya-haiti-217", "kenya-haiti-270"):
                assert client.post("/articles", json=sample(stem)).status_code == 201
        yield running


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_type_launch_args, "executable_path": str(CHROMIUM), "args": CHROMIUM_ARGS}


# pytest-playwright keeps its driver for the whole session, and while it lives its greenlet
# runs an event loop in the main thread: the async tests and asyncio.run calls of any test
# collected after this package would fail ("asyncio.run() cannot be called from a running
# event loop"). These fixtures, and all that ask for the driver, end with the package.
@pytest.fixture(scope="package")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="package")
def browser_type(playwright: Playwright, browser_name: str) -> BrowserType:
    return getattr(playwright, browser_name)  # type: ignore[no-any-return]


@pytest.fixture(scope="package")
def browser(
    browser_type: BrowserType, browser_type_launch_args: dict[str, Any]
) -> Iterator[Browser]:
    launched = browser_type.launch(**browser_type_launch_args)
    yield launched
    launched.close()


@pytest.fixture(scope="package")
def browser_context_args(base_url: str | None) -> dict[str, Any]:
    viewport = {"viewport": {"width": 1280, "height": 900}}
    return {**viewport, "base_url": base_url} if base_url else viewport
