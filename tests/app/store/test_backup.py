"""Backup and restore, done once for real on each backend: the same claims come back."""

from __future__ import annotations

import glob
import subprocess
import uuid
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlmodel import Session, col, select
from typer.testing import CliRunner

from app.api.deps import get_engine
from app.api.main import app
from app.cli.main import app as cli
from app.core.config import Settings
from app.store.backup import BackupError, backup_sqlite
from app.store.db import make_engine, migrate
from app.store.models import Article, Claim
from tests.app.store.test_db import postgres_engine  # noqa: F401  (fixture)
from tests.conftest import ClientFactory, load_article

Row = tuple[int, str, str, int, int]


def store_samples(make_client: ClientFactory, settings: Settings, engine: Engine) -> None:
    client = make_client(settings)
    app.dependency_overrides[get_engine] = lambda: engine
    for stem in ("kenya-haiti-217", "kenya-haiti-270"):
        assert client.post("/articles", json=load_article(stem)).status_code == 201


def claims_of(engine: Engine) -> list[Row]:
    """Each claim with its article, evidence and offsets, as a reader checks them."""
    with Session(engine) as session:
        rows = session.exec(select(Claim).order_by(col(Claim.id))).all()
        return [
            (c.article_id, c.statement, c.evidence_quote, c.char_start, c.char_end) for c in rows
        ]


def test_sqlite_online_backup_restores_the_same_claims(
    make_client: ClientFactory, settings: Settings, engine: Engine, tmp_path: Path
) -> None:
    store_samples(make_client, settings, engine)
    before = claims_of(engine)
    assert len(before) > 2
    copy = tmp_path / "backup.db"

    # The service is writing while the copy is taken: its uncommitted row stays out.
    with Session(engine) as writer:
        writer.add(Article(content_hash="0" * 64, text="Not committed."))
        writer.flush()
        pages = backup_sqlite(str(engine.url), copy)
        writer.rollback()

    assert pages > 0
    restored = make_engine(f"sqlite:///{copy}")
    migrate(restored)  # what the service does at start-up: nothing to do
    assert claims_of(restored) == before
    with Session(restored) as session:
        articles = session.exec(select(Article)).all()
        assert len(articles) == 2
        for article_id, _, quote, start, end in before:
            article = session.get(Article, article_id)
            assert article is not None and article.text[start:end] == quote
    restored.dispose()


def test_the_backup_command_refuses_what_it_cannot_copy(tmp_path: Path) -> None:
    with pytest.raises(BackupError, match="postgresql is backed up with its own tools"):
        backup_sqlite("postgresql+psycopg://u@h/db", tmp_path / "x.db")
    (tmp_path / "taken.db").touch()
    db_url = f"sqlite:///{tmp_path / 'missing.db'}"
    with pytest.raises(BackupError, match="no database at"):
        backup_sqlite(db_url, tmp_path / "new.db")

    runner = CliRunner()
    result = runner.invoke(
        cli, ["backup", str(tmp_path / "taken.db")], env={"FACTDIFF_DATABASE_URL": db_url}
    )
    assert result.exit_code == 1
    assert "no database at" in result.output


def postgres_tool(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if not found:
        pytest.skip(f"{name} is not installed (Debian's postgresql-client package)")
    return found[-1]


def libpq_url(engine: Engine, database: str | None = None) -> str:
    url = engine.url.set(drivername="postgresql")
    if database:
        url = url.set(database=database)
    return url.render_as_string(hide_password=False)


@pytest.mark.postgres
def test_postgres_dump_and_restore_give_the_same_claims(
    make_client: ClientFactory,
    settings: Settings,
    postgres_engine: Engine,  # noqa: F811
    tmp_path: Path,
) -> None:
    pg_dump, pg_restore = postgres_tool("pg_dump"), postgres_tool("pg_restore")
    migrate(postgres_engine)
    store_samples(make_client, settings, postgres_engine)
    before = claims_of(postgres_engine)
    dump = tmp_path / "factdiff.dump"

    subprocess.run([pg_dump, "-Fc", "-f", str(dump), libpq_url(postgres_engine)], check=True)

    name = f"factdiff_restore_{uuid.uuid4().hex[:8]}"
    admin = create_engine(postgres_engine.url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    restored = make_engine(postgres_engine.url.set(database=name).render_as_string(False))
    try:
        restore = [pg_restore, "--no-owner", "-d", libpq_url(postgres_engine, name), str(dump)]
        subprocess.run(restore, check=True)
        migrate(restored)
        assert claims_of(restored) == before
        # Sequences came back too: the next article gets a new id, not a taken one.
        client = make_client(settings)
        app.dependency_overrides[get_engine] = lambda: restored
        response = client.post("/articles", json=load_article("kenya-haiti-fr"))
        assert response.status_code == 201
        assert response.json()["article"]["id"] == 3
    finally:
        restored.dispose()
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        admin.dispose()
