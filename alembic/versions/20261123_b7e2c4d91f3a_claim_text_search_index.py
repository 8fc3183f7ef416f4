"""claim text search index

Revision ID: b7e2c4d91f3a
Revises: 4c9f359a0db3
Create Date: 2026-11-23 10:05:00.000000

"""

from typing import Sequence, Union

from alembic import op
from sqlalchemy import text

# revision identifiers, used by Alembic.
revision: str = "b7e2c4d91f3a"
down_revision: Union[str, Sequence[str], None] = "4c9f359a0db3"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


# The DDL as it was at this revision (app.store.search_index holds today's, for create_all).
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
    """CREATE TRIGGER IF NOT EXISTS claim_search_update
        AFTER UPDATE OF statement, evidence_quote ON claim BEGIN
        INSERT INTO claim_search(claim_search, rowid, statement, evidence_quote)
        VALUES ('delete', old.id, old.statement, old.evidence_quote);
        INSERT INTO claim_search(rowid, statement, evidence_quote)
        VALUES (new.id, new.statement, new.evidence_quote);
    END""",
    "INSERT INTO claim_search(claim_search) VALUES ('rebuild')",
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS claim_search_update",
    "DROP TRIGGER IF EXISTS claim_search_delete",
    "DROP TRIGGER IF EXISTS claim_search_insert",
    "DROP TABLE IF EXISTS claim_search",
]
POSTGRES_CREATE = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS ix_claim_text_trgm "
    "ON claim USING gin ((lower(statement || chr(31) || evidence_quote)) gin_trgm_ops)",
]
POSTGRES_DROP = ["DROP INDEX IF EXISTS ix_claim_text_trgm"]


def _run(statements: dict[str, list[str]]) -> None:
    bind = op.get_bind()
    for statement in statements.get(bind.dialect.name, []):
        bind.execute(text(statement))


def upgrade() -> None:
    """Trigram index for GET /claims?q= (FTS5 on SQLite, pg_trgm on PostgreSQL)."""
    _run({"sqlite": SQLITE_CREATE, "postgresql": POSTGRES_CREATE})


def downgrade() -> None:
    _run({"sqlite": SQLITE_DROP, "postgresql": POSTGRES_DROP})
