"""Entities: the canonical names claims are about, and the aliases that fold into them."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from app.api import curation_examples
from app.api.deps import EntityDep, SessionDep
from app.api.error_docs import refusal
from app.services import entity_curation
from app.store.models import UTCDateTime

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


def _not_blank(value: str, info: ValidationInfo) -> str:
    if not value.strip():
        raise ValueError(f"{info.field_name} is blank")
    return value  # its spaces are folded where the alias is added or removed


class AliasCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [curation_examples.ALIAS]},
    )

    alias: str = Field(min_length=1, max_length=200, description="Another name for the entity")
    actor: str = Field(min_length=1, max_length=200, description="Who says they are the same")

    not_blank = field_validator("alias", "actor")(_not_blank)


class AliasRemoval(BaseModel):
    """The query of DELETE /entities/{id}/aliases."""

    model_config = ConfigDict(json_schema_extra={"examples": [curation_examples.ALIAS]})

    alias: str = Field(min_length=1, max_length=200, description="The alias to remove")
    actor: str = Field(min_length=1, max_length=200, description="Who removes it")

    not_blank = field_validator("alias", "actor")(_not_blank)


@router.get("", response_model=EntitiesPublic)
def list_entities(
    session: SessionDep,
    q: Annotated[str | None, Query(max_length=200, description="Part of a name")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> EntitiesPublic:
    """List entities, those with the most claims first."""
    rows = entity_curation.list_entities(session, q=q, limit=limit)
    return EntitiesPublic(data=[EntityPublic.model_validate(e) for e in rows], count=len(rows))


@router.post(
    "/{entity_id}/aliases",
    response_model=EntityPublic,
    responses=refusal("No such entity", "entity_404"),
)
def add_alias(entity: EntityDep, body: AliasCreate, session: SessionDep) -> EntityPublic:
    """Teach factdiff that another name means this entity; diffs and the ledger follow it."""
    added = entity_curation.add_alias(session, entity=entity, alias=body.alias, actor=body.actor)
    return EntityPublic.model_validate(added)


@router.delete(
    "/{entity_id}/aliases",
    response_model=EntityPublic,
    responses=refusal("No such entity, or no such alias of it", "entity_404", "alias_404"),
)
def remove_alias(
    entity: EntityDep, query: Annotated[AliasRemoval, Query()], session: SessionDep
) -> EntityPublic:
    """Remove an alias, learnt or added: its claims are theirs again, and it is not relearnt."""
    removed = entity_curation.remove_alias(
        session, entity=entity, alias=query.alias, actor=query.actor
    )
    return EntityPublic.model_validate(removed)


@router.get(
    "/{entity_id}/audit",
    response_model=list[EntityAuditPublic],
    responses=refusal("No such entity", "entity_404"),
)
def read_entity_audit(entity: EntityDep, session: SessionDep) -> list[EntityAuditPublic]:
    """The aliases curators added to an entity or removed: who, when, oldest first."""
    assert entity.id is not None
    rows = entity_curation.audit_of(session, [entity.id])[entity.id]
    return [EntityAuditPublic.model_validate(row) for row in rows]
