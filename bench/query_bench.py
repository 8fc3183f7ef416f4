"""Query scale: filtered GET /claims and GET /diff over 1,000,000 stored claims.

    python -m bench.query_bench [--claims 1000000] [--reps 200] [--postgres-url URL]

Fills a database with synthetic articles (bench.generate_corpus: ~14 claims each), then
times requests to ``factdiff serve`` over HTTP: each filter of GET /claims (a page of 50)
and an article diff. Targets: p95 under 20 ms for the claims query and 50 ms for the diff,
on SQLite and on PostgreSQL. Prints a table and writes it to bench/results/query.md.
"""

from __future__ import annotations

import argparse
import platform
import random
import statistics
import time
from collections.abc import Callable

from rich.console import Console
from rich.table import Table
from sqlalchemy import Engine, text

from app.store.db import migrate
from bench.generate_corpus import populate
from bench.ledger_bench import RESULTS, postgres_engine, served, sqlite_engine

RESULTS_FILE = RESULTS.parent / "query.md"
CLAIMS_PER_ARTICLE = 14.1  # what bench.diff_bench.corpus yields on average


def p95(ms: list[float]) -> float:
    ordered = sorted(ms)
    return ordered[max(0, round(0.95 * len(ordered)) - 1)]


def requests(articles: int, rng: random.Random) -> dict[str, Callable[[], str]]:
    def article() -> int:
        return rng.randrange(1, articles + 1)

    return {
        "claims?entity=&claim_type=": lambda: (
            f"/claims?entity=Org {rng.randrange(300)}&claim_type=quantity&limit=50"
        ),
        "claims?article_id=": lambda: f"/claims?article_id={article()}&limit=50",
        "claims?outlet=": lambda: f"/claims?outlet=Outlet {rng.randrange(97)}&limit=50",
        "claims?date_from=&date_to=": lambda: (
            "/claims?date_from=2024-06-01&date_to=2024-06-30&limit=50"
        ),
        "claims?q= (substring)": lambda: f"/claims?q=Org {rng.randrange(300)} deployed&limit=50",
        "diff?left=article&right=article": lambda: (
            f"/diff?left=article:{article()}&right=article:{article()}"
        ),
    }


def measure(engine: Engine, claims: int, reps: int) -> list[list[str]]:
    migrate(engine)
    articles = round(claims / CLAIMS_PER_ARTICLE)
    started = time.perf_counter()
    # v1's corpus: the requests name its entities ("Org 12") and words ("deployed").
    stored, _ = populate(engine, articles=articles, claims_version="v1")
    # Fresh statistics, as a store in use would have; on PostgreSQL also the vacuum that
    # autovacuum starts after a bulk load, which would otherwise run during the timings.
    maintenance = "VACUUM ANALYZE" if engine.dialect.name == "postgresql" else "ANALYZE"
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text(maintenance))
    load_s = time.perf_counter() - started
    rows = []
    with served(engine) as client:
        rng = random.Random(11)
        for name, make in requests(articles, rng).items():
            client.get(make())  # warm caches
            ms = []
            for _ in range(reps):
                url = make()
                t = time.perf_counter()
                response = client.get(url)
                ms.append((time.perf_counter() - t) * 1000)
                assert response.status_code == 200, (url, response.text)
            target = "50" if name.startswith("diff") else "20"
            rows.append([name, f"{statistics.median(ms):.1f}", f"{p95(ms):.1f}", target])
    rows.insert(0, [f"({stored:,} claims loaded in {load_s:.0f} s)", "", "", ""])
    return rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--claims", type=int, default=1_000_000)
    parser.add_argument("--reps", type=int, default=200)
    parser.add_argument("--postgres-url", default=None)
    args = parser.parse_args()
    backends = [("SQLite", sqlite_engine())]
    if args.postgres_url:
        backends.append(("PostgreSQL", postgres_engine(args.postgres_url)))
    header = ["database", "request", "p50 ms", "p95 ms", "target p95 ms"]
    table = Table(title=f"Queries over {args.claims:,} stored claims")
    for column in header:
        table.add_column(column)
    lines = ["| " + " | ".join(header) + " |", "|---|---|---:|---:|---:|"]
    for name, backend in backends:
        with backend as engine:
            for row in measure(engine, args.claims, args.reps):
                table.add_row(name, *row)
                lines.append("| " + " | ".join([name, *row]) + " |")
    Console().print(table)
    command = f"python -m bench.query_bench --claims {args.claims} --reps {args.reps}"
    if args.postgres_url:
        command += " --postgres-url URL"
    RESULTS_FILE.write_text(
        f"# Query benchmark\n\n`{command}` on Python {platform.python_version()}, "
        f"{platform.machine()}, 2 cores.\n\n" + "\n".join(lines) + "\n"
    )


if __name__ == "__main__":
    main()
