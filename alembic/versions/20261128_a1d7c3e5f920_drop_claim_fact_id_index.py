"""drop ix_claim_fact_id: ix_claim_fact_status (fact_id, status) leads with the same column

Revision ID: a1d7c3e5f920
Revises: 5638d15fbcf4
Create Date: 2026-11-28 03:40:00

Every claim stored and every claim assigned to a fact wrote both indexes; lookups by fact,
the check for claims without one and the foreign key's checks all use the wider index.
"""
from typing import Sequence, Union

from alembic import op


# revision identifiers, used by Alembic.
revision: str = 'a1d7c3e5f920'
down_revision: Union[str, Sequence[str], None] = '5638d15fbcf4'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.drop_index('ix_claim_fact_id', table_name='claim')


def downgrade() -> None:
    """Downgrade schema."""
    op.create_index('ix_claim_fact_id', 'claim', ['fact_id'], unique=False)
