"""Migrations match the models, on SQLite and (when a server is there) on PostgreSQL."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from fastapi.testclient import TestClient
from sqlalchemy import Engine, inspect, text
from sqlmodel import Session, SQLModel, select

from alembic import command
from app.api.deps import get_engine, get_llm
from app.api.main import app
from app.core.config import Settings
from app.llm.client import build_client
from app.store import search_index
from app.store.claim_query import ClaimFilter, list_claims
from app.store.db import alembic_config, make_engine, migrate
from app.store.models import Article, Claim
from bench.generate_corpus import populate
from bench.ledger_bench import postgres_engine as throwaway_postgres
from tests.conftest import load_article

TABLES = {"article", "extraction_run", "claim", "rejected_claim", "entity", "alembic_version"}


def assert_migrated(engine: Engine) -> None:
    migrate(engine)
    assert set(inspect(engine).get_table_names()) >= TABLES
    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"include_object": search_index.include_object}
        )
        diff = compare_metadata(context, SQLModel.metadata)
    assert diff == [], f"models and migrations disagree: {diff}"


def test_sqlite_migrates_to_the_models(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'factdiff.db'}")
    assert_migrated(engine)
    migrate(engine)  # a second start-up is a no-op
    with engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"


POSTGRES_URL = os.environ.get("FACTDIFF_TEST_POSTGRES_URL")


@contextmanager
def postgres_database() -> Iterator[Engine]:
    """An empty database of its own on the test server, dropped after."""
    if not POSTGRES_URL:
        pytest.skip("FACTDIFF_TEST_POSTGRES_URL is not set (scripts/postgres.sh starts a server)")
    with throwaway_postgres(POSTGRES_URL, prefix="factdiff_test") as engine:
        yield engine


@pytest.fixture
def postgres_engine() -> Iterator[Engine]:
    with postgres_database() as engine:
        yield engine


@pytest.fixture
def postgres_http(postgres_engine: Engine, settings: Settings) -> Iterator[TestClient]:
    """The app over a migrated PostgreSQL database of its own."""
    assert_migrated(postgres_engine)
    client = build_client(settings)
    app.dependency_overrides[get_engine] = lambda: postgres_engine
    app.dependency_overrides[get_llm] = lambda: client
    try:
        yield TestClient(app)
    finally:
        app.dependency_overrides.clear()


@pytest.mark.postgres
def test_postgres_end_to_end(postgres_http: TestClient, postgres_engine: Engine) -> None:
    french = load_article("kenya-haiti-fr")
    first = postgres_http.post("/articles", json=french)
    again = postgres_http.post("/articles", json=french)
    figures = postgres_http.post("/articles", json=load_article("kenya-haiti-270"))

    assert first.status_code == 201 and again.status_code == 201
    assert again.json()["reused"] is True
    assert figures.status_code == 201
    with Session(postgres_engine) as session:
        assert len(session.exec(select(Article)).all()) == 2
        claims = session.exec(
            select(Claim).where(Claim.article_id == first.json()["article"]["id"])
        )
        for claim in claims:
            assert french["text"][claim.char_start : claim.char_end] == claim.evidence_quote
    pledge = next(
        c for c in first.json()["claims"] if c["quantity"] and c["quantity"]["value"] == 1000
    )
    assert (pledge["evidence"]["char_start"], pledge["evidence"]["char_end"]) == (370, 414)
    assert pledge["evidence"]["match"] == "normalized"


@pytest.mark.postgres
def test_postgres_text_search_is_served_by_the_trigram_index(
    postgres_http: TestClient, postgres_engine: Engine
) -> None:
    stored = postgres_http.post("/articles", json=load_article("kenya-haiti-270")).json()
    found = postgres_http.get("/claims", params={"q": "PLEDGED OVER $300"}).json()["data"]

    def mentions(c: dict[str, str]) -> bool:
        return any(
            "pledged over $300" in t.casefold() for t in (c["statement"], c["evidence"]["quote"])
        )

    assert [c["id"] for c in found] == [c["id"] for c in stored["claims"] if mentions(c)] != []
    with postgres_engine.connect() as connection:
        connection.execute(text("SET enable_seqscan = off"))
        plan = "\n".join(
            row[0]
            for row in connection.execute(
                text(
                    "EXPLAIN SELECT id FROM claim WHERE "
                    f"{search_index.POSTGRES_INDEXED_EXPRESSION} LIKE '%jomoqkenyatta%'"
                )
            )
        )
    assert search_index.POSTGRES_INDEX in plan


@pytest.mark.postgres
def test_postgres_plans_every_search_for_its_own_text(postgres_engine: Engine) -> None:
    # psycopg prepares a statement run five times on a connection; a plan made once for any
    # search text walks the whole table. Each call must be planned for its own values.
    migrate(postgres_engine)
    populate(postgres_engine, articles=20, claims_version="v1")  # "Org N deployed"
    with Session(postgres_engine) as session:
        mode = session.execute(text("SHOW plan_cache_mode")).scalar()
        for n in range(12):
            list_claims(
                session=session, filters=ClaimFilter(q=f"Org {n} deployed"), cursor=None, limit=5
            )
        plans = session.execute(
            text(
                "SELECT generic_plans, custom_plans FROM pg_prepared_statements "
                "WHERE statement LIKE 'SELECT claim.id,%'"
            )
        ).all()

    assert mode == "force_custom_plan"
    assert [tuple(p) for p in plans] == [(0, 7)]


@pytest.mark.postgres
def test_postgres_search_index_keeps_a_short_pending_list(postgres_engine: Engine) -> None:
    migrate(postgres_engine)
    with postgres_engine.connect() as connection:
        options = connection.execute(
            text("SELECT reloptions FROM pg_class WHERE relname = :name"),
            {"name": search_index.POSTGRES_INDEX},
        ).scalar()

    assert options == ["gin_pending_list_limit=256"]


def pg_search_objects(engine: Engine) -> tuple[set[str], list[str]]:
    """The trigram indexes on claim, and its columns named search_text."""
    with engine.connect() as connection:
        indexes = connection.execute(
            text("SELECT indexname FROM pg_indexes WHERE tablename = 'claim'")
        ).scalars()
        columns = connection.execute(
            text(
                "SELECT column_name FROM information_schema.columns "
                "WHERE table_name = 'claim' AND column_name = 'search_text'"
            )
        ).scalars()
        return {i for i in indexes if "trgm" in i}, list(columns)


@pytest.mark.postgres
def test_postgres_search_text_is_stored_kept_current_and_migrates_both_ways(
    postgres_http: TestClient, postgres_engine: Engine
) -> None:
    stored = postgres_http.post("/articles", json=load_article("kenya-haiti-270")).json()
    first = stored["claims"][0]
    with postgres_engine.begin() as connection:
        connection.execute(
            text("UPDATE claim SET statement = 'Kenya sent 270 Officers.' WHERE id = :id"),
            {"id": first["id"]},
        )
        kept = connection.execute(
            text("SELECT search_text FROM claim WHERE id = :id"), {"id": first["id"]}
        ).scalar()
    assert kept == "kenya sent 270 officers.\x1f" + first["evidence"]["quote"].lower()
    assert pg_search_objects(postgres_engine) == ({"ix_claim_search_text_trgm"}, ["search_text"])

    config = alembic_config()
    with postgres_engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "c3a8e1f47d62")
    assert pg_search_objects(postgres_engine) == ({"ix_claim_text_trgm_spaced"}, [])

    assert_migrated(postgres_engine)
    assert pg_search_objects(postgres_engine) == ({"ix_claim_search_text_trgm"}, ["search_text"])
    found = postgres_http.get("/claims", params={"q": "SENT 270 officers"}).json()["data"]
    assert [c["id"] for c in found] == [first["id"]]


def test_sqlite_canonical_fact_fields_migrate_down_and_up_again(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'factdiff.db'}")
    migrate(engine)
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "e97397b1fa21")
    columns = {c["name"] for c in inspect(engine).get_columns("claim")}
    assert not columns & {"fact_kind", "unit_kind", "aspect"}
    assert "object_entity_id" in columns  # SQLite cannot drop a column holding a reference
    assert_migrated(engine)  # and up again, to the models


# Each process imports the app, says it is ready, waits for the word, then migrates: the
# service and the workers that compose starts together, all at their first migration.
MIGRATE_WHEN_TOLD = """
import pathlib, sys, time
from app.store import db
engine = db.make_engine(sys.argv[1])
ready, go = pathlib.Path(sys.argv[2]), pathlib.Path(sys.argv[3])
ready.touch()
while not go.exists():
    time.sleep(0.005)
db.migrate(engine)
"""


def test_processes_starting_together_migrate_one_at_a_time(
    postgres_engine: Engine, tmp_path: Path
) -> None:
    url = postgres_engine.url.render_as_string(hide_password=False)
    go = tmp_path / "go"
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", MIGRATE_WHEN_TOLD, url, str(tmp_path / f"ready-{i}"), str(go)],
            stderr=subprocess.PIPE,
            text=True,
        )
        for i in range(4)
    ]
    deadline = time.monotonic() + 60
    while not all((tmp_path / f"ready-{i}").exists() for i in range(4)):
        assert time.monotonic() < deadline, "the processes did not start"
        time.sleep(0.01)
    go.touch()

    errors = [p.communicate(timeout=60)[1] for p in processes]

    failed = [[line for line in e.splitlines() if "Error" in line][-1:] for e in errors if e]
    assert [p.returncode for p in processes] == [0, 0, 0, 0], failed
    assert_migrated(postgres_engine)
