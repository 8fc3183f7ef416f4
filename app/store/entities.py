"""Entities: the canonical names claims are about, their keys, and the aliases that fold in.

Keyword-only functions over a session or engine, like app.store.crud.
"""

from __future__ import annotations

import random
import time
import weakref
from collections.abc import Sequence
from typing import Any

from sqlalchemy import (
    JSON,
    ColumnElement,
    Engine,
    Text,
    cast,
    literal,
    literal_column,
    not_,
    update,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlmodel import Session, col, func, select

from app.core.names import describes, shortens
from app.extract.validation import GroundedClaim
from app.store.entity_models import EntityAction, EntityAudit
from app.store.models import (
    Entity,
)
from schemas import Entity as SchemaEntity
from schemas import ExtractedClaim


def fold_name(name: str) -> str:
    """A name as entities are matched: case and runs of whitespace do not count."""
    return " ".join(name.casefold().split())


def entity_key(name: str) -> str:
    """An entity's unique key: its canonical name, folded. Its type is left out, as diffs and
    the ledger leave it out: "Kenya" the country and "Kenya" the government are one entity."""
    return fold_name(name)


# A mention is worth keeping as an alias only when it names the entity: "Nairobi" for the
# Kenyan government, not "it", "they" or "the deployment".
_NOT_A_NAME = frozenset(
    "a an the it its they them their he him his she her we our this that these those "
    "officials le la les il elle ils elles un une".split()
)


def is_alias(mention: str, name: str) -> bool:
    """Whether the article's wording names the entity in its own right: "Nairobi" for
    "Kenya", "Kenyan police" for "Kenya"; not "it", nor the name cut short ("Police" for
    "Drovenian police"), which would fold other stories' police into this one. Nor a name
    given to a description ("Halvard Terminals" for "the company"): the alias would outrank
    the name, and fold Halvard Terminals into every story's "the company"."""
    words = mention.split()
    return (
        bool(words)
        and mention.casefold() != name.casefold()
        and words[0][:1].isupper()
        and words[0].casefold() not in _NOT_A_NAME
        and not shortens(mention, name)
        and not describes(name)
    )


def add_alias(*, session: Session, entity_id: int, alias: str) -> bool:
    """Append ``alias`` to the entity's aliases unless there already; True when added.

    One UPDATE that appends to the stored list, so additions racing each other are all kept
    (a list read, extended and written back keeps only the last writer's). PostgreSQL makes a
    racing UPDATE wait for the first to commit, then applies it to the row as committed;
    SQLite runs one writer at a time.
    """
    aliases = col(Entity.aliases)
    appended: ColumnElement[Any]
    absent: ColumnElement[bool]
    if session.get_bind().dialect.name == "postgresql":
        item = func.jsonb_build_array(cast(literal(alias), Text))
        appended = cast(cast(aliases, JSONB).op("||")(item), JSON)
        absent = not_(cast(aliases, JSONB).op("@>", is_comparison=True)(item))
    else:
        appended = func.json_insert(aliases, "$[#]", alias)
        listed = select(literal(1)).select_from(func.json_each(aliases).table_valued("value"))
        absent = ~listed.where(literal_column("value") == alias).exists()
    statement = (
        update(Entity)
        .where(col(Entity.id) == entity_id, absent)
        .values(aliases=appended)
        .execution_options(synchronize_session=False)
    )
    added: bool = session.execute(statement).rowcount == 1  # type: ignore[attr-defined]
    return added


def remove_alias(*, session: Session, entity_id: int, alias: str) -> bool:
    """Take ``alias`` out of the entity's aliases; True when it was there.

    One UPDATE, like `add_alias`, so that removals and additions racing each other are all
    kept, and of two curators removing one alias at once exactly one removes it.
    """
    aliases = col(Entity.aliases)
    kept: ColumnElement[Any]
    present: ColumnElement[bool]
    if session.get_bind().dialect.name == "postgresql":
        item = func.jsonb_build_array(cast(literal(alias), Text))
        kept = cast(cast(aliases, JSONB).op("-")(cast(literal(alias), Text)), JSON)
        present = cast(aliases, JSONB).op("@>", is_comparison=True)(item)
    else:
        values = func.json_each(aliases).table_valued("value")
        others = select(func.json_group_array(literal_column("value"))).select_from(values)
        kept = others.where(literal_column("value") != alias).scalar_subquery()
        listed = select(literal(1)).select_from(func.json_each(aliases).table_valued("value"))
        present = listed.where(literal_column("value") == alias).exists()
    statement = (
        update(Entity)
        .where(col(Entity.id) == entity_id, present)
        .values(aliases=kept)
        .execution_options(synchronize_session=False)
    )
    removed: bool = session.execute(statement).rowcount == 1  # type: ignore[attr-defined]
    return removed


def removed_by_curator(*, session: Session, entity_id: int, alias: str) -> bool:
    """Whether a curator's last word on this alias of the entity was to remove it: the
    articles' wording does not teach it again."""
    last = session.exec(
        select(EntityAudit.action)
        .where(EntityAudit.entity_id == entity_id, EntityAudit.alias == alias)
        .order_by(col(EntityAudit.id).desc())
        .limit(1)
    ).first()
    return last == EntityAction.alias_removed.value


def upsert_entity(*, session: Session, name: str, type_: str, mention: str | None) -> Entity:
    """The entity row for a canonical name, learning the article's wording as an alias."""
    key = entity_key(name)
    entity = session.exec(select(Entity).where(Entity.key == key)).first()
    if entity is None:
        entity = Entity(key=key, name=name, type=type_, aliases=[])
        session.add(entity)
        session.flush()
    assert entity.id is not None
    if (
        mention
        and is_alias(mention, entity.name)
        and mention not in entity.aliases
        and not removed_by_curator(session=session, entity_id=entity.id, alias=mention)
        and add_alias(session=session, entity_id=entity.id, alias=mention)
    ):
        session.refresh(entity, ["aliases"])
    return entity


def entities_by_id(*, session: Session, ids: set[int]) -> dict[int, Entity]:
    """The entity rows of these ids, in one query."""
    if not ids:
        return {}
    rows = session.exec(select(Entity).where(col(Entity.id).in_(sorted(ids)))).all()
    return {row.id: row for row in rows if row.id is not None}


# Claim fields stored in their own columns; anything else a schema adds goes to Claim.extra.


# Entity ids (and aliases) this process has seen, per database: most claims are about a
# known entity, which then costs no query. Rows are never deleted, so an id stays valid.
_known_entities: weakref.WeakKeyDictionary[Engine, dict[str, tuple[int, frozenset[str]]]] = (
    weakref.WeakKeyDictionary()
)


def claim_entities(claim: ExtractedClaim) -> list[SchemaEntity]:
    """The entities a claim names: its subject, and its object entity when it has one (v2)."""
    obj: SchemaEntity | None = getattr(claim, "object_entity", None)
    return [claim.subject] if obj is None else [claim.subject, obj]


def register_entities(*, engine: Engine, claims: Sequence[GroundedClaim]) -> dict[str, int]:
    """Entity ids for the claims' subjects and object entities, each created once however
    many runs race.

    Its own short transaction, retried: entities are shared reference data, so two runs
    finishing at once may both create one, and the loser must not lose its claims for it.
    """
    known = _known_entities.setdefault(engine, {})
    learned: dict[str, tuple[int, frozenset[str]]] = {}
    subjects = {}
    for subject in (e for grounded in claims for e in claim_entities(grounded.claim)):
        key = entity_key(subject.name)
        mention = (
            subject.mention if subject.mention and is_alias(subject.mention, subject.name) else None
        )
        if key not in known or (mention and mention not in known[key][1]):
            subjects[(key, mention)] = subject
    for attempt in range(5):
        if not subjects:
            break
        try:
            with Session(engine) as session:
                for subject in subjects.values():
                    entity = upsert_entity(
                        session=session,
                        name=subject.name,
                        type_=subject.type.value,
                        mention=subject.mention,
                    )
                    assert entity.id is not None
                    # The mention is settled either way: learnt, or refused by a curator.
                    seen = {subject.mention} if subject.mention else set()
                    learned[entity.key] = (entity.id, frozenset(entity.aliases) | seen)
                session.commit()
            known.update(learned)
            break
        except (IntegrityError, OperationalError):
            learned.clear()
            if attempt == 4:
                raise
            time.sleep(0.05 * (attempt + 1) * (1 + random.random()))
    return {key: entity_id for key, (entity_id, _) in known.items()}
