"""Who taught factdiff that a name means an entity, and when: the aliases curators add and
remove.

An alias changes what every diff and the ledger compare (app.services.diff_sources folds the
names it lists), so each one a curator adds is kept with its author, like a claim's correction
or a fact's merge. Aliases learnt from the articles' own wording at extraction are not listed:
they come with the claims that taught them. A curator can remove either kind; a removed alias
is not learnt again from later articles (app.store.entities.removed_by_curator).
"""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum

from sqlalchemy import DateTime
from sqlmodel import Field, SQLModel


def utcnow() -> datetime:
    return datetime.now(UTC)


class EntityAction(StrEnum):
    alias_added = "alias_added"
    alias_removed = "alias_removed"


class EntityAudit(SQLModel, table=True):
    """A curator's change to an entity: an alias added or removed."""

    __tablename__ = "entity_audit"

    id: int | None = Field(default=None, primary_key=True)
    entity_id: int = Field(foreign_key="entity.id", index=True)
    action: str = Field(max_length=20)  # EntityAction
    alias: str = Field(max_length=200)
    actor: str = Field(max_length=200)
    created_at: datetime = Field(default_factory=utcnow, sa_type=DateTime(timezone=True))
