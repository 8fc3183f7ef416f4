"""Substring search over claim text (``GET /claims?q=``), served by an index on both databases.

A ``LIKE '%words%'`` scan reads every claim: close to a second at a million claims. Trigram
indexes answer the same substring question from the index instead:

- SQLite: an FTS5 table with the trigram tokenizer over the claim's statement and evidence,
  its content read from ``claim`` itself and kept current by triggers;
- PostgreSQL: a pg_trgm GIN index on the lower-cased statement and evidence.

The same DDL serves the Alembic migration and ``metadata.create_all`` (tests, benchmarks), so
both build the same schema.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Integer, column, table, text

# Trigram FTS5 matches substrings of three characters or more; shorter text is scanned.
MIN_INDEXED_CHARS = 3

# The FTS5 table, for joins; its rowid is the claim's id.
CLAIM_SEARCH = table("claim_search", column("rowid", Integer))

SQLITE_CREATE = [
    """CREATE VIRTUAL TABLE IF NOT EXISTS claim_search USING fts5(
        statement, evidence_quote,
        content='claim', content_rowid='id', tokenize='trigram case_sensitive 0')""",
    """CREATE TRIGGER IF NOT EXISTS claim_search_insert AFTER INSERT ON claim BEGIN
        INSERT INTO claim_search(rowid, statement, evidence_quote)
        VALUES (new.id, new.statement, new.evidence_quote);
    END""",
    """CREATE TRIGGER IF NOT EXISTS claim_search_delete AFTER DELETE ON claim BEGIN
        INSERT INTO claim_search(claim_search, rowid, statement, evidence_quote)
        VALUES ('delete', old.id, old.statement, old.evidence_quote);
    END""",
    # Only a change of the indexed text touches the index (status changes are frequent).
    """CREATE TRIGGER IF NOT EXISTS claim_search_update
        AFTER UPDATE OF statement, evidence_quote ON claim BEGIN
        INSERT INTO claim_search(claim_search, rowid, statement, evidence_quote)
        VALUES ('delete', old.id, old.statement, old.evidence_quote);
        INSERT INTO claim_search(rowid, statement, evidence_quote)
        VALUES (new.id, new.statement, new.evidence_quote);
    END""",
    # Claims stored before the index existed.
    "INSERT INTO claim_search(claim_search) VALUES ('rebuild')",
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS claim_search_update",
    "DROP TRIGGER IF EXISTS claim_search_delete",
    "DROP TRIGGER IF EXISTS claim_search_insert",
    "DROP TABLE IF EXISTS claim_search",
]
# Statement and evidence in one indexed expression: one trigram index scan per search rather
# than two. chr(31), the unit separator, cannot be typed into a search, so no match spans the
# two texts.
POSTGRES_SEARCH_EXPRESSION = "lower(statement || chr(31) || evidence_quote)"
POSTGRES_CREATE = [
    # pg_trgm ships with PostgreSQL (contrib) and is a trusted extension: the database's
    # owner may create it without superuser rights.
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS ix_claim_text_trgm "
    f"ON claim USING gin (({POSTGRES_SEARCH_EXPRESSION}) gin_trgm_ops)",
]
POSTGRES_DROP = ["DROP INDEX IF EXISTS ix_claim_text_trgm"]


def _run(connection: Connection, statements: list[str]) -> None:
    for statement in statements:
        connection.execute(text(statement))


def create(connection: Connection) -> None:
    """Build the search index for the connection's database (idempotent)."""
    name = connection.dialect.name
    if name == "sqlite":
        _run(connection, SQLITE_CREATE)
    elif name == "postgresql":
        _run(connection, POSTGRES_CREATE)


def drop(connection: Connection) -> None:
    name = connection.dialect.name
    if name == "sqlite":
        _run(connection, SQLITE_DROP)
    elif name == "postgresql":
        _run(connection, POSTGRES_DROP)


def after_create(_table: Any, connection: Connection, **_kw: Any) -> None:
    """``after_create`` hook on the claim table, for schemas made by ``create_all``."""
    create(connection)


def include_object(obj: Any, name: str | None, type_: str, *_args: Any) -> bool:
    """Alembic autogenerate filter: the index is built by hand (above), not from the models."""
    search_objects = ("claim_search", "ix_claim_text_trgm")
    return not (name or "").startswith(search_objects)


def fts_phrase(q: str) -> str | None:
    """The FTS5 query that finds ``q`` as a substring, or None when the index cannot."""
    if len(q) < MIN_INDEXED_CHARS:
        return None
    # One quoted string: FTS5 syntax characters inside it are plain text.
    return '"' + q.replace('"', '""') + '"'
