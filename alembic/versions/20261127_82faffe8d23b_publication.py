"""publication: one text, many outlets

Revision ID: 82faffe8d23b
Revises: 3f1c9a7e5d20
Create Date: 2026-11-27 19:10:00.000000

Every existing article gets one publication from its own outlet, url, title and date: until
now a text submitted under a second outlet kept only the first. Downgrading drops the table,
and with it every publication but the article's first (which its own columns still hold).
"""

import hashlib
from typing import Sequence, Union

import sqlalchemy as sa
import sqlmodel  # noqa: F401  (autogenerate emits sqlmodel.sql.sqltypes)

from alembic import op

# revision identifiers, used by Alembic.
revision: str = "82faffe8d23b"
down_revision: Union[str, Sequence[str], None] = "3f1c9a7e5d20"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

BATCH = 5000


def _blank_to_none(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None


def _identity(outlet: str | None, url: str | None) -> str:
    # app.store.publications.publication_identity as of this revision.
    parts = (_blank_to_none(outlet) or "", _blank_to_none(url) or "")
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def upgrade() -> None:
    """Upgrade schema."""
    publication = op.create_table(
        "publication",
        sa.Column("outlet", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("url", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("identity", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["article_id"], ["article.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("article_id", "identity", name="uq_publication_article_identity"),
    )
    with op.batch_alter_table("publication", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_publication_article_id"), ["article_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_publication_outlet"), ["outlet"], unique=False)

    article = sa.table(
        "article",
        sa.column("id", sa.Integer()),
        sa.column("outlet", sa.String()),
        sa.column("url", sa.String()),
        sa.column("title", sa.String()),
        sa.column("published_at", sa.DateTime(timezone=True)),
        sa.column("created_at", sa.DateTime(timezone=True)),
    )
    bind = op.get_bind()
    last = 0
    while True:
        rows = bind.execute(
            sa.select(article).where(article.c.id > last).order_by(article.c.id).limit(BATCH)
        ).all()
        if not rows:
            break
        bind.execute(
            sa.insert(publication),
            [
                {
                    "article_id": row.id,
                    "identity": _identity(row.outlet, row.url),
                    "outlet": _blank_to_none(row.outlet),
                    "url": _blank_to_none(row.url),
                    "title": row.title,
                    "published_at": row.published_at,
                    "created_at": row.created_at,
                }
                for row in rows
            ],
        )
        last = rows[-1].id


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("publication", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_publication_outlet"))
        batch_op.drop_index(batch_op.f("ix_publication_article_id"))

    op.drop_table("publication")
