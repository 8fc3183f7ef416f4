"""fact summaries: each fact keeps its status, values, counts and shown sources; fact_entity

Revision ID: 5b8d2e41c7a9
Revises: 82faffe8d23b
Create Date: 2026-11-27 22:00:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '5b8d2e41c7a9'
down_revision: Union[str, Sequence[str], None] = '82faffe8d23b'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

# Existing facts start stale (summary_revision 0 < revision 1): `factdiff facts backfill`, or
# the first reader of each, summarises them.
COLUMNS = [
    sa.Column('revision', sa.Integer(), nullable=False, server_default='1'),
    sa.Column('summary_revision', sa.Integer(), nullable=False, server_default='0'),
    sa.Column('claim_count', sa.Integer(), nullable=False, server_default='0'),
    sa.Column('status', sa.String(length=20), nullable=False, server_default='single'),
    sa.Column('key', sa.String(length=400), nullable=False, server_default=''),
    sa.Column('subject', sa.String(length=300), nullable=False, server_default=''),
    sa.Column('claim_type', sa.String(length=40), nullable=False, server_default=''),
    sa.Column('headline', sa.Text(), nullable=False, server_default=''),
    sa.Column('explanation', sa.Text(), nullable=False, server_default=''),
    sa.Column('values', sa.JSON(), nullable=False, server_default='[]'),
    sa.Column('outlets', sa.JSON(), nullable=False, server_default='[]'),
    sa.Column('source_count', sa.Integer(), nullable=False, server_default='0'),
    sa.Column('article_count', sa.Integer(), nullable=False, server_default='0'),
    sa.Column('publication_count', sa.Integer(), nullable=False, server_default='0'),
    sa.Column('shown', sa.JSON(), nullable=False, server_default='[]'),
    sa.Column('steps', sa.JSON(), nullable=False, server_default='[]'),
    sa.Column('time_start', sa.Date(), nullable=True),
    sa.Column('time_end', sa.Date(), nullable=True),
]


def upgrade() -> None:
    """Upgrade schema."""
    for column in COLUMNS:
        op.add_column('fact', column)
    op.create_table(
        'fact_entity',
        sa.Column('fact_id', sa.Integer(), nullable=False),
        sa.Column('entity_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['fact_id'], ['fact.id']),
        sa.ForeignKeyConstraint(['entity_id'], ['entity.id']),
        sa.PrimaryKeyConstraint('fact_id', 'entity_id'),
    )
    op.create_index('ix_fact_entity_entity', 'fact_entity', ['entity_id', 'fact_id'])
    stale = sa.text('summary_revision < revision')
    op.create_index(
        'ix_fact_stale', 'fact', ['id'], sqlite_where=stale, postgresql_where=stale
    )
    # Assignment's check for pending claims walked every claim of a store without it.
    op.create_index('ix_claim_fact_status', 'claim', ['fact_id', 'status'])
    # The ledger's warnings count the articles with a successful run on every request.
    op.create_index(
        'ix_extraction_run_done', 'extraction_run', ['schema_name', 'status', 'article_id']
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_index('ix_extraction_run_done', table_name='extraction_run')
    op.drop_index('ix_claim_fact_status', table_name='claim')
    op.drop_index('ix_fact_stale', table_name='fact')
    op.drop_index('ix_fact_entity_entity', table_name='fact_entity')
    op.drop_table('fact_entity')
    with op.batch_alter_table('fact', schema=None) as batch_op:
        for column in reversed(COLUMNS):
            batch_op.drop_column(column.name)
