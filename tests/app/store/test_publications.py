"""Publications: one per outlet and url carrying a text, stored once however requests race,
and made for every existing article by the migration, on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, insert, text
from sqlmodel import Session, SQLModel, col, select

from alembic import command
from app.store.crud import get_or_create_article
from app.store.db import alembic_config, make_engine, stamp_head
from app.store.models import Article, ArticleCreate, Publication
from app.store.publications import get_or_create_publication, publication_identity
from tests.app.store.test_db import assert_migrated, postgres_database

WIRE = "Kenya sent 217 more officers to Haiti on Saturday, the mission said."
BEFORE = "e5b1d2f08a46"  # a revision before publications (and fact clusters)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def any_engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    if request.param == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'factdiff.db'}")
        SQLModel.metadata.create_all(engine)
        stamp_head(engine)
        yield engine
        engine.dispose()
        return
    with postgres_database() as engine:
        assert_migrated(engine)
        yield engine


def submit(engine: Engine, **fields: str | None) -> tuple[int, bool]:
    with Session(engine) as session:
        article_in = ArticleCreate.model_validate({"text": WIRE, **fields})
        article = get_or_create_article(session=session, article_in=article_in)
        publication, created = get_or_create_publication(
            session=session, article=article, article_in=article_in
        )
        assert publication.id is not None
        return publication.id, created


def race(engine: Engine, bodies: list[dict[str, str | None]]) -> list[tuple[int, bool]]:
    barrier = threading.Barrier(len(bodies))
    results: list[tuple[int, bool]] = []
    errors: list[BaseException] = []

    def work(body: dict[str, str | None]) -> None:
        barrier.wait()
        try:
            results.append(submit(engine, **body))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(b,)) for b in bodies]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    return results


def stored(engine: Engine) -> list[tuple[int, str | None, str | None]]:
    with Session(engine) as session:
        rows = session.exec(select(Publication).order_by(col(Publication.id))).all()
        return [(p.article_id, p.outlet, p.url) for p in rows]


def test_identity_is_outlet_and_url_blanks_aside() -> None:
    assert publication_identity(" Harbor Wire ", "") == publication_identity("Harbor Wire", None)
    assert publication_identity("Harbor Wire", None) != publication_identity("Harbor Wire", "u")
    assert publication_identity("a", "b") != publication_identity("ab", None)


def test_racing_identical_submissions_store_one_publication(any_engine: Engine) -> None:
    body: dict[str, str | None] = {"outlet": "Harbor Wire", "url": "https://h.example/1"}

    results = race(any_engine, [body] * 8)

    assert len({pid for pid, _ in results}) == 1
    assert sorted(created for _, created in results) == [False] * 7 + [True]
    # One article, whatever its id: on PostgreSQL an insert that lost the race still took a
    # number from the sequence, so the winner's may be 2.
    with Session(any_engine) as session:
        (article,) = session.exec(select(Article)).all()
    assert stored(any_engine) == [(article.id, "Harbor Wire", "https://h.example/1")]


def test_racing_outlets_each_keep_their_publication(any_engine: Engine) -> None:
    outlets = [f"Outlet {n}" for n in range(6)]

    results = race(any_engine, [{"outlet": o} for o in outlets])

    assert all(created for _, created in results)
    rows = stored(any_engine)
    assert sorted(outlet or "" for _, outlet, _ in rows) == outlets
    with Session(any_engine) as session:
        (article,) = session.exec(select(Article)).all()
    assert {article_id for article_id, _, _ in rows} == {article.id}


def migrate_existing(engine: Engine) -> list[tuple[int, str | None, str | None, str | None]]:
    """Articles stored before publications existed, then the migration; its publications."""
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, BEFORE)
    published = datetime(2025, 1, 18, 9, tzinfo=UTC)
    with engine.begin() as connection:
        connection.execute(
            insert(Article.__table__),  # type: ignore[attr-defined]
            [
                {"id": 1, "content_hash": "a" * 64, "text": "one", "outlet": "Harbor Wire",
                 "url": "https://h.example/1", "title": "One", "published_at": published,
                 "created_at": published},
                {"id": 2, "content_hash": "b" * 64, "text": "two", "outlet": None, "url": None,
                 "title": None, "published_at": None, "created_at": published},
            ],
        )  # fmt: skip
    assert_migrated(engine)
    with Session(engine) as session:
        rows = session.exec(select(Publication).order_by(col(Publication.article_id))).all()
        assert [p.identity for p in rows] == [
            publication_identity("Harbor Wire", "https://h.example/1"),
            publication_identity(None, None),
        ]
        assert rows[0].published_at is not None
        assert rows[0].published_at.replace(tzinfo=UTC) == published
        return [(p.article_id, p.outlet, p.url, p.title) for p in rows]


EXPECTED = [(1, "Harbor Wire", "https://h.example/1", "One"), (2, None, None, None)]


def test_migration_gives_every_existing_article_its_publication(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'factdiff.db'}")

    assert migrate_existing(engine) == EXPECTED

    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, BEFORE)
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM article")).scalar() == 2
        tables = connection.execute(text("SELECT name FROM sqlite_master")).scalars().all()
    assert "publication" not in tables


@pytest.mark.postgres
def test_migration_on_postgres() -> None:
    with postgres_database() as engine:
        assert migrate_existing(engine) == EXPECTED
