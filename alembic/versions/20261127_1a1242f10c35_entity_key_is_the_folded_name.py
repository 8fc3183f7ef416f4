"""entity key is the folded name alone: duplicates merged

Revision ID: 1a1242f10c35
Revises: c3ec4907027d
Create Date: 2026-11-27 19:40:00.000000

Entities were keyed by type and folded name, so "Kenya" the country and "Kenya" the
government were two rows, listed twice by /entities, while diffs and the ledger, which fold
names alone, treated them as one. The key is now the folded name, unique as before. Entities
whose names fold alike are merged into the oldest: their claims point to it (as subject and
as object), and their aliases join its own.
"""

from typing import Any, Sequence, Union

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "1a1242f10c35"
down_revision: Union[str, Sequence[str], None] = "c3ec4907027d"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

entity = sa.table(
    "entity",
    sa.column("id", sa.Integer),
    sa.column("key", sa.String),
    sa.column("name", sa.String),
    sa.column("type", sa.String),
    sa.column("aliases", sa.JSON),
)
claim = sa.table(
    "claim", sa.column("entity_id", sa.Integer), sa.column("object_entity_id", sa.Integer)
)


def fold(name: str) -> str:
    # crud.fold_name as of this revision, kept here so that later changes to it do not
    # change what this migration did.
    return " ".join(name.casefold().split())


def _set_keys(bind: Any, keys: dict[int, str]) -> None:
    # Through temporary keys first: no new key may meet an old one under the unique constraint.
    statement = (
        entity.update()
        .where(entity.c.id == sa.bindparam("entity_id"))
        .values(key=sa.bindparam("new_key"))
    )
    for spell in (lambda i, _: f"#{i}", lambda _, k: k):
        rows = [{"entity_id": i, "new_key": spell(i, k)} for i, k in keys.items()]
        if rows:
            bind.execute(statement, rows)


def upgrade() -> None:
    bind = op.get_bind()
    rows = bind.execute(
        sa.select(entity.c.id, entity.c.name, entity.c.aliases).order_by(entity.c.id)
    ).all()
    groups: dict[str, list[tuple[int, list[str]]]] = {}
    for entity_id, name, aliases in rows:
        groups.setdefault(fold(name), []).append((entity_id, list(aliases or [])))
    merged_aliases = {}
    for folded, ((survivor, aliases), *others) in groups.items():
        if not others:
            continue
        others_ids = [other_id for other_id, _ in others]
        for column in (claim.c.entity_id, claim.c.object_entity_id):
            bind.execute(
                claim.update().where(column.in_(others_ids)).values({column.name: survivor})
            )
        bind.execute(entity.delete().where(entity.c.id.in_(others_ids)))
        seen, kept = {folded}, []
        for alias in [*aliases, *(a for _, other in others for a in other)]:
            if fold(alias) not in seen:
                seen.add(fold(alias))
                kept.append(alias)
        merged_aliases[survivor] = kept
    for survivor, kept in merged_aliases.items():
        bind.execute(entity.update().where(entity.c.id == survivor).values(aliases=kept))
    _set_keys(bind, {members[0][0]: folded for folded, members in groups.items()})


def downgrade() -> None:
    """Keys by type and name again; merged entities stay merged."""
    bind = op.get_bind()
    rows = bind.execute(sa.select(entity.c.id, entity.c.name, entity.c.type)).all()
    _set_keys(bind, {i: f"{type_.casefold()}:{fold(name)}" for i, name, type_ in rows})
