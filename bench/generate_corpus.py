"""Populate a factdiff database with synthetic articles and claims, for the benchmarks.

    python -m bench.generate_corpus --articles 10000 --database-url sqlite:////tmp/corpus.db
        [--claims-version v2|v1]

Claims are news_claims@v2's by default, the schema extraction uses now: with their canonical
fields (fact kind from the schema's vocabulary, object entity, unit kind, event or state) in a
spread of kinds like a news desk's (bench.corpus_v2). ``v1`` gives bench.diff_bench.corpus's
claims, without canonical fields, as earlier figures were measured on. Each article gets a
succeeded news_claims run of that version, as extraction would leave it.

Rows go in as fast as each database takes them (this measures reading, not writing):
PostgreSQL's COPY, SQLite's executemany, a chunk at a time so a million claims are never held
as rows at once. Nothing the app relies on is dropped: the claim table keeps its indexes and
its text-search index, which the load fills as the app's own inserts would.
"""

from __future__ import annotations

import argparse
import json
import random
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from typing import Any, Literal

from sqlalchemy import JSON, Connection, Engine, Table, insert, text

from app.diff.align import DiffClaim
from app.store.db import make_engine, migrate
from app.store.entities import entity_key
from app.store.models import CLAIM_TABLE, Article, Entity, ExtractionRun, Publication, utcnow
from app.store.publications import publication_identity
from bench.corpus_v2 import ENTITIES, PLACES, corpus_v2
from bench.diff_bench import corpus

ClaimsVersion = Literal["v1", "v2"]
CHUNK = 20_000  # rows a statement (SQLite) or between progress reports
# What each corpus yields an article on average, for a target number of claims.
CLAIMS_PER_ARTICLE: dict[ClaimsVersion, float] = {"v1": 14.1, "v2": 14.25}


def populate(
    engine: Engine,
    *,
    articles: int,
    seed: int = 7,
    claims_version: ClaimsVersion = "v2",
    progress: Callable[[int], None] | None = None,
) -> tuple[int, str]:
    """Insert the corpus; returns the number of claims and the busiest entity's name.
    ``progress`` is told of each chunk of claims stored."""
    rng = random.Random(seed)
    claims: Iterable[DiffClaim]
    if claims_version == "v1":
        listed = corpus(rng, articles)
        names = sorted({c.subject.title() for c in listed})
        claims = listed
    else:
        names = ENTITIES + PLACES
        claims = corpus_v2(rng, articles)
    now = utcnow()
    entity_ids = {entity_key(name): i + 1 for i, name in enumerate(names)}
    outlet = [f"Outlet {a % 97}" for a in range(articles)]
    with engine.begin() as connection:
        load(connection, Entity.__table__, (  # type: ignore[attr-defined]
            {"id": i + 1, "key": entity_key(name), "name": name,
             "type": "location" if name in PLACES else "organization", "aliases": [],
             "created_at": now}
            for i, name in enumerate(names)))  # fmt: skip
        load(connection, Article.__table__, (  # type: ignore[attr-defined]
            {"id": a + 1, "content_hash": f"synthetic-{seed}-{a}", "text": f"Article {a}.",
             "title": f"Synthetic {a}", "outlet": outlet[a], "published_at": now,
             "created_at": now}
            for a in range(articles)))  # fmt: skip
        load(connection, Publication.__table__, (  # type: ignore[attr-defined]
            {"id": a + 1, "article_id": a + 1, "outlet": outlet[a],
             "identity": publication_identity(outlet[a], None), "title": f"Synthetic {a}",
             "published_at": now, "created_at": now}
            for a in range(articles)))  # fmt: skip
        load(connection, ExtractionRun.__table__, (  # type: ignore[attr-defined]
            {"id": a + 1, "article_id": a + 1, "cache_key": f"synthetic-{seed}-{a}",
             "schema_name": "news_claims", "schema_version": claims_version,
             "prompt_version": f"extract_claims/{claims_version}", "model": "synthetic",
             "endpoint": "bench", "llm_mode": "replay", "instructor_mode": "tools",
             "status": "succeeded", "usage_by_attempt": [], "created_at": now}
            for a in range(articles)))  # fmt: skip
        subjects: Counter[str] = Counter()
        rows = (_claim_row(c, entity_ids, now, subjects) for c in claims)
        stored = load(connection, CLAIM_TABLE, rows, progress=progress)
        _advance_sequences(connection)
    return stored, subjects.most_common(1)[0][0].title()


