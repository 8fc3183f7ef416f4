"""Database engine and schema migrations (Alembic)."""

from __future__ import annotations

import weakref
from functools import lru_cache
from typing import Any

from alembic.config import Config
from sqlalchemy import Engine, event, text
from sqlmodel import create_engine

from alembic import command
from app.core.config import PROJECT_ROOT, Settings, get_settings
from app.store import search_index


def make_engine(url: str, **kwargs: Any) -> Engine:
    if url.startswith("sqlite"):
        kwargs.setdefault("connect_args", {"check_same_thread": False, "timeout": 30})
        engine = create_engine(url, **kwargs)
        # Many rows as one multi-row VALUES statement rather than the driver's executemany.
        # executemany steps once per row, each step releasing the GIL and then waiting up to
        # the switch interval to get it back from a busy event loop, all while SQLite's one
        # write lock is held: a batch of runs' claims took 4 ms a run to insert, not 1.
        engine.dialect.use_insertmanyvalues_wo_returning = True

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
            # WAL lets readers go on while a run's claims are written; foreign keys are
            # off by default in SQLite.
            cursor = dbapi_connection.cursor()
            if ":memory:" not in url:
                cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA busy_timeout=30000")
            # In WAL mode NORMAL cannot corrupt the database; a power cut may lose the last
            # commits. It spares an fsync on every commit.
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()
            search_index.register_sqlite_functions(dbapi_connection)

        return engine
    engine = create_engine(url, pool_pre_ping=True, **kwargs)
    if engine.dialect.name == "postgresql":
        event.listen(engine, "connect", _postgres_session)
    return engine


def _postgres_session(dbapi_connection: Any, _record: Any) -> None:
    # psycopg prepares a statement once a connection has run it five times, and PostgreSQL
    # then soon plans it once for all values: for GET /claims?q= a walk of every claim in id
    # order (a second), where the plan made for the search's own text reads a few hundred.
    autocommit = dbapi_connection.autocommit
    dbapi_connection.autocommit = True
    dbapi_connection.execute("SET plan_cache_mode = force_custom_plan")
    dbapi_connection.autocommit = autocommit


def pool_options(settings: Settings) -> dict[str, Any]:
    """The request pool: a request holds a connection only for a step's short session, never
    while it waits for a run, and gives up after ``db_pool_timeout_s`` (503 busy)."""
    return {
        "pool_size": settings.db_pool_size,
        "max_overflow": settings.db_max_overflow,
        "pool_timeout": settings.db_pool_timeout_s,
    }


def engine_for(settings: Settings) -> Engine:
    return make_engine(settings.database_url, **pool_options(settings))


@lru_cache
def get_engine() -> Engine:
    return engine_for(get_settings())


# The runs' own pools, one per request engine: claiming, lease renewals and storing results
# never wait behind requests, so a run's answer is stored however many requests are queued
# for a connection.
_jobs_engines: weakref.WeakKeyDictionary[Engine, Engine] = weakref.WeakKeyDictionary()


def jobs_engine(engine: Engine, settings: Settings) -> Engine:
    """The engine runs use, over the same database as ``engine`` (which serves requests).

    A run in flight uses one connection at a time (a lease renewal, then its result), and so do
    the claimer, the sweeper and the result writer; a run waits up to half its lease for one.
    An in-memory SQLite database exists once per engine, so it is shared as it is.
    """
    if engine.url.get_backend_name() == "sqlite" and engine.url.database in (None, "", ":memory:"):
        return engine
    found = _jobs_engines.get(engine)
    if found is None:
        slots = settings.worker_concurrency
        found = _jobs_engines[engine] = make_engine(
            engine.url.render_as_string(hide_password=False),
            pool_size=max(5, slots // 2),
            max_overflow=slots + 10,
            pool_timeout=settings.job_lease_s / 2,
        )
    return found


def alembic_config() -> Config:
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(PROJECT_ROOT / "alembic"))
    return config


# The key of the lock migrations take on PostgreSQL: "factdiff" in ASCII.
MIGRATION_LOCK = 0x6661637464696666


def migrate(engine: Engine) -> None:
    """Bring the database to the latest schema revision."""
    config = alembic_config()
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            # The service and every `factdiff worker` migrate as they start, at once under
            # compose: one migrates while the others wait, then find the schema at head.
            # Unlocked, all but one died on "relation alembic_version already exists".
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def stamp_head(engine: Engine) -> None:
    """Mark a schema made by metadata.create_all (tests) as being at the latest revision."""
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.stamp(config, "head")


def database_label(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=True)
