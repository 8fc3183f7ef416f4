"""Benchmark GET /facts for one entity over 10,000 stored synthetic articles.

    python -m bench.ledger_bench [--articles 10000] [--reps 10] [--postgres-url URL]

Times the whole request through the app (SQL query, alias normalisation, clustering,
serialisation) on SQLite, and on PostgreSQL when a URL is given (it creates and drops its
own database there). Prints a table and writes it to bench/results/ledger.md.
Target: under 1 s for one entity.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from fastapi.testclient import TestClient
from rich.console import Console
from rich.table import Table
from sqlalchemy import Engine, create_engine, text

from app import db
from app.config import Settings
from app.db import make_engine, migrate
from app.main import app
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


@contextmanager
def serving(engine: Engine) -> Iterator[TestClient]:
    """A client of the app answering from ``engine``, as it runs in production.

    Not through app.dependency_overrides: while any override is set, FastAPI re-inspects
    every dependency of a route on every request, about 2 ms a request that production
    never pays.
    """
    original = db.get_engine
    db.get_engine = lambda: engine  # type: ignore[assignment]
    try:
        yield TestClient(app)
    finally:
        db.get_engine = original


def measure(engine: Engine, articles: int, reps: int) -> tuple[list[float], int, int, str]:
    migrate(engine)
    claims, busiest = populate(engine, articles=articles)
    with serving(engine) as client:
        timings, facts = [], 0
        for _ in range(reps + 1):
            started = time.perf_counter()
            response = client.get("/facts", params={"entity": busiest, "limit": 1000})
            timings.append((time.perf_counter() - started) * 1000)
            response.raise_for_status()
            facts = response.json()["count"]
    return timings[1:], claims, facts, busiest  # the first call warms caches


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--reps", type=int, default=10)
    parser.add_argument("--postgres-url", default=None)
    args = parser.parse_args()
    backends = [("SQLite", sqlite_engine())]
    if args.postgres_url:
        backends.append(("PostgreSQL", postgres_engine(args.postgres_url)))
    table = Table(title=f"GET /facts?entity=<busiest> over {args.articles:,} articles")
    for column in ("database", "claims stored", "entity", "facts", "p50 ms", "p95 ms", "max ms"):
        table.add_column(column)
    lines = ["| database | claims stored | entity | facts | p50 ms | p95 ms | max ms |",
             "|---|---:|---|---:|---:|---:|---:|"]  # fmt: skip
    for name, backend in backends:
        with backend as engine:
            ms, claims, facts, entity = measure(engine, args.articles, args.reps)
        p95 = statistics.quantiles(ms, n=20, method="inclusive")[-1] if len(ms) > 1 else ms[0]
        row = [name, f"{claims:,}", entity, str(facts), f"{statistics.median(ms):.0f}",
               f"{p95:.0f}", f"{max(ms):.0f}"]  # fmt: skip
        table.add_row(*row)
        lines.append("| " + " | ".join(row) + " |")
    Console().print(table)
    RESULTS.parent.mkdir(exist_ok=True)
    command = f"python -m bench.ledger_bench --articles {args.articles} --reps {args.reps}"
    RESULTS.write_text(
        f"# Fact ledger benchmark\n\n`{command}` on Python {platform.python_version()}, "
        f"{platform.machine()}.\n\n" + "\n".join(lines) + "\n\nTarget: under 1 s for one entity.\n"
    )


if __name__ == "__main__":
    main()
