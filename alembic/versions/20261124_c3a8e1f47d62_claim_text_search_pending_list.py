"""claim text search index: a short pending list (PostgreSQL)

Revision ID: c3a8e1f47d62
Revises: 9d1e5a7c3b20
Create Date: 2026-11-24 01:30:00.000000

"""

from typing import Sequence, Union

from alembic import op
from sqlalchemy import text

# revision identifiers, used by Alembic.
revision: str = "c3a8e1f47d62"
down_revision: Union[str, Sequence[str], None] = "9d1e5a7c3b20"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Searches read the GIN pending list whole: keep it at 256 kB rather than 4 MB."""
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        bind.execute(
            text("ALTER INDEX ix_claim_text_trgm_spaced SET (gin_pending_list_limit = 256)")
        )


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        bind.execute(text("ALTER INDEX ix_claim_text_trgm_spaced RESET (gin_pending_list_limit)"))
