"""kill -9 the service mid-batch, restart it: every run ends once, no claim is stored twice."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlmodel import Session, select

from app.core.config import PROJECT_ROOT
from app.store.db import make_engine
from app.store.models import Claim, ExtractionRun
from bench.simulated_llm import SimConfig, running

ARTICLES = 24


def article(n: int) -> dict[str, str]:
    return {
        "text": (
            f"Country {n} deployed {200 + n} police officers to the capital on Saturday. "
            f"Officials said {n + 3} countries had pledged over {1000 + n:,} troops."
        ),
        "outlet": f"Outlet {n % 3}",
        "published_at": "2025-01-18T12:00:00Z",
    }


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class Service:
    """factdiff as a real process on SQLite, talking to the simulated LLM."""

    def __init__(self, database: Path, llm_url: str, log: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log
        self.env = {
            **os.environ,
            "FACTDIFF_DATABASE_URL": f"sqlite:///{database}",
            "FACTDIFF_LLM_BASE_URL": llm_url,
            "FACTDIFF_LLM_API_KEY": "sk-sim",
            "FACTDIFF_WORKER_CONCURRENCY": "4",
            "FACTDIFF_JOB_LEASE_S": "5",
            "FACTDIFF_WORKER_POLL_S": "0.1",
        }
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        command = [sys.executable, "-m", "uvicorn", "app.main:app", "--port", str(self.port)]
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                command, cwd=PROJECT_ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT
            )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.1)
        raise AssertionError(f"service did not start: {self.log.read_text()[-2000:]}")

    def kill_9(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=15)


@pytest.fixture
def llm_url() -> Iterator[str]:
    # Slow enough that a batch is still in flight when the service is killed, even on a busy
    # machine where posting the 24 articles takes seconds (at 400 ms the batch could finish first).
    with running(SimConfig(latency_ms=1500, latency_jitter_ms=200, seed=3)) as url:
        yield url


def run_states(service: Service, run_ids: list[int]) -> Counter[str]:
    states = Counter[str]()
    for run_id in run_ids:
        states[httpx.get(f"{service.url}/runs/{run_id}", timeout=5).json()["status"]] += 1
    return states


def stored_states(database: Path) -> Counter[str]:
    engine = make_engine(f"sqlite:///{database}")
    try:
        with Session(engine) as session:
            return Counter(session.exec(select(ExtractionRun.status)).all())
    finally:
        engine.dispose()


def test_kill_9_mid_batch_then_restart(tmp_path: Path, llm_url: str) -> None:
    database = tmp_path / "factdiff.db"
    service = Service(database, llm_url, tmp_path / "service.log")
    service.start()
    try:
        run_ids = []
        for n in range(ARTICLES):
            response = httpx.post(
                f"{service.url}/articles", params={"wait": "false"}, json=article(n), timeout=10
            )
            assert response.status_code == 202, response.text
            run_ids.append(response.json()["run"]["id"])
        deadline = time.monotonic() + 30
        # Read from the database in one query, not a request per run: those took as long as
        # the rest of the batch needed to finish.
        while (done := stored_states(database)["succeeded"]) < 3:
            assert time.monotonic() < deadline, "no run finished before the kill"
            time.sleep(0.1)
        service.kill_9()
        assert done < ARTICLES, "the whole batch finished before the kill"

        service.start()  # same database: the orphaned runs are queued again at start-up
        deadline = time.monotonic() + 90
        while (states := run_states(service, run_ids))["succeeded"] < ARTICLES:
            assert time.monotonic() < deadline, f"runs stuck after restart: {states}"
            time.sleep(0.2)
    finally:
        service.stop()

    engine = make_engine(f"sqlite:///{database}")
    with Session(engine) as session:
        runs = session.exec(select(ExtractionRun)).all()
        claims = session.exec(select(Claim)).all()
    assert len(runs) == ARTICLES and {r.status for r in runs} == {"succeeded"}
    per_run = Counter(c.run_id for c in claims)
    assert all(per_run[r.id] == r.claims_count > 0 for r in runs)
    spans = Counter((c.run_id, c.char_start, c.char_end, c.statement) for c in claims)
    assert max(spans.values()) == 1, "a claim was stored twice"
    assert any(r.attempts == 2 for r in runs), "no run was interrupted and taken up again"
