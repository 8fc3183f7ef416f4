"""The facts lock: one process at a time assigns claims to facts or curates facts.

PostgreSQL: a transaction-scoped advisory lock; other writers go on beside it.

SQLite has one write lock for the whole database, and holding it while a pass of assignment
scores its claims kept every worker from storing runs meanwhile (ingest fell to half). So a
file database has a lock file beside it: assignment holds that file's lock while it reads and
scores, and takes SQLite's write lock only to store what it decided (``write_phase``). Every
writer of facts holds the file's lock, so nothing it read can change before it writes; runs
stored meanwhile only add claims without a fact, which the next pass takes. An in-memory
database has one process and keeps to its write lock.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from filelock import FileLock, Timeout
from sqlalchemy import Connection, Engine, event, text, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import SessionTransaction
from sqlmodel import Session, col

from app.store.fact_models import Fact

# Any fixed number: every process serialises assignment and curation of facts on it.
ADVISORY_LOCK = 7_271_001
# As long as SQLite's busy timeout (app.store.db): a writer waits no longer for either lock.
WAIT_S = 30.0
# The lock file is polled while another process holds it; a pass takes tens of milliseconds.
POLL_S = 0.005


class FactsLockTimeout(OperationalError):
    """The facts lock did not come free in time (a 503, as a busy database is)."""


def lock_file(bind: Engine | Connection) -> Path | None:
    """The lock file of a SQLite file database; None for PostgreSQL and in-memory SQLite."""
    url = bind.engine.url
    if url.get_backend_name() != "sqlite" or not url.database or ":memory:" in url.database:
        return None
    if url.database.startswith("file:"):  # a URI filename; the same file takes the same lock
        return None
    # Resolved: two processes naming one file by two paths (relative, a symlink) share a lock.
    database = Path(url.database).resolve()
    return database.with_name(database.name + "-facts.lock")


def lock_facts(session: Session) -> None:
    """Hold the facts lock until the transaction ends; call it before the transaction writes
    (on SQLite the file's lock comes before the write lock, always, or two could deadlock)."""
    bind = session.get_bind()
    if bind.dialect.name == "postgresql":
        session.exec(text("SELECT pg_advisory_xact_lock(:key)").bindparams(key=ADVISORY_LOCK))  # type: ignore[call-overload]
        return
    path = lock_file(bind)
    if path is not None and "facts_lock" not in session.info:
        # The connection first, kept until the lock goes: a holder that waited for a pooled
        # connection while the pool's were held by sessions waiting for the lock would wait
        # for ever.
        session.connection()
        if not event.contains(session, "after_transaction_end", _release_with_transaction):
            event.listen(session, "after_transaction_end", _release_with_transaction)
        session.info["facts_lock"] = _acquire(path, blocking=True)
    take_write_lock(session)


def take_write_lock(session: Session) -> None:
    """SQLite's write lock: a write that changes nothing still takes it, so what is read next
    cannot change under this transaction."""
    session.exec(update(Fact).where(col(Fact.id) == -1).values(id=Fact.id))


@contextmanager
def scoring_lock(session: Session, *, blocking: bool) -> Iterator[bool]:
    """The facts lock for a pass of assignment, which reads and scores, then writes in
    ``write_phase``. Yields False when ``blocking`` is off and another process holds it."""
    bind = session.get_bind()
    path = lock_file(bind)
    if path is None:
        if bind.dialect.name == "postgresql" and not blocking:
            query = text("SELECT pg_try_advisory_xact_lock(:key)").bindparams(key=ADVISORY_LOCK)
            yield bool(session.exec(query).one()[0])  # type: ignore[call-overload]
        else:
            lock_facts(session)
            yield True
        return
    try:
        lock = _acquire(path, blocking=blocking)
    except Timeout:
        yield False
        return
    try:
        yield True
    finally:
        lock.release()


def write_phase(session: Session) -> None:
    """Between a pass's reading and its writing. SQLite file: end the read's snapshot (a
    transaction that read cannot then write once another has committed) and take the write
    lock; elsewhere the pass's one transaction already holds what it needs. The session must
    be bound to a connection of its own (``pass_session``), kept from one to the other."""
    if lock_file(session.get_bind()) is not None:
        session.commit()
        take_write_lock(session)


@contextmanager
def pass_session(bind: Engine | Connection) -> Iterator[Session]:
    """A session for a pass of assignment, on one connection for the whole pass: its lock is
    taken with the connection held, and the connection is not given back between reading
    and writing (see ``lock_facts``)."""
    if isinstance(bind, Connection):
        with Session(bind, expire_on_commit=False) as session:
            yield session
        return
    with bind.connect() as connection, Session(connection, expire_on_commit=False) as session:
        yield session


def _acquire(path: Path, *, blocking: bool) -> FileLock:
    # A new lock object each time: each has its own descriptor, so two threads of one process
    # exclude each other as two processes do.
    lock = FileLock(path, timeout=WAIT_S, thread_local=False)
    try:
        lock.acquire(blocking=blocking, poll_interval=POLL_S)
    except Timeout:
        if not blocking:
            raise
        message = f"the facts lock ({path}) did not come free within {WAIT_S:g} s"
        raise FactsLockTimeout(message, None, TimeoutError(message)) from None
    return lock


def _release_with_transaction(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None and (lock := session.info.pop("facts_lock", None)):
        lock.release()
