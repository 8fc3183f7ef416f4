"""The facts lock during a pass of assignment, on SQLite and PostgreSQL: runs are stored while a
pass scores, and a worker that finds a pass running comes back for its claims later."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, event
from sqlmodel import Session

from app.core.config import Settings
from app.services import facts
from app.services.facts import assign_facts, assign_pending, count_pending
from app.store.db import make_engine
from app.store.facts_lock import lock_file
from tests.app.services.test_fact_assignment_cache import SCHEMA, store_story

DEV = Path(__file__).parents[3] / "eval" / "dev"


class PausedPass:
    """A pass of assignment held in its scoring until ``go`` is called."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.scoring, self._go = threading.Event(), threading.Event()
        real = facts.plan_assignment

        def plan(session: Session, **kwargs: Any) -> facts.AssignmentPlan:
            result = real(session, **kwargs)
            if not self.scoring.is_set():  # the first pass only
                self.scoring.set()
                assert self._go.wait(30)
            return result

        monkeypatch.setattr(facts, "plan_assignment", plan)

    def go(self) -> None:
        self._go.set()


@pytest.fixture
def paused(monkeypatch: pytest.MonkeyPatch) -> PausedPass:
    return PausedPass(monkeypatch)


@pytest.fixture
def pool() -> Iterator[ThreadPoolExecutor]:
    with ThreadPoolExecutor(max_workers=1) as executor:
        yield executor


def start_pass(backend: Engine, paused: PausedPass, pool: ThreadPoolExecutor) -> Future[int | None]:
    running = pool.submit(assign_pending, backend, default_schema=SCHEMA)
    assert paused.scoring.wait(30), "the pass never began scoring"
    return running


def no_busy_wait(backend: Engine) -> None:
    """SQLite connections of this engine fail at once on a held write lock, not after 30 s."""
    if backend.dialect.name == "sqlite":
        event.listen(backend, "connect", lambda conn, _: conn.execute("PRAGMA busy_timeout = 0"))
        backend.dispose()


def claims_without_fact(backend: Engine) -> int:
    with Session(backend) as session:
        return count_pending(session)


def test_a_run_is_stored_while_a_pass_scores(
    backend: Engine, paused: PausedPass, pool: ThreadPoolExecutor
) -> None:
    first = store_story(backend, DEV / "kenya-haiti.json")
    running = start_pass(backend, paused, pool)
    no_busy_wait(backend)

    # What a worker storing its runs does; with the write lock held it fails "database is
    # locked" at once.
    second = store_story(backend, DEV / "strike-halvard-port.json")

    paused.go()
    assert running.result(30) == first
    # The story stored meanwhile waits for the next pass.
    assert claims_without_fact(backend) == second
    assert assign_pending(backend, default_schema=SCHEMA) == second


def test_a_worker_finding_a_pass_running_comes_back_later(
    backend: Engine, paused: PausedPass, pool: ThreadPoolExecutor, settings: Settings
) -> None:
    first = store_story(backend, DEV / "kenya-haiti.json")
    running = start_pass(backend, paused, pool)
    second = store_story(backend, DEV / "strike-halvard-port.json")

    hook = assign_facts(settings)
    assert hook is not None
    # A worker's hook is turned away at once, and says so; a reader waits its turn.
    assert hook(backend) is False
    assert assign_pending(backend, default_schema=SCHEMA, wait=False) is None
    assert claims_without_fact(backend) == first + second

    paused.go()
    assert running.result(30) == first
    assert hook(backend) is True
    assert claims_without_fact(backend) == 0


def test_the_lock_of_a_sqlite_file_is_a_file_beside_it(engine: Engine, tmp_path: Path) -> None:
    assert lock_file(engine) == (tmp_path / "factdiff.db-facts.lock").resolve()
    # One file by two names is one lock.
    (tmp_path / "alias.db").symlink_to(tmp_path / "factdiff.db")
    assert lock_file(make_engine(f"sqlite:///{tmp_path / 'alias.db'}")) == lock_file(engine)
    # One process only: SQLite's write lock serves.
    assert lock_file(make_engine("sqlite://")) is None
    assert lock_file(make_engine("postgresql+psycopg://factdiff@db.example/factdiff")) is None
