"""Benchmark GET /facts for the busiest entity over 1,000,000 stored synthetic claims.

    python -m bench.ledger_bench [--claims 1000000] [--reps 50] [--claims-version v2|v1]
        [--postgres-url URL [--postgres-only]]

Fills a database with the synthetic corpus (bench.generate_corpus, ~14 claims an article,
news_claims@v2's by default), assigns its claims to facts and summarises them as ``factdiff
facts backfill`` would, then times the whole request to ``factdiff serve`` over HTTP (reading
the fact rows and their shown sources, serialisation) on SQLite, and on PostgreSQL when a URL
is given (it creates and drops its own database there). Each phase of preparing the store
(load, assign, summarise, vacuum/analyze) is timed apart and shows its progress. Prints a table
and writes it to bench/results/ledger.md. Target: p95 under 200 ms.
"""

from __future__ import annotations

import argparse
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from rich.console import Console
from rich.progress import MofNCompleteColumn, Progress, TaskID, TimeElapsedColumn
from rich.table import Table
from sqlalchemy import Engine, create_engine, text
from sqlmodel import Session

from app.cli.samples import wait_healthy
from app.core.config import Settings
from app.services.fact_summaries import refresh_stale, stale_ids
from app.services.facts import assign_in, count_pending
from app.store.db import make_engine, migrate
from app.store.facts_lock import lock_facts
from bench.generate_corpus import CLAIMS_PER_ARTICLE, ClaimsVersion, populate

RESULTS = Path(__file__).parent / "results" / "ledger.md"
ASSIGN_BATCH = 20_000  # claims a transaction (`factdiff facts backfill --batch 20000`)


@contextmanager
def sqlite_engine(keep: Path | None = None) -> Iterator[Engine]:
    """A new SQLite file: in a temporary folder, or ``keep`` (replaced), which is kept."""
    with tempfile.TemporaryDirectory() as folder:
        path = keep or Path(folder) / "corpus.db"
        for stale in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
            stale.unlink(missing_ok=True)
        engine = make_engine(f"sqlite:///{path}")
        yield engine
        engine.dispose()


@contextmanager
def postgres_engine(
    url: str, prefix: str = "factdiff_bench", keep: bool = False
) -> Iterator[Engine]:
    """An empty database of its own on the server at ``url``, dropped after unless ``keep``."""
    admin_url = Settings(database_url=url, _env_file=None).database_url
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    engine = make_engine(admin_url.rsplit("/", 1)[0] + f"/{name}")
    try:
        yield engine
    finally:
        engine.dispose()
        if keep:
            print(f"kept: {engine.url.render_as_string(hide_password=False)}", flush=True)
        else:
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        admin.dispose()


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on, for a server started next."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class ServedClient(httpx.Client):
    """A client of a served factdiff that can read the server process's CPU time: on a
    machine shared with other work, wall time says as much about the neighbours."""

    def __init__(self, pid: int, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.pid = pid

    def cpu_ms(self) -> float:
        """The server's user and system CPU time so far (Linux /proc), in ms."""
        fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) * 1000 / os.sysconf("SC_CLK_TCK")


@contextmanager
def served(engine: Engine) -> Iterator[ServedClient]:
    """An HTTP client of ``factdiff serve`` (uvicorn, its own process) over ``engine``'s database.

    Requests go over a socket to the server users run, not through Starlette's TestClient,
    which starts a thread and an event loop for every request (some 3 ms that no deployment
    pays).
    """
    port = free_port()
    env = {**os.environ, "FACTDIFF_DATABASE_URL": engine.url.render_as_string(hide_password=False)}
    command = [sys.executable, "-m", "app.cli.main", "serve", "--port", str(port)]
    quiet = subprocess.DEVNULL
    server = subprocess.Popen(command, env=env, stdout=quiet, stderr=quiet)
    url = f"http://127.0.0.1:{port}"
    try:
        if not wait_healthy(url, deadline_s=60):
            raise RuntimeError(f"factdiff serve did not come up on {url}")
        with ServedClient(server.pid, base_url=url, timeout=60) as client:
            yield client
    finally:
        server.terminate()
        server.wait(timeout=30)


