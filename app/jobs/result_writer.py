"""Store the runs that finish together in one transaction (group commit).

SQLite has one write lock for the whole database. A transaction per run takes it once per
run; with several worker processes they queue for it, and SQLite's busy handler waits in
sleeps of 1 to 100 ms. Here a run that finishes while a transaction is being written waits for
the next one and goes in with every other run that finished meanwhile: one transaction per
batch, not per run. Nothing waits for a timer, so a run finishing alone is stored at once.
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from collections.abc import Callable

from sqlalchemy import Engine
from starlette.concurrency import run_in_threadpool

from app.jobs.run_results import FinishedRun, complete_runs
from app.store.models import ExtractionRun

log = logging.getLogger("factdiff")

# Bounds how long one transaction holds the write lock.
MAX_BATCH = 64


# Returns False when it could not do its work yet (another process was at it): it is called
# again after the interval, however many runs were stored meanwhile.
AfterStore = Callable[[Engine], bool]
_after_store: weakref.WeakKeyDictionary[Engine, AfterStore] = weakref.WeakKeyDictionary()


# The hook runs beside the writing, never in its way: one call at a time, at most every
# AFTER_STORE_INTERVAL_S, covering every batch stored since the last. Awaited after each batch,
# it held the next batch (and SQLite's write lock) back: ingest fell from 269 to 174
# articles/s with facts assigned that way.
AFTER_STORE_INTERVAL_S = 0.5


def set_after_store(engine: Engine, hook: AfterStore | None) -> None:
    """Run ``hook(engine)`` in a thread after runs are stored (facts are assigned there); jobs
    know nothing of what the hook does, the entry point wiring it does."""
    if hook is None:
        _after_store.pop(engine, None)
    else:
        _after_store[engine] = hook


class ResultWriter:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._pending: list[tuple[FinishedRun, asyncio.Future[ExtractionRun]]] = []
        self._writing: asyncio.Task[None] | None = None
        self._hooking: asyncio.Task[None] | None = None
        self._stored_since_hook = False

    async def complete(self, finished: FinishedRun) -> ExtractionRun:
        """Store a succeeded run with the others finishing now; its stored state, or raises
        what stopped it (LeaseLostError, a database error)."""
        future: asyncio.Future[ExtractionRun] = asyncio.get_running_loop().create_future()
        self._pending.append((finished, future))
        if self._writing is None:
            self._writing = asyncio.create_task(self._write())
        # Shielded: a cancelled worker still gets its run stored (as a thread would have).
        return await asyncio.shield(future)

    async def _write(self) -> None:
        try:
            while self._pending:
                batch, self._pending = self._pending[:MAX_BATCH], self._pending[MAX_BATCH:]
                try:
                    outcomes = await run_in_threadpool(
                        complete_runs, engine=self.engine, finished=[f for f, _ in batch]
                    )
                except Exception as exc:  # e.g. entities could not be stored: every run fails
                    outcomes = [exc] * len(batch)
                for (_, future), outcome in zip(batch, outcomes, strict=True):
                    if future.done():
                        continue
                    if isinstance(outcome, Exception):
                        future.set_exception(outcome)
                    else:
                        future.set_result(outcome)
                self._after_store()
        finally:
            self._writing = None

    def _after_store(self) -> None:
        if self.engine not in _after_store:
            return
        self._stored_since_hook = True
        if self._hooking is None:
            self._hooking = asyncio.create_task(self._run_hook())

    async def _run_hook(self) -> None:
        try:
            while self._stored_since_hook and (hook := _after_store.get(self.engine)):
                self._stored_since_hook = False
                try:
                    if not await run_in_threadpool(hook, self.engine):
                        self._stored_since_hook = True
                except Exception:  # the runs are stored; what the hook missed, reads redo
                    log.exception("after-store hook failed")
                await asyncio.sleep(AFTER_STORE_INTERVAL_S)
        finally:
            self._hooking = None


_writers: weakref.WeakKeyDictionary[
    asyncio.AbstractEventLoop, weakref.WeakKeyDictionary[Engine, ResultWriter]
] = weakref.WeakKeyDictionary()


def writer_for(engine: Engine) -> ResultWriter:
    """The writer of this engine in the running event loop (its futures belong to one loop)."""
    by_engine = _writers.setdefault(asyncio.get_running_loop(), weakref.WeakKeyDictionary())
    writer = by_engine.get(engine)
    if writer is None:
        writer = by_engine[engine] = ResultWriter(engine)
    return writer
