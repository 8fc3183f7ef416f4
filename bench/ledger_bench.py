"""Benchmark GET /facts for the busiest entity over 1,000,000 stored synthetic claims.

    python -m bench.ledger_bench [--claims 1000000] [--reps 50] [--postgres-url URL]

Fills a database with the synthetic corpus (bench.generate_corpus, ~14 claims an article),
assigns its claims to facts and summarises them as ``factdiff facts backfill`` would (timed
apart), then times the whole request to ``factdiff serve`` over HTTP (reading the fact rows
and their shown sources, serialisation) on SQLite, and on PostgreSQL when a URL is given (it
creates and drops its own database there). Prints a table and writes it to
bench/results/ledger.md. Target: p95 under 200 ms.
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
from pathlib import Path
from typing import Any

import httpx
from rich.console import Console
from rich.table import Table
from sqlalchemy import Engine, create_engine, text
from sqlmodel import Session

from app.cli.samples import wait_healthy
from app.core.config import Settings
from app.services.fact_summaries import refresh_stale
from app.services.facts import assign_in, lock_facts
from app.store.db import make_engine, migrate
from bench.generate_corpus import populate

RESULTS = Path(__file__).parent / "results" / "ledger.md"


@contextmanager
def sqlite_engine() -> Iterator[Engine]:
    with tempfile.TemporaryDirectory() as folder:
        engine = make_engine(f"sqlite:///{folder}/corpus.db")
        yield engine
        engine.dispose()


@contextmanager
def postgres_engine(url: str, prefix: str = "factdiff_bench") -> Iterator[Engine]:
    """An empty database of its own on the server at ``url``, dropped after."""
    admin_url = Settings(database_url=url, _env_file=None).database_url  # type: ignore[call-arg]
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    engine = make_engine(admin_url.rsplit("/", 1)[0] + f"/{name}")
    try:
        yield engine
    finally:
        engine.dispose()
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


CLAIMS_PER_ARTICLE = 14.1  # what bench.diff_bench.corpus yields on average


def prepare(engine: Engine, articles: int) -> tuple[int, str, float, float]:
    """The corpus stored, its facts assigned and summarised; returns the claims, the busiest
    entity, and the seconds assigning and summarising took."""
    migrate(engine)
    claims, busiest = populate(engine, articles=articles)
    started = time.perf_counter()
    while True:  # in batches, as `factdiff facts backfill` does
        with Session(engine) as session:
            lock_facts(session)
            done = assign_in(session, default_schema="news_claims", limit=20_000)
            session.commit()
        if not done:
            break
    assigned = time.perf_counter()
    refresh_stale(engine, batch=200)
    summarised = time.perf_counter()
    # Fresh statistics, as a store in use would have (and on PostgreSQL the vacuum autovacuum
    # would start after a bulk load, which would otherwise run during the timings).
    maintenance = "VACUUM ANALYZE" if engine.dialect.name == "postgresql" else "ANALYZE"
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text(maintenance))
    return claims, busiest, assigned - started, summarised - assigned


def measure(engine: Engine, articles: int, reps: int) -> tuple[list[float], int, int, str, str]:
    claims, busiest, assign_s, summarise_s = prepare(engine, articles)
    prepared = f"assigned in {assign_s:.0f} s, summarised in {summarise_s:.0f} s"
    print(f"{engine.dialect.name}: {claims:,} claims, {prepared}", flush=True)
    with served(engine) as client:
        timings, cpu, facts = [], [], 0
        for _ in range(reps + 1):
            started = time.perf_counter()
            used = client.cpu_ms()
            response = client.get("/facts", params={"entity": busiest, "limit": 1000})
            timings.append((time.perf_counter() - started) * 1000)
            cpu.append(client.cpu_ms() - used)
            response.raise_for_status()
            facts = response.json()["count"]
    # The first call warms caches. CPU time comes in the kernel's ticks (10 ms): a mean.
    prepared += f"; server CPU {statistics.fmean(cpu[1:]):.0f} ms a request"
    return timings[1:], claims, facts, busiest, prepared


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--claims", type=int, default=1_000_000)
    parser.add_argument("--reps", type=int, default=50)
    parser.add_argument("--postgres-url", default=None)
    parser.add_argument("--postgres-only", action="store_true", help="skip SQLite")
    parser.add_argument("--results", type=Path, default=RESULTS)
    args = parser.parse_args()
    articles = round(args.claims / CLAIMS_PER_ARTICLE)
    backends = [] if args.postgres_only else [("SQLite", sqlite_engine())]
    if args.postgres_url:
        backends.append(("PostgreSQL", postgres_engine(args.postgres_url)))
    table = Table(title=f"GET /facts?entity=<busiest> over {articles:,} articles")
    header = ("database", "claims stored", "facts prepared", "entity", "facts", "p50 ms",
              "p95 ms", "max ms", "load (uptime)")  # fmt: skip
    for column in header:
        table.add_column(column)
    lines = ["| " + " | ".join(header) + " |", "|---|---:|---|---|---:|---:|---:|---:|---|"]
    for name, backend in backends:
        with backend as engine:
            ms, claims, facts, entity, prepared = measure(engine, articles, args.reps)
        p95 = statistics.quantiles(ms, n=20, method="inclusive")[-1] if len(ms) > 1 else ms[0]
        row = [name, f"{claims:,}", prepared, entity, str(facts), f"{statistics.median(ms):.1f}",
               f"{p95:.1f}", f"{max(ms):.1f}", load_average()]  # fmt: skip
        table.add_row(*row)
        lines.append("| " + " | ".join(row) + " |")
        print(lines[-1], flush=True)  # each backend's row as soon as it is measured
    Console().print(table)
    RESULTS.parent.mkdir(exist_ok=True)
    command = f"python -m bench.ledger_bench --claims {args.claims} --reps {args.reps}"
    if args.postgres_url:
        command += " --postgres-url URL" + (" --postgres-only" if args.postgres_only else "")
    args.results.write_text(
        f"# Fact ledger benchmark\n\n`{command}` on Python {platform.python_version()}, "
        f"{platform.machine()}, 2 cores shared with other work (load: the 1-minute load "
        "average when the timings ended).\n\n"
        + "\n".join(lines)
        + "\n\nTarget: p95 under 200 ms.\n"
    )


def load_average() -> str:
    """The machine's 1-minute load average: the benchmark shares 2 cores with other work."""
    return f"{os.getloadavg()[0]:.2f}"


if __name__ == "__main__":
    main()
