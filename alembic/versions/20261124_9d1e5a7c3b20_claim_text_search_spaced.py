"""claim text search index across words (PostgreSQL)

Revision ID: 9d1e5a7c3b20
Revises: 4fdbce3bad65
Create Date: 2026-11-24 00:40:00.000000

"""

from typing import Sequence, Union

from alembic import op
from sqlalchemy import text

# revision identifiers, used by Alembic.
revision: str = "9d1e5a7c3b20"
down_revision: Union[str, Sequence[str], None] = "4fdbce3bad65"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


# The DDL as it was at this revision (app.store.search_index holds today's, for create_all).
SPACED_INDEX = (
    "CREATE INDEX IF NOT EXISTS ix_claim_text_trgm_spaced ON claim USING gin "
    "((replace(lower(statement || chr(31) || evidence_quote), ' ', 'q')) gin_trgm_ops)"
)
WORDS_INDEX = (
    "CREATE INDEX IF NOT EXISTS ix_claim_text_trgm "
    "ON claim USING gin ((lower(statement || chr(31) || evidence_quote)) gin_trgm_ops)"
)


def upgrade() -> None:
    """The pg_trgm index on the text with spaces as letters, so trigrams span words."""
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        bind.execute(text("DROP INDEX IF EXISTS ix_claim_text_trgm"))
        bind.execute(text(SPACED_INDEX))


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        bind.execute(text("DROP INDEX IF EXISTS ix_claim_text_trgm_spaced"))
        bind.execute(text(WORDS_INDEX))
