"""Batch ingestion benchmarks against the simulated LLM, each beside a naive baseline.

    python -m bench.ingest_bench [--only overhead,latency,ratelimit] [--quick]

The service's side is what a deployment runs: the runs queued in SQLite, then drained by
``factdiff worker`` processes, timed from the moment the whole queue is handed to them. The
simulated LLM runs as its own process, so "CPU ms/article" is factdiff's (the workers' own);
"LLM CPU ms/call" is the simulated LLM's, which stands for a remote model but here takes its
CPU from the same cores as the workers. It answers each request as it arrives: nothing is
computed before the clock starts.

Scenarios:
  overhead   zero-latency LLM, SQLite, ~20-claim articles: articles/s and CPU ms per article,
             two worker processes (one per core) over aiohttp (target >= 200 articles/s on
             2 cores)
  latency    1.5 s per LLM call, at most 64 calls in flight: throughput vs the 64/1.5 bound
             (target >= 90% of it)
  ratelimit  an LLM enforcing 600 requests/min, factdiff limiting itself to the same:
             no failed article, throughput vs 10 articles/s (target >= 90%)
The baseline is what one would write first: a sequential loop of instructor calls plus
inserts, with the same client, grounding and storage. Results are ratios against it.
Prints a table and writes it to bench/results/ingest.md.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TypedDict, Unpack

import httpx
from rich.console import Console
from rich.table import Table
from sqlalchemy import Engine, func, update
from sqlmodel import Session, col, select

from app.api.models import ArticleCreate
from app.core.config import Settings
from app.extract.pipeline import extract_claims
from app.extract.prompting import ArticleInput
from app.jobs import run_results
from app.llm.client import build_client, close_client
from app.services.facts import count_pending
from app.store import crud
from app.store.db import make_engine, migrate
from app.store.models import ExtractionRun, RunStatus
from bench.ledger_bench import free_port
from schemas import get_schema

RESULTS = Path(__file__).parent / "results" / "ingest.md"
UNITS = ["officers", "troops", "people", "countries", "vehicles", "families", "schools"]


def synthetic_article(n: int, claims: int = 20) -> str:
    """An article of `claims` sentences, each with one figure the simulated LLM extracts."""
    sentences = [
        f"Agency {n % 50} reported that {100 + (n * 7 + i * 13) % 9000:,} "
        f"{UNITS[i % len(UNITS)]} were counted in district {i} on Saturday."
        for i in range(claims)
    ]
    return "\n\n".join(" ".join(sentences[i : i + 4]) for i in range(0, claims, 4))


@dataclass
class Outcome:
    articles: int
    succeeded: int
    seconds: float
    cpu_s: float
    llm_calls: int

    @property
    def rate(self) -> float:
        return self.succeeded / self.seconds

    @property
    def cpu_ms(self) -> float:
        return 1000 * self.cpu_s / max(self.articles, 1)


@contextmanager
def simulated_llm(*args: str) -> Iterator[tuple[str, int]]:
    """The simulated LLM as its own process: its /v1 URL and its pid (for its CPU)."""
    port = free_port()
    command = [sys.executable, "-m", "bench.simulated_llm", "--port", str(port)]
    process = subprocess.Popen([*command, "--log-level", "warning", *args])
    url = f"http://127.0.0.1:{port}/v1"
    try:
        for _ in range(300):
            try:
                httpx.get(f"{url}/models", timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.05)
        yield url, process.pid
    finally:
        process.terminate()
        process.wait(timeout=10)


class SettingsChanges(TypedDict, total=False):
    """What a scenario sets on top of the bench's own settings (names as in Settings)."""

    worker_concurrency: int
    llm_http_client: str
    llm_max_in_flight: int
    llm_rpm: int


def settings_for(url: str, database: Path, **changes: Unpack[SettingsChanges]) -> Settings:
    return Settings(
        llm_mode="live", llm_base_url=url, llm_api_key="sk-sim",
        database_url=f"sqlite:///{database}", _env_file=None, **changes,
    )  # fmt: skip


