"""claim canonical fact fields (news_claims@v2)

Revision ID: c3ec4907027d
Revises: e97397b1fa21
Create Date: 2026-11-27 19:20:00.000000

"""

from typing import Sequence, Union

import sqlalchemy as sa
import sqlmodel

from alembic import op

# revision identifiers, used by Alembic.
revision: str = "c3ec4907027d"
down_revision: Union[str, Sequence[str], None] = "e97397b1fa21"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

_STRINGS = (("fact_kind", 40), ("unit_kind", 20), ("aspect", 10))
_OBJECT_FK = "claim_object_entity_id_fkey"  # the name PostgreSQL gives the model's reference


def upgrade() -> None:
    """Nullable columns: claims of news_claims@v1 have none of these fields. Plain ADD COLUMN,
    not a batch: a batch may rebuild the SQLite table, which would drop its search triggers."""
    for name, length in _STRINGS:
        op.add_column(
            "claim", sa.Column(name, sqlmodel.sql.sqltypes.AutoString(length=length), nullable=True)
        )
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        # SQLite adds a reference only inline with its column (no ALTER ... ADD CONSTRAINT);
        # a downgrade on SQLite left the column in place (see downgrade).
        if "object_entity_id" not in {c["name"] for c in sa.inspect(bind).get_columns("claim")}:
            op.execute(
                "ALTER TABLE claim ADD COLUMN object_entity_id INTEGER REFERENCES entity (id)"
            )
    else:
        op.add_column("claim", sa.Column("object_entity_id", sa.Integer(), nullable=True))
        op.create_foreign_key(_OBJECT_FK, "claim", "entity", ["object_entity_id"], ["id"])


def downgrade() -> None:
    """On SQLite the object_entity_id column stays: SQLite cannot drop a column that holds a
    reference, and rebuilding the table would drop its search triggers. Older code never
    reads or writes it, and it is nullable."""
    if op.get_bind().dialect.name != "sqlite":
        op.drop_constraint(_OBJECT_FK, "claim", type_="foreignkey")
        op.drop_column("claim", "object_entity_id")
    for name, _ in reversed(_STRINGS):
        op.drop_column("claim", name)
