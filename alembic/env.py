"""Alembic environment: migrations run against app.store.models' metadata.

``alembic upgrade head`` from the shell uses FACTDIFF_DATABASE_URL; the service passes its
own connection in ``config.attributes["connection"]`` when it migrates at start-up.
"""

from logging.config import fileConfig

from sqlalchemy import Connection
from sqlmodel import SQLModel

import app.store.models  # noqa: F401  (registers the tables on SQLModel.metadata)
from alembic import context
from app.core.config import get_settings
from app.store import search_index
from app.store.db import make_engine

config = context.config
target_metadata = SQLModel.metadata


def run_with(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",  # SQLite cannot ALTER most things
        compare_type=True,
        include_object=search_index.include_object,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_offline() -> None:
    context.configure(
        url=get_settings().database_url,
        target_metadata=target_metadata,
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        run_with(connection)
        return
    if config.config_file_name is not None:
        fileConfig(config.config_file_name)
    engine = make_engine(get_settings().database_url)
    with engine.connect() as connection:
        run_with(connection)
        connection.commit()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
