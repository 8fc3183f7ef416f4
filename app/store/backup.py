"""Online backup of a SQLite database (``factdiff backup``); PostgreSQL uses pg_dump.

SQLite's backup API copies a consistent snapshot page by page while the service keeps
running: in WAL mode readers and the writer go on, and what a transaction has not committed
is not in the copy. Restoring is putting the copy in place while the service is stopped.
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

from sqlalchemy.engine import make_url


class BackupError(Exception):
    pass


def sqlite_file(database_url: str) -> Path:
    """The database file of a sqlite:/// url; BackupError for anything else."""
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        raise BackupError(
            f"factdiff backup copies a SQLite file; {url.get_backend_name()} is backed up with "
            "its own tools (PostgreSQL: pg_dump -Fc, see README)"
        )
    return Path(url.database)


def backup_sqlite(database_url: str, target: Path) -> int:
    """Copy the live database to target (a new file); the number of pages copied."""
    source = sqlite_file(database_url)
    if not source.exists():
        raise BackupError(f"no database at {source}")
    if target.exists():
        raise BackupError(f"{target} exists; give a new file")
    with (
        closing(sqlite3.connect(source, timeout=30)) as src,
        closing(sqlite3.connect(target)) as dst,
    ):
        src.backup(dst)
        # The copy stands alone: one file, no -wal beside it.
        dst.execute("PRAGMA journal_mode=DELETE")
        pages: int = dst.execute("PRAGMA page_count").fetchone()[0]
    return pages
