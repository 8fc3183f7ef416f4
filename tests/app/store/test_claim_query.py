"""Which entities GET /claims?entity= stands for: found by key and alias, not by a full scan."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from app.store.claim_query import _entity_ids
from app.store.db import migrate
from app.store.entities import entity_key
from app.store.models import Entity
from tests.app.store.test_db import postgres_database


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request: pytest.FixtureRequest, engine: Engine) -> Iterator[Session]:
    """A session on the test's SQLite database, or on a PostgreSQL one."""
    if request.param == "sqlite":
        with Session(engine) as session:
            yield session
        return
    with postgres_database() as pg:
        migrate(pg)
        with Session(pg) as session:
            yield session


def add(session: Session, name: str, type_: str, aliases: list[str] | None = None) -> int:
    entity = Entity(key=entity_key(name), name=name, type=type_, aliases=aliases or [])
    session.add(entity)
    session.commit()
    assert entity.id is not None
    return entity.id


def test_entities_by_name_alias_case_and_spacing(db: Session) -> None:
    session = db
    country = add(session, "Kenya", "country")
    government = add(session, "Kenyan government", "government", ["Nairobi", "Kenya  Gov"])
    add(session, "Haiti", "country")
    # Its key ends in ":kenya", as keys by type and name did.
    mission = add(session, "Mission:Kenya", "organization")

    assert _entity_ids(session, "kenya") == [country]
    assert _entity_ids(session, "  KENYA ") == [country]
    assert _entity_ids(session, "NAIROBI") == [government]
    assert _entity_ids(session, "kenya gov") == [government]
    assert _entity_ids(session, "Kenyan   Government") == [government]
    assert _entity_ids(session, "mission:kenya") == [mission]
    assert _entity_ids(session, "Atlantis") == []


def test_like_wildcards_in_a_name_are_literal(db: Session) -> None:
    session = db
    add(session, "Kenya", "country")
    percent = add(session, "100% Kenya", "organization")

    assert _entity_ids(session, "100% kenya") == [percent]
    assert _entity_ids(session, "% kenya") == []
    assert _entity_ids(session, "_enya") == []
