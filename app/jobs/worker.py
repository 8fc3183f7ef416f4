"""Workers: process queued runs with bounded concurrency, inside the service or alone.

Each process has one pool. It claims as many runs as it has free slots, executes them
concurrently, sweeps expired leases now and then, and sleeps between polls unless woken
(a new article in this process wakes it at once).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import uuid

import instructor
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError
from starlette.concurrency import run_in_threadpool

from app.core.config import Settings
from app.jobs import queue as jobs
from app.jobs.result_writer import AfterStore, set_after_store
from app.jobs.runner import claim_and_load, execute_loaded
from app.store.models import Article, ExtractionRun

log = logging.getLogger(__name__)

PROCESS_ID = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


class WorkerPool:
    def __init__(
        self,
        engine: Engine,
        client: instructor.AsyncInstructor,
        settings: Settings,
        *,
        concurrency: int | None = None,
        owner: str = PROCESS_ID,
        after_store: AfterStore | None = None,
    ) -> None:
        self.engine = engine
        set_after_store(engine, after_store)
        self.client = client
        self.settings = settings
        self.concurrency = concurrency or settings.worker_concurrency
        self.owner = owner
        self.claim_batch = max(1, self.concurrency // 4)
        self.in_flight: set[asyncio.Task[object]] = set()
        self._wake = asyncio.Event()
        self._stop = asyncio.Event()
        self.processed = 0

    def wake(self) -> None:
        self._wake.set()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()

    async def _sweep(self) -> None:
        queued, failed = await run_in_threadpool(
            jobs.sweep_expired, self.engine, max_attempts=self.settings.job_max_attempts
        )
        if queued or failed:
            log.warning("sweeper: %d expired lease(s) queued again, %d abandoned", queued, failed)

    async def _execute(self, run: ExtractionRun, article: Article) -> None:
        try:
            await execute_loaded(
                run,
                article,
                engine=self.engine,
                client=self.client,
                settings=self.settings,
                owner=self.owner,
            )
        except Exception:  # a worker outlives any one run; the lease will expire and retry it
            log.exception("run %s: unexpected error in the worker", run.id)
        finally:
            self.processed += 1
            self._wake.set()

    async def run(self) -> None:
        """Process runs until stop(); then cancel those in flight, whose leases lapse and
        whose runs another worker (or this service, restarted) takes up again."""
        log.info("worker pool %s: %d slot(s)", self.owner, self.concurrency)
        sweep_every = max(self.settings.job_lease_s / 3, 1.0)
        next_sweep = 0.0
        loop = asyncio.get_running_loop()
        while not self._stop.is_set():
            # Cleared before claiming, so a run finishing meanwhile still wakes the next pass.
            self._wake.clear()
            claimed: list[tuple[ExtractionRun, Article]] = []
            try:
                if loop.time() >= next_sweep:
                    await self._sweep()
                    next_sweep = loop.time() + sweep_every
                free = self.concurrency - len(self.in_flight)
                # Claiming takes SQLite's write lock: once for a quarter of the slots rather
                # than once per run that ends.
                if free >= self.claim_batch or (free > 0 and not self.in_flight):
                    claimed = await run_in_threadpool(
                        claim_and_load,
                        self.engine,
                        owner=self.owner,
                        lease_s=self.settings.job_lease_s,
                        limit=free,
                    )
            except SQLAlchemyError as exc:
                # The database away or every connection busy: the runs in flight go on, and
                # the next poll tries again.
                log.warning("worker pool %s: claiming failed: %s", self.owner, exc)
            for run, article in claimed:
                task: asyncio.Task[object] = asyncio.create_task(self._execute(run, article))
                self.in_flight.add(task)
                task.add_done_callback(self.in_flight.discard)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=self.settings.worker_poll_s)
        for task in list(self.in_flight):
            task.cancel()
        if self.in_flight:
            await asyncio.gather(*self.in_flight, return_exceptions=True)
