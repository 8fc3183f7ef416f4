"""Who taught factdiff that a name means an entity, and when: the aliases curators add.

An alias changes what every diff and the ledger compare (app.services.diff_sources folds the
names it lists), so each one a curator adds is kept with its author, like a claim's correction
or a fact's merge. Aliases learnt from the articles' own wording at extraction are not listed:
they come with the claims that taught them.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import DateTime
from sqlmodel import Field, SQLModel


def utcnow() -> datetime:
    return datetime.now(UTC)


class EntityAudit(SQLModel, table=True):
    """A curator's change to an entity: an alias added."""

    __tablename__ = "entity_audit"

    id: int | None = Field(default=None, primary_key=True)
    entity_id: int = Field(foreign_key="entity.id", index=True)
    action: str = Field(max_length=20)  # alias_added
    alias: str = Field(max_length=200)
    actor: str = Field(max_length=200)
    created_at: datetime = Field(default_factory=utcnow, sa_type=DateTime(timezone=True))
