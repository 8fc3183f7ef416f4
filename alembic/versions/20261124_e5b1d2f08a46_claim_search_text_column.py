"""claim search text as a stored column (PostgreSQL)

Revision ID: e5b1d2f08a46
Revises: c3a8e1f47d62
Create Date: 2026-11-24 03:30:00.000000

"""

from typing import Sequence, Union

from alembic import op
from sqlalchemy import text

# revision identifiers, used by Alembic.
revision: str = "e5b1d2f08a46"
down_revision: Union[str, Sequence[str], None] = "c3a8e1f47d62"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

UPGRADE = [
    "DROP INDEX IF EXISTS ix_claim_text_trgm_spaced",
    # Rewrites the table once: a minute or so for a million claims.
    "ALTER TABLE claim ADD COLUMN IF NOT EXISTS search_text text "
    "GENERATED ALWAYS AS (lower(statement || chr(31) || evidence_quote)) STORED",
    "CREATE INDEX IF NOT EXISTS ix_claim_search_text_trgm ON claim USING gin "
    "((replace(search_text, ' ', 'q')) gin_trgm_ops) WITH (gin_pending_list_limit = 256)",
]
DOWNGRADE = [
    "DROP INDEX IF EXISTS ix_claim_search_text_trgm",
    "ALTER TABLE claim DROP COLUMN IF EXISTS search_text",
    "CREATE INDEX IF NOT EXISTS ix_claim_text_trgm_spaced ON claim USING gin "
    "((replace(lower(statement || chr(31) || evidence_quote), ' ', 'q')) gin_trgm_ops) "
    "WITH (gin_pending_list_limit = 256)",
]


def upgrade() -> None:
    """Searched text stored lower-cased, so a search checks each claim it finds without
    lower-casing it again."""
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        for statement in UPGRADE:
            bind.execute(text(statement))


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        for statement in DOWNGRADE:
            bind.execute(text(statement))
