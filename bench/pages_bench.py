"""Benchmark the pages' server-side render, timed over HTTP against ``factdiff serve``.

    python -m bench.pages_bench [--articles 10000] [--reps 50] [--ledger-reps 10]
        [--claims-version v1|v2]

1. The article page of a 50-claim article, and the diff page of two such articles (claims
   from bench.diff_bench.diff_sets: 10 subjects, 30 facts in common, some figures in
   conflict), in a database holding those two articles. Targets: p95 50 ms and 100 ms.
2. The fact ledger page of the busiest entity of the --articles synthetic corpus of
   bench.generate_corpus (the corpus bench.ledger_bench times GET /facts on; v1's claims
   unless --claims-version v2, as its published figures were measured). Target 300 ms.
   GET /facts for the same entity is timed alongside: the page reads the same stored
   summaries, so the difference is what rendering it costs.

Prints a table and writes it to bench/results/pages.md. A benchmark, not a timed test.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import time
from collections.abc import Callable

import httpx
from rich.console import Console
from rich.table import Table
from sqlalchemy import Engine, insert
from sqlmodel import Session

from app.diff.types import DiffClaim
from app.services.fact_summaries import refresh_stale
from app.services.facts import assign_pending
from app.store.db import migrate
from app.store.entities import entity_key
from app.store.models import Article, Claim, Entity, ExtractionRun, RunStatus, utcnow
from bench.diff_bench import diff_sets
from bench.generate_corpus import populate
from bench.ledger_bench import served, sqlite_engine

RESULTS = "bench/results/pages.md"
CLAIMS_PER_ARTICLE = 50


def store_article(session: Session, article_id: int, claims: list[DiffClaim]) -> None:
    """An article whose text is its claims' statements, each claim quoting its own sentence."""
    now, parts, rows, offset = utcnow(), [], [], 0
    for c in claims:
        rows.append((c, offset, offset + len(c.statement)))
        parts.append(c.statement)
        offset += len(c.statement) + 1
    session.execute(
        insert(Article),
        [{"id": article_id, "content_hash": f"pages-bench-{article_id}", "text": " ".join(parts),
          "title": f"Fifty claims, article {article_id}", "outlet": f"Outlet {article_id}",
          "published_at": now, "created_at": now}],
    )  # fmt: skip
    session.execute(
        insert(ExtractionRun),
        [{"id": article_id, "article_id": article_id, "cache_key": f"pages-bench-{article_id}",
          "schema_name": "news_claims", "schema_version": "v1",
          "prompt_version": "extract_claims/v1", "model": "synthetic", "endpoint": "bench",
          "llm_mode": "replay", "instructor_mode": "tools", "status": RunStatus.succeeded,
          "usage_by_attempt": [], "created_at": now}],
    )  # fmt: skip
    session.execute(
        insert(Claim),
        [{"run_id": article_id, "article_id": article_id,
          "entity_id": int(c.subject.rsplit(" ", 1)[1]) + 1, "statement": c.statement,
          "claim_type": c.claim_type, "subject_name": c.subject.title(),
          "subject_type": "organization", "predicate": c.predicate, "object": c.object,
          "quantity_value": c.value, "quantity_unit": c.unit, "quantity_qualifier": c.qualifier,
          "time_text": c.time_text, "time_start": c.time_start, "time_end": c.time_end,
          "location": c.location, "attribution": c.attribution, "modality": c.modality,
          "evidence_quote": c.statement, "char_start": start, "char_end": end,
          "match_kind": "exact", "match_score": 100.0, "extra": {}, "status": "active",
          "origin": "extracted", "created_at": now}
         for c, start, end in rows],
    )  # fmt: skip


def two_articles(engine: Engine) -> None:
    left, right = diff_sets(random.Random(7), CLAIMS_PER_ARTICLE)
    now = utcnow()
    with Session(engine) as session:
        session.execute(
            insert(Entity),
            [{"id": i + 1, "key": entity_key(f"Entity {i}"),
              "name": f"Entity {i}", "type": "organization", "aliases": [], "created_at": now}
             for i in range(10)],
        )  # fmt: skip
        store_article(session, 1, left)
        store_article(session, 2, right)
        session.commit()


