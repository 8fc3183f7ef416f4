"""claim text search index across words (PostgreSQL)

Revision ID: 9d1e5a7c3b20
Revises: 4fdbce3bad65
Create Date: 2026-11-24 00:40:00.000000

"""

from typing import Sequence, Union

from alembic import op
from sqlalchemy import text

from app import search_index

# revision identifiers, used by Alembic.
revision: str = "9d1e5a7c3b20"
down_revision: Union[str, Sequence[str], None] = "4fdbce3bad65"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """The pg_trgm index on the text with spaces as letters, so trigrams span words."""
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        bind.execute(text("DROP INDEX IF EXISTS ix_claim_text_trgm"))
        search_index.create(bind)


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        bind.execute(text(f"DROP INDEX IF EXISTS {search_index.POSTGRES_INDEX}"))
        bind.execute(text(search_index.POSTGRES_WORDS_INDEX))
