"""Entities: the canonical names claims are about, and the aliases that fold into them."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator
from sqlmodel import col, func, select

from app.api import curation_examples
from app.api.deps import EntityDep, SessionDep
from app.api.error_docs import refusal
from app.services import facts
from app.store import entities
from app.store.entity_models import EntityAudit
from app.store.models import Claim, Entity, UTCDateTime

router = APIRouter(prefix="/entities", tags=["entities"])


class EntityPublic(BaseModel):
    model_config = ConfigDict(
        from_attributes=True, json_schema_extra={"examples": [curation_examples.ENTITY]}
    )

    id: int
    name: str
    type: str
    aliases: list[str]


class EntitiesPublic(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [curation_examples.ENTITIES]})

    data: list[EntityPublic]
    count: int


class EntityAuditPublic(BaseModel):
    model_config = ConfigDict(
        from_attributes=True, json_schema_extra={"examples": [curation_examples.ENTITY_AUDIT]}
    )

    id: int
    entity_id: int
    action: str
    alias: str
    actor: str
    created_at: UTCDateTime


class AliasCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [curation_examples.ALIAS]},
    )

    alias: str = Field(min_length=1, max_length=200, description="Another name for the entity")
    actor: str = Field(min_length=1, max_length=200, description="Who says they are the same")

    @field_validator("alias", "actor")
    @classmethod
    def not_blank(cls, value: str, info: ValidationInfo) -> str:
        if not value.strip():
            raise ValueError(f"{info.field_name} is blank")
        return " ".join(value.split())


@router.get("", response_model=EntitiesPublic)
def list_entities(
    session: SessionDep,
    q: Annotated[str | None, Query(max_length=200, description="Part of a name")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> EntitiesPublic:
    """List entities, those with the most claims first."""
    claims = func.count(col(Claim.id))
    query = select(Entity).outerjoin(Claim, col(Claim.entity_id) == col(Entity.id))
    if q:
        query = query.where(func.lower(col(Entity.name)).contains(q.casefold(), autoescape=True))
    query = query.group_by(col(Entity.id)).order_by(claims.desc(), col(Entity.id)).limit(limit)
    rows = session.exec(query).all()
    return EntitiesPublic(data=[EntityPublic.model_validate(e) for e in rows], count=len(rows))


@router.post(
    "/{entity_id}/aliases",
    response_model=EntityPublic,
    responses=refusal("No such entity", "entity_404"),
)
def add_alias(entity: EntityDep, body: AliasCreate, session: SessionDep) -> EntityPublic:
    """Teach factdiff that another name means this entity; diffs and the ledger follow it."""
    alias = body.alias
    assert entity.id is not None
    if alias.casefold() != entity.name.casefold():
        # Kept once, with its author, however many curators add it at once.
        if entities.add_alias(session=session, entity_id=entity.id, alias=alias):
            session.add(EntityAudit(entity_id=entity.id, action="alias_added", alias=alias,
                                    actor=body.actor))  # fmt: skip
        session.commit()
        facts.reassign_names(session, [alias, entity.name])
        session.refresh(entity)
    return EntityPublic.model_validate(entity)


@router.get(
    "/{entity_id}/audit",
    response_model=list[EntityAuditPublic],
    responses=refusal("No such entity", "entity_404"),
)
def read_entity_audit(entity: EntityDep, session: SessionDep) -> list[EntityAuditPublic]:
    """The aliases curators added to an entity: who, when, oldest first."""
    query = select(EntityAudit).where(EntityAudit.entity_id == entity.id)
    rows = session.exec(query.order_by(col(EntityAudit.id))).all()
    return [EntityAuditPublic.model_validate(row) for row in rows]
