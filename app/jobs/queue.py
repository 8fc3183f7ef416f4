"""The durable job queue: extraction runs, leased by one worker at a time.

A run is stored (queued) before any LLM call. A worker claims queued runs with one atomic
UPDATE ... RETURNING: on PostgreSQL its subquery takes ``FOR UPDATE SKIP LOCKED`` so several
instances share the queue without blocking each other; on SQLite the statement runs under the
database's single write lock. A claim is a lease: renewed while the worker is alive, and
queued again by the sweeper once it expires, up to ``job_max_attempts`` leases.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from datetime import timedelta

from sqlalchemy import Engine, select, update
from sqlmodel import col

from app.store.models import ExtractionRun, RunStatus, utcnow


class LeaseLostError(RuntimeError):
    """The worker's lease ended (expired and re-queued); its results must not be stored."""


def _claim_values(owner: str, lease_s: float) -> dict[str, object]:
    now = utcnow()
    return {
        "status": RunStatus.running,
        "lease_owner": owner,
        "lease_expires_at": now + timedelta(seconds=lease_s),
        "attempts": col(ExtractionRun.attempts) + 1,
        "started_at": now,
    }


def claim_jobs(engine: Engine, *, owner: str, lease_s: float, limit: int) -> list[int]:
    """Lease up to ``limit`` queued runs, oldest first; returns their ids."""
    queued = (
        select(col(ExtractionRun.id))
        .where(col(ExtractionRun.status) == RunStatus.queued)
        .order_by(col(ExtractionRun.id))
        .limit(limit)
    )
    if engine.dialect.name == "postgresql":
        queued = queued.with_for_update(skip_locked=True)
    statement = (
        update(ExtractionRun)
        .where(col(ExtractionRun.id).in_(queued.scalar_subquery()))
        .values(**_claim_values(owner, lease_s))
        .returning(col(ExtractionRun.id))
    )
    with engine.begin() as connection:
        ids: list[int] = list(connection.execute(statement).scalars())  # type: ignore[arg-type]
        return sorted(ids)


def claim_job(engine: Engine, run_id: int, *, owner: str, lease_s: float) -> bool:
    """Lease one given run if it is still queued (a request processing its own article)."""
    statement = (
        update(ExtractionRun)
        .where(col(ExtractionRun.id) == run_id, col(ExtractionRun.status) == RunStatus.queued)
        .values(**_claim_values(owner, lease_s))
    )
    with engine.begin() as connection:
        return connection.execute(statement).rowcount == 1


def renew_leases(engine: Engine, run_ids: Sequence[int], *, owner: str, lease_s: float) -> int:
    if not run_ids:
        return 0
    statement = (
        update(ExtractionRun)
        .where(
            col(ExtractionRun.id).in_(list(run_ids)),
            col(ExtractionRun.lease_owner) == owner,
            col(ExtractionRun.status) == RunStatus.running,
        )
        .values(lease_expires_at=utcnow() + timedelta(seconds=lease_s))
    )
    with engine.begin() as connection:
        return connection.execute(statement).rowcount


def sweep_expired(engine: Engine, *, max_attempts: int) -> tuple[int, int]:
    """Re-queue runs whose lease expired; fail those out of attempts. Returns (queued, failed)."""
    now = utcnow()
    expired = [
        col(ExtractionRun.status) == RunStatus.running,
        col(ExtractionRun.lease_expires_at) < now,
    ]
    give_up = (
        update(ExtractionRun)
        .where(*expired, col(ExtractionRun.attempts) >= max_attempts)
        .values(
            status=RunStatus.failed,
            error_reason="worker_lost",
            error=f"abandoned: the worker processing it stopped {max_attempts} times",
            lease_owner=None,
            lease_expires_at=None,
            finished_at=now,
        )
    )
    requeue = (
        update(ExtractionRun)
        .where(*expired, col(ExtractionRun.attempts) < max_attempts)
        .values(status=RunStatus.queued, lease_owner=None, lease_expires_at=None)
    )
    with engine.begin() as connection:
        failed = connection.execute(give_up).rowcount
        queued = connection.execute(requeue).rowcount
    return queued, failed


def owner_is_gone(owner: str, *, host: str, own_id: str) -> bool:
    """True when a lease owner (``host:pid:nonce``) is a process of this machine that no
    longer runs: its pid is free, or it is ours while the owner is not (an earlier process
    that had our pid, as a restarted container's has)."""
    owner_host, _, rest = owner.partition(":")
    pid_text = rest.partition(":")[0]
    if owner_host != host or not pid_text.isdigit():
        return False  # another machine's, or not a worker's: its lease decides
    pid = int(pid_text)
    if pid == os.getpid():
        return owner != own_id
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # alive, another user's
        return False
    return False


def release_orphans(engine: Engine, *, own_id: str) -> int:
    """Re-queue the running runs whose worker process on this machine is gone, without
    waiting for their leases: for a SQLite service starting up, whose last exit left them,
    while worker processes beside it (``factdiff worker``) keep theirs."""
    host = own_id.partition(":")[0]
    with engine.begin() as connection:
        running = connection.execute(
            select(col(ExtractionRun.id), col(ExtractionRun.lease_owner)).where(
                col(ExtractionRun.status) == RunStatus.running
            )
        ).all()
        orphans = [
            run_id
            for run_id, owner in running
            if owner is None or owner_is_gone(owner, host=host, own_id=own_id)
        ]
        if not orphans:
            return 0
        statement = (
            update(ExtractionRun)
            .where(
                col(ExtractionRun.id).in_(orphans),
                col(ExtractionRun.status) == RunStatus.running,
            )
            .values(status=RunStatus.queued, lease_owner=None, lease_expires_at=None)
        )
        return connection.execute(statement).rowcount
