"""Curation of entities: the names a story's actors go by, and who taught them.

Shared by the API (`/entities`) and the entities page. An alias changes what every diff and
the ledger compare, so the facts of the claims it names are assigned again, and each alias a
curator adds or removes is audited once, however many do it at once.
"""

from __future__ import annotations

from sqlmodel import Session, col, func, select

from app.services import facts
from app.services.errors import ErrorKind, ServiceError
from app.store import entities
from app.store.entity_models import EntityAction, EntityAudit
from app.store.models import Claim, Entity


def list_entities(session: Session, *, q: str | None, limit: int) -> list[Entity]:
    """Entities whose name holds ``q``, those with the most claims first."""
    claims = func.count(col(Claim.id))
    query = select(Entity).outerjoin(Claim, col(Claim.entity_id) == col(Entity.id))
    if q:
        query = query.where(func.lower(col(Entity.name)).contains(q.casefold(), autoescape=True))
    query = query.group_by(col(Entity.id)).order_by(claims.desc(), col(Entity.id)).limit(limit)
    return list(session.exec(query).all())


def add_alias(session: Session, *, entity: Entity, alias: str, actor: str) -> Entity:
    """Teach that ``alias`` means ``entity``; audited when it is new. Runs of spaces in the
    alias and the actor count as one. The entity's own name is no alias of it, and is left
    alone.

    Only the claims named by the alias (as subject, or in the article's words) change entity,
    so only their facts are clustered again: they meet the entity's facts as they stand. The
    entity's own claims keep theirs: clustered again after the other subjects' facts, in one
    pass, they need not fall as they did (an alias no claim used took a source out of the
    seed story's deployment conflict).
    """
    assert entity.id is not None
    alias, actor = " ".join(alias.split()), " ".join(actor.split())
    if alias.casefold() == entity.name.casefold():
        return entity
    if entities.add_alias(session=session, entity_id=entity.id, alias=alias):
        _audit_and_reassign(session, entity, EntityAction.alias_added, alias, actor)
    session.refresh(entity)
    return entity


def remove_alias(session: Session, *, entity: Entity, alias: str, actor: str) -> Entity:
    """Take ``alias`` out of the entity's names, learnt or added by hand; audited. The claims
    it named are theirs again, so their facts are assigned again, and later articles do not
    teach it again. Refused (not found) when the entity has no such alias, also when another
    curator removed it first."""
    assert entity.id is not None
    alias, actor = " ".join(alias.split()), " ".join(actor.split())
    if not entities.remove_alias(session=session, entity_id=entity.id, alias=alias):
        session.rollback()
        raise ServiceError(ErrorKind.not_found, f"entity {entity.id} has no alias {alias!r}")
    _audit_and_reassign(session, entity, EntityAction.alias_removed, alias, actor)
    session.refresh(entity)
    return entity


def _audit_and_reassign(
    session: Session, entity: Entity, action: EntityAction, alias: str, actor: str
) -> None:
    """Audit a change to the entity's aliases, commit it with the change, and send the facts
    of the claims the alias names back to assignment."""
    assert entity.id is not None
    session.add(EntityAudit(entity_id=entity.id, action=action.value, alias=alias, actor=actor))
    session.commit()
    facts.reassign_names(session, [alias])


def audit_of(session: Session, entity_ids: list[int]) -> dict[int, list[EntityAudit]]:
    """The aliases curators added to these entities or removed, oldest first, by entity."""
    rows = session.exec(
        select(EntityAudit)
        .where(col(EntityAudit.entity_id).in_(entity_ids))
        .order_by(col(EntityAudit.id))
    ).all()
    found: dict[int, list[EntityAudit]] = {i: [] for i in entity_ids}
    for row in rows:
        found[row.entity_id].append(row)
    return found