def fresh_engine(folder: Path, name: str, settings: Settings) -> Engine:
    slots = settings.worker_concurrency
    engine = make_engine(
        f"sqlite:///{folder / name}.db", pool_size=max(5, slots // 2), max_overflow=slots + 10
    )
    migrate(engine)
    return engine


def enqueue(engine: Engine, settings: Settings, texts: list[str]) -> list[int]:
    with Session(engine, expire_on_commit=False) as session:
        ids = []
        for text in texts:
            article = crud.get_or_create_article(
                session=session, article_in=ArticleCreate(text=text)
            )
            run, _ = crud.get_or_create_run(
                session=session,
                article=article,
                schema=get_schema("news_claims"),
                settings=settings,
            )
            assert run.id is not None
            ids.append(run.id)
        return ids


def tally(engine: Engine) -> tuple[int, int, int]:
    """Runs succeeded, runs failed, LLM calls made."""
    with Session(engine) as session:
        by_status = dict(
            session.exec(
                select(col(ExtractionRun.status), func.count()).group_by(col(ExtractionRun.status))
            ).all()
        )
        calls = session.exec(select(func.sum(ExtractionRun.llm_calls))).one() or 0
        return by_status.get(RunStatus.succeeded, 0), by_status.get(RunStatus.failed, 0), calls


@contextmanager
def worker_processes(settings: Settings, database: Path, processes: int) -> Iterator[list[int]]:
    """``factdiff worker`` processes on the database, each up and idle; yields their pids."""
    env = {
        **os.environ,
        "FACTDIFF_DATABASE_URL": f"sqlite:///{database}",
        "FACTDIFF_LLM_MODE": "live",
        "FACTDIFF_LLM_BASE_URL": settings.llm_base_url or "",
        "FACTDIFF_LLM_API_KEY": "sk-sim",
        "FACTDIFF_LLM_HTTP_CLIENT": settings.llm_http_client.value,
        "FACTDIFF_WORKER_CONCURRENCY": str(settings.worker_concurrency),
        "FACTDIFF_LLM_MAX_IN_FLIGHT": str(settings.llm_max_in_flight),
        "FACTDIFF_LLM_RPM": str(settings.llm_rpm),
        "FACTDIFF_WORKER_POLL_S": "0.05",
    }
    command = [sys.executable, "-m", "app.cli.main", "worker"]
    workers = [
        subprocess.Popen(
            command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
        )
        for _ in range(processes)
    ]
    try:
        for worker in workers:
            assert worker.stderr is not None
            # The pool logs its slots once it is about to poll the queue.
            for line in worker.stderr:
                if "worker pool" in line:
                    break
            else:
                raise RuntimeError("a worker process exited before it started")
            threading.Thread(target=worker.stderr.read, daemon=True).start()  # keep draining
        yield [w.pid for w in workers]
    finally:
        for worker in workers:
            worker.send_signal(signal.SIGTERM)
        for worker in workers:
            worker.wait(timeout=30)


def cpu_seconds(pids: list[int]) -> float:
    """User plus system CPU of these live processes, all their threads (Linux /proc)."""
    total = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


HELD = "bench-hold"


def unassigned(engine: Engine) -> int:
    with Session(engine) as session:
        return count_pending(session)


def hold(engine: Engine) -> None:
    """Park every queued run under a lease no worker will sweep, until release()."""
    parked = dict(status=RunStatus.running, lease_owner=HELD, lease_expires_at=datetime(9999, 1, 1))
    with engine.begin() as connection:
        connection.execute(
            update(ExtractionRun)
            .where(col(ExtractionRun.status) == RunStatus.queued)
            .values(**parked)
        )


def release(engine: Engine) -> None:
    with engine.begin() as connection:
        connection.execute(
            update(ExtractionRun)
            .where(col(ExtractionRun.lease_owner) == HELD)
            .values(status=RunStatus.queued, lease_owner=None, lease_expires_at=None)
        )


def run_service(
    engine: Engine, database: Path, settings: Settings, texts: list[str], processes: int
) -> Outcome:
    """The service's path: the runs queued first, then drained by ``factdiff worker``
    processes, timed from the moment the whole queue is handed to them."""
    enqueue(engine, settings, texts)
    hold(engine)
    with worker_processes(settings, database, processes) as pids:
        cpu = cpu_seconds(pids)
        started = time.perf_counter()
        release(engine)
        # Done when every run is stored and, with facts assigned in the workers, every
        # claim has its fact: a pass still scoring is part of the ingest.
        while sum(tally(engine)[:2]) < len(texts) or (
            settings.facts_in_workers and unassigned(engine)
        ):
            time.sleep(0.02)
        seconds, cpu_s = time.perf_counter() - started, cpu_seconds(pids) - cpu
    done, _, calls = tally(engine)
    return Outcome(len(texts), done, seconds, cpu_s, calls)


async def run_naive(engine: Engine, settings: Settings, texts: list[str]) -> Outcome:
    """A sequential loop: one instructor call (with grounding) and its inserts at a time."""
    client, schema = build_client(settings), get_schema("news_claims")
    started, cpu = time.perf_counter(), time.process_time()
    with Session(engine, expire_on_commit=False) as session:
        for text in texts:
            article = crud.get_or_create_article(
                session=session, article_in=ArticleCreate(text=text)
            )
            run, _ = crud.get_or_create_run(
                session=session, article=article, schema=schema, settings=settings
            )
            try:
                result = await extract_claims(client, ArticleInput(text), schema, settings)
                run_results.complete_run(engine=engine, run=run, article=article, result=result)
            except Exception as exc:  # the baseline counts failures, it does not stop
                run_results.fail_run(engine=engine, run=run, reason="error", message=str(exc))
    seconds, cpu_s = time.perf_counter() - started, time.process_time() - cpu
    await close_client(client)
    done, _, calls = tally(engine)
    return Outcome(len(texts), done, seconds, cpu_s, calls)


@dataclass
class Scenario:
    name: str
    sim_args: list[str]
    settings: SettingsChanges
    articles: int
    baseline_articles: int
    bound: float | None  # articles/s the setting allows at best
    target: str
    processes: int = 1  # factdiff worker processes, each with settings["worker_concurrency"]


def scenarios(quick: bool) -> list[Scenario]:
    scale = 4 if quick else 1
    return [
        # One worker process per core, over aiohttp (FACTDIFF_LLM_HTTP_CLIENT): what a
        # deployment after throughput would run.
        Scenario("overhead", [], {"worker_concurrency": 32, "llm_http_client": "aiohttp"},
                 2000 // scale, 200 // scale, None, ">= 200 articles/s", processes=2),
        # 64 LLM calls in flight at most; 96 runs held, so that a run whose answer is being
        # parsed and stored never leaves one of the 64 idle.
        Scenario("latency", ["--latency-ms", "1500"],
                 {"worker_concurrency": 96, "llm_max_in_flight": 64},
                 1280 // scale, 6, 64 / 1.5, ">= 90% of 64/1.5 = 42.7/s"),
        Scenario("ratelimit", ["--rpm", "600"], {"worker_concurrency": 32, "llm_rpm": 600},
                 300 // scale, 40, 600 / 60, "no failure, >= 90% of 10/s"),
    ]  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--only", default="overhead,latency,ratelimit")
    parser.add_argument("--quick", action="store_true", help="a quarter of the articles")
    args = parser.parse_args()
    wanted = set(args.only.split(","))
    table = Table(title="factdiff batch ingestion vs a naive sequential loop")
    header = ["scenario", "workers", "articles", "ok", "articles/s", "CPU ms/article",
              "LLM calls", "LLM CPU ms/call", "peak in flight", "naive articles/s", "speed-up",
              "of bound", "target"]  # fmt: skip
    for column in header:
        table.add_column(column)
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        for sc in (s for s in scenarios(args.quick) if s.name in wanted):
            with simulated_llm(*sc.sim_args) as (url, llm_pid):
                settings = settings_for(url, Path(folder) / "x.db", **sc.settings)
                texts = [synthetic_article(n) for n in range(sc.articles)]
                database = Path(folder) / f"{sc.name}.db"
                llm_cpu = cpu_seconds([llm_pid])
                service = run_service(
                    fresh_engine(Path(folder), sc.name, settings), database, settings, texts,
                    sc.processes,
                )  # fmt: skip
                llm_cpu = cpu_seconds([llm_pid]) - llm_cpu
                # The simulated LLM's own count of calls, and of concurrent calls, during the
                # service's run; its CPU a call, on the same cores as the workers.
                stats = httpx.get(url.removesuffix("/v1") + "/stats").json()
                peak = stats["max_in_flight"]
                llm_ms = f"{1000 * llm_cpu / max(stats['requests'], 1):.2f}"
                base_texts = [synthetic_article(10**6 + n) for n in range(sc.baseline_articles)]
                naive = asyncio.run(
                    run_naive(
                        fresh_engine(Path(folder), sc.name + "-naive", settings),
                        settings,
                        base_texts,
                    )
                )
            of_bound = f"{100 * service.rate / sc.bound:.0f}%" if sc.bound else "-"
            workers = f"{sc.processes} x {settings.worker_concurrency}"
            row = [sc.name, workers, str(service.articles), str(service.succeeded),
                   f"{service.rate:.1f}", f"{service.cpu_ms:.1f}", str(service.llm_calls), llm_ms,
                   str(peak), f"{naive.rate:.1f}", f"{service.rate / naive.rate:.1f}x", of_bound,
                   sc.target]  # fmt: skip
            table.add_row(*row)
            rows.append(row)
    Console().print(table)
    RESULTS.parent.mkdir(exist_ok=True)
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    command = "python -m bench.ingest_bench" + (" --quick" if args.quick else "")
    RESULTS.write_text(
        f"# Batch ingestion benchmark\n\n`{command}` on Python {platform.python_version()}, "
        f"{platform.machine()}, 2 cores.\n\n" + "\n".join(lines) + "\n"
    )


if __name__ == "__main__":
    main()