def _claim_row(
    c: DiffClaim, entity_ids: dict[str, int], now: object, subjects: Counter[str]
) -> dict[str, Any]:
    subjects[c.subject] += 1
    return {
        "run_id": c.article_id + 1, "article_id": c.article_id + 1,
        "entity_id": entity_ids[entity_key(c.subject)], "statement": c.statement,
        "claim_type": c.claim_type, "subject_name": c.subject.title(),
        "subject_type": "organization", "subject_mention": None, "predicate": c.predicate,
        "object": c.object, "quantity_value": c.value, "quantity_unit": c.unit,
        "quantity_qualifier": c.qualifier, "time_text": c.time_text,
        "time_start": c.time_start, "time_end": c.time_end, "location": c.location,
        "attribution": c.attribution, "modality": c.modality, "evidence_quote": c.quote,
        "char_start": c.char_start, "char_end": c.char_end, "match_kind": "exact",
        "match_score": 100.0, "fact_kind": c.fact_kind,
        "object_entity_id": None if c.object_entity is None
        else entity_ids[entity_key(c.object_entity)],
        "unit_kind": c.unit_kind, "aspect": c.aspect, "extra": {}, "status": "active",
        "origin": "extracted", "created_at": now,
    }  # fmt: skip


def load(
    connection: Connection,
    table: Table,
    rows: Iterable[dict[str, Any]],
    *,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Insert ``rows`` (all with the same keys) into ``table``; returns how many."""
    stored = 0
    for chunk in _chunks(rows, CHUNK):
        if connection.dialect.name == "postgresql":
            _copy(connection, table, chunk)
        else:
            connection.execute(insert(table), chunk)
        stored += len(chunk)
        if progress:
            progress(len(chunk))
    return stored


def _copy(connection: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    """PostgreSQL's COPY of the rows, in the connection's transaction: some ten times the
    speed of multi-row INSERTs, which bind and parse every value."""
    defaults = _python_defaults(table, set(rows[0]))
    columns = [*rows[0], *defaults]
    as_json = {c for c in columns if isinstance(table.c[c].type, JSON)}
    driver: Any = connection.connection.driver_connection  # psycopg's connection
    names = ", ".join(f'"{c}"' for c in columns)
    with driver.cursor() as cursor, cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as cp:
        for row in rows:
            row = {**row, **defaults}
            cp.write_row([json.dumps(row[c]) if c in as_json else row[c] for c in columns])


def _python_defaults(table: Table, given: set[str]) -> dict[str, Any]:
    """The values SQLAlchemy's INSERT would fill in for the columns not given (defaults kept
    in Python, not the database, which COPY leaves null)."""
    defaults = {}
    for column in table.columns:
        default: Any = column.default
        if column.name in given or default is None:
            continue
        defaults[column.name] = default.arg(None) if default.is_callable else default.arg
    return defaults


def _advance_sequences(connection: Connection) -> None:
    """Rows given their ids leave PostgreSQL's id sequences behind: move them past the rows,
    so the app's own inserts into the populated store get new ids."""
    if connection.dialect.name != "postgresql":
        return
    for name in ("entity", "article", "publication", "extraction_run"):
        connection.execute(
            text(f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), max(id)) FROM {name}")
        )


def _chunks(rows: Iterable[dict[str, Any]], size: int) -> Iterator[list[dict[str, Any]]]:
    iterator = iter(rows)
    while chunk := list(islice(iterator, size)):
        yield chunk


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--claims-version", choices=["v1", "v2"], default="v2")
    parser.add_argument("--database-url", required=True, help="an empty database")
    args = parser.parse_args()
    engine = make_engine(args.database_url)
    migrate(engine)
    started = time.perf_counter()
    count, busiest = populate(
        engine, articles=args.articles, seed=args.seed, claims_version=args.claims_version
    )
    took = time.perf_counter() - started
    print(f"{args.articles} articles, {count} claims in {took:.1f}s; busiest entity: {busiest}")


if __name__ == "__main__":
    main()