class LoggedProgress(Progress):
    """Rich's progress bars; where the output is no terminal (a log file), which they leave
    blank until they end, a line for a task at most every 30 s instead."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.printed: dict[TaskID, float] = {}

    def advance(self, task_id: TaskID, advance: float = 1) -> None:
        super().advance(task_id, advance)
        now = time.monotonic()
        if self.console.is_terminal or now - self.printed.get(task_id, 0.0) < 30:
            return
        self.printed[task_id] = now
        task = self._tasks[task_id]
        done = f"{task.completed:,.0f} of {task.total or 0:,.0f}"
        self.console.print(
            f"{task.description}: {done}, {task.elapsed or 0:.0f} s", highlight=False
        )


@dataclass
class Prepared:
    """The stored corpus, and the seconds each phase of preparing it took."""

    claims: int
    busiest: str
    seconds: dict[str, float] = field(default_factory=dict)

    def describe(self) -> str:
        return ", ".join(f"{phase} {s:.0f} s" for phase, s in self.seconds.items())


def prepare(
    engine: Engine, articles: int, claims_version: ClaimsVersion, progress: Progress
) -> Prepared:
    """The corpus stored, its facts assigned and summarised as ``factdiff facts backfill``
    does (a transaction a batch), and the store vacuumed and analysed, each phase timed."""
    migrate(engine)
    started = time.perf_counter()
    expected = round(articles * CLAIMS_PER_ARTICLE[claims_version])
    task = progress.add_task("loading claims", total=expected)
    claims, busiest = populate(
        engine, articles=articles, claims_version=claims_version,
        progress=lambda n: progress.advance(task, n),
    )  # fmt: skip
    progress.update(task, total=claims, completed=claims)
    prepared = Prepared(claims, busiest)
    prepared.seconds["load"] = (now := time.perf_counter()) - started
    with Session(engine) as session:
        task = progress.add_task("assigning claims to facts", total=count_pending(session))
    while True:
        with Session(engine) as session:
            lock_facts(session)
            done = assign_in(session, default_schema="news_claims", limit=ASSIGN_BATCH)
            session.commit()
        if not done:
            break
        progress.advance(task, done)
    prepared.seconds["assign"] = (started := time.perf_counter()) - now
    with Session(engine) as session:
        task = progress.add_task("summarising facts", total=len(stale_ids(session)))
    while step := refresh_stale(engine, batch=200, rounds=1):
        progress.advance(task, step)
    prepared.seconds["summarise"] = (now := time.perf_counter()) - started
    # Fresh statistics, as a store in use would have (and on PostgreSQL the vacuum autovacuum
    # would start after a bulk load, which would otherwise run during the timings).
    maintenance = "VACUUM ANALYZE" if engine.dialect.name == "postgresql" else "ANALYZE"
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text(maintenance))
    prepared.seconds["vacuum/analyze"] = time.perf_counter() - now
    return prepared


@dataclass
class Timings:
    ms: list[float]
    cpu_ms: float  # the server's CPU time a request, mean
    facts: int
    load: str  # the load averages when the timings ended


def measure(engine: Engine, entity: str, reps: int) -> Timings:
    with served(engine) as client:
        timings, cpu, facts = [], [], 0
        for _ in range(reps + 1):
            started = time.perf_counter()
            used = client.cpu_ms()
            response = client.get("/facts", params={"entity": entity, "limit": 1000})
            timings.append((time.perf_counter() - started) * 1000)
            cpu.append(client.cpu_ms() - used)
            response.raise_for_status()
            facts = response.json()["count"]
    # The first call warms caches. CPU time comes in the kernel's ticks (10 ms): a mean.
    return Timings(timings[1:], statistics.fmean(cpu[1:]), facts, load_average())


HEADER = ("database", "claims stored", "prepared (wall time)", "entity", "facts", "p50 ms",
          "p95 ms", "max ms", "server CPU ms", "load 1/5/15 min")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--claims", type=int, default=1_000_000)
    parser.add_argument("--reps", type=int, default=50)
    parser.add_argument("--claims-version", choices=["v1", "v2"], default="v2")
    parser.add_argument("--postgres-url", default=None)
    parser.add_argument("--postgres-only", action="store_true", help="skip SQLite")
    parser.add_argument("--keep-postgres", action="store_true", help="keep its database")
    parser.add_argument("--keep-sqlite", type=Path, help="build SQLite's store in this file, kept")
    parser.add_argument("--results", type=Path, default=RESULTS)
    args = parser.parse_args()
    articles = round(args.claims / CLAIMS_PER_ARTICLE[args.claims_version])
    backends = [] if args.postgres_only else [("SQLite", sqlite_engine(args.keep_sqlite))]
    if args.postgres_url:
        backends.append(("PostgreSQL", postgres_engine(args.postgres_url, keep=args.keep_postgres)))
    console = Console(width=max(Console().width, 160))
    title = f"GET /facts?entity=<busiest> over {articles:,} articles, {args.claims_version} claims"
    table = Table(title=title)
    for column in HEADER:
        table.add_column(column)
    lines = ["| " + " | ".join(HEADER) + " |", "|---|---:|---|---|---:|---:|---:|---:|---:|---|"]
    for name, backend in backends:
        columns = (*Progress.get_default_columns(), MofNCompleteColumn(), TimeElapsedColumn())
        with backend as engine:
            with LoggedProgress(*columns, console=console) as progress:
                prepared = prepare(engine, articles, args.claims_version, progress)
            console.print(f"{name}: {prepared.claims:,} claims; {prepared.describe()}")
            console.print(f"{name}: timing {args.reps} requests for {prepared.busiest}")
            t = measure(engine, prepared.busiest, args.reps)
        p95 = statistics.quantiles(t.ms, n=20, method="inclusive")[-1] if len(t.ms) > 1 else t.ms[0]
        row = [name, f"{prepared.claims:,}", prepared.describe(), prepared.busiest, str(t.facts),
               f"{statistics.median(t.ms):.1f}", f"{p95:.1f}", f"{max(t.ms):.1f}",
               f"{t.cpu_ms:.0f}", t.load]  # fmt: skip
        table.add_row(*row)
        lines.append("| " + " | ".join(row) + " |")
        print(lines[-1], flush=True)  # each backend's row as soon as it is measured
    console.print(table)
    args.results.parent.mkdir(exist_ok=True)
    command = (
        f"python -m bench.ledger_bench --claims {args.claims} --reps {args.reps} "
        f"--claims-version {args.claims_version}"
    )
    if args.postgres_url:
        command += " --postgres-url URL" + (" --postgres-only" if args.postgres_only else "")
    args.results.write_text(
        f"# Fact ledger benchmark\n\n`{command}` on Python {platform.python_version()}, "
        f"{platform.machine()}, 2 cores shared with other work (load: the load averages when "
        "the timings ended; server CPU: the server process's CPU time a request, a mean).\n\n"
        + "\n".join(lines)
        + "\n\nTarget: p95 under 200 ms.\n"
    )


def load_average() -> str:
    """The machine's load averages: the benchmark shares 2 cores with other work."""
    return " / ".join(f"{load:.2f}" for load in os.getloadavg())


if __name__ == "__main__":
    main()