def timed(client: httpx.Client, path: str, reps: int, check: Callable[[str], None]) -> list[float]:
    check(client.get(path).raise_for_status().text)  # warms caches; checks what is served
    timings = []
    for _ in range(reps):
        started = time.perf_counter()
        client.get(path).raise_for_status()
        timings.append((time.perf_counter() - started) * 1000)
    return timings


def count_check(marker: str, expected: int) -> Callable[[str], None]:
    def check(html: str) -> None:
        found = html.count(marker)
        assert found == expected, f"{found} x {marker!r} in the page, expected {expected}"

    return check


def _json(body: str) -> None:
    assert body.startswith("{"), body[:80]


def p95(ms: list[float]) -> float:
    return statistics.quantiles(ms, n=20, method="inclusive")[-1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--reps", type=int, default=50)
    parser.add_argument("--ledger-reps", type=int, default=50)
    parser.add_argument("--claims-version", choices=["v1", "v2"], default="v1")
    args = parser.parse_args()
    rows: list[tuple[str, str, list[float], int]] = []
    with sqlite_engine() as engine:
        migrate(engine)
        two_articles(engine)
        with served(engine) as client:
            claims_marked = count_check('<li class="claim ', CLAIMS_PER_ARTICLE)
            ms = timed(client, "/pages/articles/1", args.reps, claims_marked)
            rows.append(("article page", f"{CLAIMS_PER_ARTICLE} claims", ms, 50))
            diff = "/pages/diff?left=article:1&right=article:2"
            ms = timed(client, diff, args.reps, count_check('<section class="side"', 2))
            rows.append(("diff page", f"2 x {CLAIMS_PER_ARTICLE} claims", ms, 100))
    with sqlite_engine() as engine:
        migrate(engine)
        claims, busiest = populate(
            engine, articles=args.articles, claims_version=args.claims_version
        )
        started = time.perf_counter()
        # As `factdiff facts backfill` would: the corpus is inserted without its facts.
        assign_pending(engine, default_schema="news_claims")
        refresh_stale(engine, batch=200)
        print(f"facts assigned and summarised in {time.perf_counter() - started:.0f} s")
        with served(engine) as client:
            path = f"/pages/ledger?entity={busiest}"
            ms = timed(client, path, args.ledger_reps, lambda html: None)
            facts = client.get(path).text.count('<article class="fact ')
            what = f"{busiest}: {facts} facts of {claims:,} claims, {args.articles:,} articles"
            rows.append(("ledger page", what, ms, 300))
            # An article of the corpus about its busiest entity: each claim's fact status comes
            # from its fact's stored summary.
            article = client.get("/claims", params={"entity": busiest, "limit": 1}).json()["data"][
                0
            ]["article_id"]
            ms = timed(client, f"/pages/articles/{article}", args.ledger_reps, lambda html: None)
            rows.append(
                ("article page", f"article {article} of the corpus, about {busiest}", ms, 50)
            )
            # The same ledger as JSON, timed alongside: what the page adds to building it.
            api = timed(client, f"/facts?entity={busiest}&limit=1000", args.ledger_reps, _json)
            rows.append(("GET /facts (baseline)", "the same entity, JSON", api, 1000))
    table = Table(title="Server-side render of the pages, over HTTP, SQLite")
    header = ("page", "what", "p50 ms", "p95 ms", "target p95 ms", "met")
    for column in header:
        table.add_column(column)
    lines = ["| " + " | ".join(header) + " |", "|---|---|---:|---:|---:|---|"]
    for page, what, ms, target in rows:
        cells = [page, what, f"{statistics.median(ms):.1f}", f"{p95(ms):.1f}", str(target),
                 "yes" if p95(ms) <= target else "no"]  # fmt: skip
        table.add_row(*cells)
        lines.append("| " + " | ".join(cells) + " |")
    Console().print(table)
    command = (
        f"python -m bench.pages_bench --articles {args.articles} --reps {args.reps} "
        f"--ledger-reps {args.ledger_reps}"
    )
    with open(RESULTS, "w", encoding="utf-8") as out:
        out.write(
            f"# Pages benchmark\n\n`{command}` on Python {platform.python_version()}, "
            f"{platform.machine()}, 2 cores shared with other work (1-minute load average "
            f"when the timings ended: {os.getloadavg()[0]:.2f}).\n\n" + "\n".join(lines) + "\n"
        )


if __name__ == "__main__":
    main()
