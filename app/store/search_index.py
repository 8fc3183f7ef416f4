"""Substring search over claim text (``GET /claims?q=``), served by an index on both databases.

A ``LIKE '%words%'`` scan reads every claim: close to a second at a million claims. Trigram
indexes answer the same substring question from the index instead:

- SQLite: an FTS5 table with the trigram tokenizer over the claim's statement and evidence,
  its content read from ``claim`` itself and kept current by triggers;
- PostgreSQL: a pg_trgm GIN index on the lower-cased statement and evidence (a stored
  generated column), spaces written as a letter so that trigrams span words.

app.store.search_plan decides which stretch of the search text the index looks up.

``metadata.create_all`` (tests, benchmarks) builds the index from the DDL here; the Alembic
migrations carry their own copies of the DDL of their day, so that they stay what they were.
"""

from __future__ import annotations

import sqlite3
import threading
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
# Statement and evidence, lower-cased, in one column PostgreSQL keeps itself: one index scan per
# search rather than two, and each claim the index finds is checked against stored text.
# Lower-cased per claim at search time (for the index's recheck, then for the check), they
# were half the time of a common search. chr(31), the unit separator, cannot be typed into a
# search, so no match spans the two texts.
POSTGRES_SEARCH_COLUMN = "search_text"
POSTGRES_ADD_SEARCH_COLUMN = (
    f"ALTER TABLE claim ADD COLUMN IF NOT EXISTS {POSTGRES_SEARCH_COLUMN} text "
    "GENERATED ALWAYS AS (lower(statement || chr(31) || evidence_quote)) STORED"
)
# pg_trgm takes trigrams word by word: indexed as is, "org 24 deployed" would find every claim
# with "org", the word "24" (any "24 December") and "deployed", and check thousands of rows for
# a few hundred matches. Spaces turned into a letter make the words one, so trigrams span them
# ("g 2" is "gq2"). Any letter keeps the index a superset: the search text is turned alike and
# every row it finds is checked against the real text.
POSTGRES_SPACE = "q"
POSTGRES_INDEXED_EXPRESSION = f"replace({POSTGRES_SEARCH_COLUMN}, ' ', '{POSTGRES_SPACE}')"
POSTGRES_INDEX = "ix_claim_search_text_trgm"
# New rows wait in the GIN index's pending list until it is merged in, and every search reads
# the whole list: at the 4 MB default, 400 pages and some 4 ms a search. 256 kB costs inserts
# nothing measurable (the list is merged in smaller batches).
POSTGRES_PENDING_LIST = "gin_pending_list_limit = 256"
POSTGRES_CREATE = [
    # pg_trgm ships with PostgreSQL (contrib) and is a trusted extension: the database's
    # owner may create it without superuser rights.
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    POSTGRES_ADD_SEARCH_COLUMN,
    f"CREATE INDEX IF NOT EXISTS {POSTGRES_INDEX} "
    f"ON claim USING gin (({POSTGRES_INDEXED_EXPRESSION}) gin_trgm_ops) "
    f"WITH ({POSTGRES_PENDING_LIST})",
]
POSTGRES_DROP = [
    f"DROP INDEX IF EXISTS {POSTGRES_INDEX}",
    f"ALTER TABLE claim DROP COLUMN IF EXISTS {POSTGRES_SEARCH_COLUMN}",
]


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
    search_objects = ("claim_search", POSTGRES_INDEX)
    if type_ == "column" and name == POSTGRES_SEARCH_COLUMN:
        return False
    return not (name or "").startswith(search_objects)


def fts_phrase(q: str) -> str | None:
    """The FTS5 query that finds ``q`` as a substring, or None when the index cannot."""
    if len(q) < MIN_INDEXED_CHARS:
        return None
    # One quoted string: FTS5 syntax characters inside it are plain text.
    return '"' + q.replace('"', '""') + '"'


class Fts5Fold:
    """SQLite FTS5's case folding (trigram tokenizer, case_sensitive 0), for checks in Python.

    FTS5 folds one character into one, by its own Unicode tables: "Σ" and "ς" both become
    "σ", "ß" stays, which neither ``str.lower`` nor ``str.casefold`` reproduce. Each character
    outside ASCII is folded once by FTS5 itself, in a private in-memory table, and remembered.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._table: dict[int, str] = {c: chr(c + 32) for c in range(ord("A"), ord("Z") + 1)}
        self._db = sqlite3.connect(":memory:", check_same_thread=False)
        self._db.execute(
            "CREATE VIRTUAL TABLE t USING fts5(x, tokenize='trigram case_sensitive 0')"
        )
        self._db.execute("CREATE VIRTUAL TABLE v USING fts5vocab(t, 'instance')")

    def __call__(self, text: str) -> str:
        if text.isascii():
            return text.lower()
        unknown = {c for c in text if ord(c) not in self._table}
        if unknown:
            self._learn(sorted(unknown))
        return text.translate(self._table)

    def _learn(self, chars: list[str]) -> None:
        with self._lock:
            # Token i of the row is the folded trigram starting at character i.
            self._db.execute("INSERT INTO t(rowid, x) VALUES (1, ?)", ("".join(chars) + "..",))
            tokens = self._db.execute('SELECT term FROM v ORDER BY "offset"').fetchall()
            self._db.execute("DELETE FROM t")
            for c, (token,) in zip(chars, tokens, strict=False):
                self._table[ord(c)] = token[0]


fts5_fold = Fts5Fold()


def contains(needle: str, *texts: str | None) -> bool:
    """Whether a text holds ``needle`` (already folded), as an FTS5 phrase would find it."""
    return any(t is not None and needle in fts5_fold(t) for t in texts)


def register_sqlite_functions(dbapi_connection: Any) -> None:
    """``factdiff_contains(needle, statement, evidence)``, the check of app.store.search_plan."""
    dbapi_connection.create_function("factdiff_contains", 3, contains, deterministic=True)
