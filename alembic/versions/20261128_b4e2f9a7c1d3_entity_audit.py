"""entity_audit: who added an alias to an entity, and when

Revision ID: b4e2f9a7c1d3
Revises: a1d7c3e5f920
Create Date: 2026-11-28 17:10:00

POST /entities/{id}/aliases took its author (`actor`) and kept no trace of it; an alias
changes every diff and the ledger, so each one added is kept with who added it.
"""
from typing import Sequence, Union

import sqlalchemy as sa
import sqlmodel
from alembic import op


# revision identifiers, used by Alembic.
revision: str = 'b4e2f9a7c1d3'
down_revision: Union[str, Sequence[str], None] = 'a1d7c3e5f920'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        'entity_audit',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('entity_id', sa.Integer(), nullable=False),
        sa.Column('action', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column('alias', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column('actor', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['entity_id'], ['entity.id'], ),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index(op.f('ix_entity_audit_entity_id'), 'entity_audit', ['entity_id'], unique=False)


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_index(op.f('ix_entity_audit_entity_id'), table_name='entity_audit')
    op.drop_table('entity_audit')
