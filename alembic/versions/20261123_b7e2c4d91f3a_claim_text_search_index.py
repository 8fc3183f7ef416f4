"""claim text search index

Revision ID: b7e2c4d91f3a
Revises: 4c9f359a0db3
Create Date: 2026-11-23 10:05:00.000000

"""

from typing import Sequence, Union

from alembic import op

from app import search_index

# revision identifiers, used by Alembic.
revision: str = "b7e2c4d91f3a"
down_revision: Union[str, Sequence[str], None] = "4c9f359a0db3"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Trigram index for GET /claims?q= (FTS5 on SQLite, pg_trgm on PostgreSQL)."""
    search_index.create(op.get_bind())


def downgrade() -> None:
    search_index.drop(op.get_bind())
