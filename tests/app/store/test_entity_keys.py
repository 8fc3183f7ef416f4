"""One entity per canonical name: the samples list each entity once, and the migration merges
the duplicates an older database holds (claims and aliases with them), on SQLite and
PostgreSQL."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from alembic import command
from app.api.deps import get_engine, get_llm
from app.api.main import app
from app.cli.main import post_samples
from app.core.config import Settings, get_settings
from app.llm.client import build_client
from app.store import db
from app.store.entities import fold_name
from tests.app.conftest import serving

MERGE_REVISION = "1a1242f10c35"


@pytest.fixture
def engine_of(database_url: str) -> Iterator[Engine]:
    engine = db.make_engine(database_url)
    yield engine
    engine.dispose()


def test_load_samples_lists_each_entity_once(engine_of: Engine, settings: Settings) -> None:
    app.dependency_overrides[get_engine] = lambda: engine_of
    app.dependency_overrides[get_settings] = lambda: settings
    llm = build_client(settings)
    app.dependency_overrides[get_llm] = lambda: llm
    try:
        with serving() as url:
            assert post_samples(url) == 0  # failures
            entities = httpx.get(f"{url}/entities", params={"limit": 1000}).json()["data"]
            kenya = httpx.get(f"{url}/claims", params={"entity": "Kenya", "limit": 500}).json()
    finally:
        app.dependency_overrides.clear()

    names = Counter(fold_name(e["name"]) for e in entities)
    assert [name for name, n in names.items() if n > 1] == []
    assert {"kenya", "haiti", "united states"} <= set(names)
    # Claims about Kenya as a country and as a government, under the one entity.
    assert {c["subject"]["type"] for c in kenya["data"]} == {"country", "government"}


def migrate_to(engine: Engine, revision: str, *, down: bool = False) -> None:
    config = db.alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        (command.downgrade if down else command.upgrade)(config, revision)


ENTITIES = [  # id, key as the previous revision made it, name, type, aliases
    (1, "country:kenya", "Kenya", "country", ["Nairobi"]),
    (2, "government:kenya", "Kenya", "government", ["Kenyan government", "nairobi"]),
    (3, "country:haiti", "Haiti", "country", []),
    (4, "government:haiti", "HAITI", "government", ["Port-au-Prince", "Haiti"]),
    (5, "person:william ruto", "William Ruto", "person", ["President Ruto"]),
    (6, "government:kenya  ", "Kenya ", "government", ["Ruto's government"]),
]
CLAIM_ENTITIES = [1, 2, 2, 3, 4, 5, 6, None]  # subjects
CLAIM_OBJECTS = [4, 3, None, 2, 6, 1, None, 4]


def seed_duplicates(engine: Engine) -> None:
    """Entities and claims as the previous revision stored them, in its own columns."""
    tables = sa.MetaData()
    tables.reflect(engine, only=["article", "entity", "claim"])
    article, entity, claim = (tables.tables[t] for t in ("article", "entity", "claim"))
    now = datetime(2025, 1, 18, tzinfo=UTC)
    with engine.begin() as connection:
        connection.execute(
            article.insert().values(id=1, content_hash="0" * 64, text="Kenya.", created_at=now)
        )
        connection.execute(
            entity.insert(),
            [
                {"id": i, "key": k, "name": n, "type": t, "aliases": a, "created_at": now}
                for i, k, n, t, a in ENTITIES
            ],
        )
        connection.execute(
            claim.insert(),
            [
                {
                    "id": n + 1, "run_id": None, "article_id": 1, "entity_id": entity_id,
                    "object_entity_id": object_id,
                    "statement": f"Claim {n}.", "claim_type": "event", "subject_name": "Kenya",
                    "subject_type": "country", "predicate": "said", "modality": "asserted",
                    "evidence_quote": "Kenya", "char_start": 0, "char_end": 5,
                    "match_kind": "exact", "match_score": 100.0, "created_at": now,
                }
                for n, (entity_id, object_id) in enumerate(
                    zip(CLAIM_ENTITIES, CLAIM_OBJECTS, strict=True)
                )
            ],
        )  # fmt: skip


def stored(engine: Engine) -> tuple[list[tuple[Any, ...]], list[tuple[int | None, ...]]]:
    with engine.connect() as connection:
        entities = connection.execute(
            sa.text("SELECT id, key, name, type, aliases FROM entity ORDER BY id")
        ).all()
        claims = connection.execute(
            sa.text("SELECT entity_id, object_entity_id FROM claim ORDER BY id")
        ).all()
        return [tuple(row) for row in entities], [tuple(row) for row in claims]


def test_the_migration_merges_entities_whose_names_fold_alike(engine_of: Engine) -> None:
    script = ScriptDirectory.from_config(db.alembic_config())
    previous = script.get_revision(MERGE_REVISION).down_revision
    assert isinstance(previous, str)
    migrate_to(engine_of, previous)
    seed_duplicates(engine_of)

    db.migrate(engine_of)

    entities, claims = stored(engine_of)

    def aliases(value: Any) -> Any:  # SQLite hands JSON back as text
        return value if isinstance(value, list) else json.loads(value)

    assert [(i, k, n, t, aliases(a)) for i, k, n, t, a in entities] == [
        (1, "kenya", "Kenya", "country", ["Nairobi", "Kenyan government", "Ruto's government"]),
        (3, "haiti", "Haiti", "country", ["Port-au-Prince"]),
        (5, "william ruto", "William Ruto", "person", ["President Ruto"]),
    ]
    assert claims == [(1, 3), (1, 3), (1, None), (3, 1), (3, 1), (5, 1), (1, None), (None, 3)]

    migrate_to(engine_of, previous, down=True)
    keys = [key for _, key, *_ in stored(engine_of)[0]]
    assert keys == ["country:kenya", "country:haiti", "person:william ruto"]
