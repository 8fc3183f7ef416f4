"""Store how runs ended: claims, rejections and usage, each run all or nothing.

The runs' final states are written by one UPDATE, the first statement of the transaction: it
holds the runs' rows, and passes over a run another worker has taken over, so a run's claims
are stored once. Everything else is worked out before that statement: on SQLite it takes the
database's one write lock, which every other worker then waits for.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, Update, and_, bindparam, case, insert, or_, update
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session, col

from app.extract.pipeline import ExtractionResult
from app.jobs.queue import LeaseLostError
from app.llm.client import Usage
from app.store.crud import claim_values
from app.store.entities import claim_entities, entity_key, register_entities
from app.store.models import (
    CLAIM_TABLE,
    MAX_INTEGER,
    REJECTED_CLAIM_TABLE,
    Article,
    ExtractionRun,
    RunStatus,
    utcnow,
)


@dataclass(frozen=True)
class FinishedRun:
    """A run that succeeded, with its result, to be stored."""

    run: ExtractionRun
    article: Article
    result: ExtractionResult
    owner: str | None = None  # the lease holder; None: a run nobody else can hold


@dataclass(frozen=True)
class _Rows:
    values: dict[str, Any]  # the run's own columns
    claims: list[dict[str, Any]]
    rejections: list[dict[str, Any]]


def _finish(
    session: Session, ending: Sequence[tuple[ExtractionRun, str | None, dict[str, Any]]]
) -> set[int]:
    """End these runs (run, lease owner, values) in one UPDATE; the ids it ended.

    A run missing from the answer had lost its lease. One statement rather than one a run:
    each statement steps once more with SQLite's write lock held, and each step gives up the
    GIL, then waits to get it back from a busy event loop.
    """
    names = {name for _, _, values in ending for name in values}
    assert all(set(values) == names for _, _, values in ending), "runs end with the same fields"
    params: dict[str, Any] = {f"id_{i}": run.id for i, (run, _, _) in enumerate(ending)}
    same, varied = [], []
    for name in sorted(names):
        given = [values[name] for _, _, values in ending]
        if all(value == given[0] for value in given):
            same.append(name)  # the status, say
            params[f"same_{name}"] = given[0]
        else:
            varied.append(name)
            params |= {f"{name}_{i}": value for i, value in enumerate(given)}
    owners: dict[str | None, list[int | None]] = {}
    for run, owner, _ in ending:
        owners.setdefault(owner, []).append(run.id)
    for group, (owner, ids) in enumerate(owners.items()):
        params |= {f"ids_{group}": ids, f"owner_{group}": owner}
    statement = _ending_statement(
        len(ending), tuple(same), tuple(varied), tuple(owner is not None for owner in owners)
    )
    return set(session.execute(statement, params).scalars())


@functools.lru_cache(maxsize=256)
def _ending_statement(
    runs: int, same: tuple[str, ...], varied: tuple[str, ...], owned: tuple[bool, ...]
) -> Update:
    """_finish's UPDATE for its shape (how many runs, which fields they share and which vary,
    which lease owners), its values left as parameters. Built afresh for every batch, its
    clause objects took longer to make than SQLite took to run it; built once a shape, it is
    also found compiled in SQLAlchemy's cache."""
    columns = ExtractionRun.__table__.c  # type: ignore[attr-defined]
    run_id = col(ExtractionRun.id)
    ids = [bindparam(f"id_{i}", type_=columns["id"].type) for i in range(runs)]
    assignments: dict[str, Any] = {"lease_owner": None, "lease_expires_at": None}
    for name in same:
        # A parameter of its column's type, as a plain value gets: PostgreSQL's enum needs it.
        assignments[name] = bindparam(f"same_{name}", type_=columns[name].type)
    for name in varied:
        by_run = {ids[i]: bindparam(f"{name}_{i}", type_=columns[name].type) for i in range(runs)}
        assignments[name] = case(by_run, value=run_id)
    # Each run's row while its owner still holds its lease (in any state for owner None): one
    # IN list an owner, as a worker's batch has one owner, rather than a condition a run.
    held = [
        and_(
            run_id.in_(bindparam(f"ids_{group}", expanding=True)),
            col(ExtractionRun.status) == RunStatus.running,
            col(ExtractionRun.lease_owner) == bindparam(f"owner_{group}"),
        )
        if has_owner
        else run_id.in_(bindparam(f"ids_{group}", expanding=True))
        for group, has_owner in enumerate(owned)
    ]
    return (
        update(ExtractionRun)
        .where(or_(*held))
        .values(**assignments)
        .returning(run_id)
        # `run` is updated afterwards; matching the criteria against every object in the
        # session ("auto" synchronisation) was a sixth of a run's CPU.
        .execution_options(synchronize_session=False)
    )


def _lease_lost(run: ExtractionRun, owner: str | None) -> LeaseLostError:
    return LeaseLostError(f"run {run.id}: lease of {owner} lost; results discarded")


def _apply(run: ExtractionRun, values: dict[str, Any]) -> ExtractionRun:
    """The stored values on the (detached) run object the caller holds."""
    for name, value in {**values, "lease_owner": None, "lease_expires_at": None}.items():
        setattr(run, name, value)
    return run


def _usage_values(usage: Usage) -> dict[str, Any]:
    # Each answer's figures are checked where they enter (app.llm.answers); their sums are
    # kept within the INTEGER columns here, the last step before the database.
    return {
        "llm_calls": min(usage.llm_calls, MAX_INTEGER),
        "http_requests": min(usage.http_requests, MAX_INTEGER),
        "prompt_tokens": min(usage.prompt_tokens, MAX_INTEGER),
        "completion_tokens": min(usage.completion_tokens, MAX_INTEGER),
        "cached_tokens": min(usage.cached_tokens, MAX_INTEGER),
        "usage_by_attempt": list(usage.attempts),
    }


def _rows(finished: FinishedRun, entities: dict[str, int]) -> _Rows:
    run, article, result = finished.run, finished.article, finished.result
    assert run.id is not None and article.id is not None
    claims = []
    for grounded in result.claims:
        subject, *objects = claim_entities(grounded.claim)
        entity_id = entities[entity_key(subject.name)]
        object_id = entities[entity_key(objects[0].name)] if objects else None
        claims.append(
            claim_values(
                grounded=grounded,
                article=article,
                run_id=run.id,
                entity_id=entity_id,
                object_entity_id=object_id,
            )
        )
    rejections = [
        {
            "run_id": run.id,
            "article_id": article.id,
            "reason": rejection.reason,
            "payload": rejection.payload,
            "created_at": utcnow(),
        }
        for rejection in result.rejected
    ]
    values = {
        **_usage_values(result.usage),
        "status": RunStatus.succeeded,
        "chunks": result.chunks,
        "claims_count": len(result.claims),
        "rejected_count": len(result.rejected),
        "latency_ms": round(result.latency_ms, 1),
        "finished_at": utcnow(),
    }
    return _Rows(values, claims, rejections)


def complete_runs(
    *, engine: Engine, finished: Sequence[FinishedRun]
) -> list[ExtractionRun | Exception]:
    """Store several succeeded runs in one transaction; per run, the stored run or why not.

    A run whose lease was lost is left out (LeaseLostError). When the transaction fails, each
    run is stored in a transaction of its own, so that one run's fault stays its own.
    """
    entities = register_entities(
        engine=engine, claims=[claim for f in finished for claim in f.result.claims]
    )
    prepared = [_rows(f, entities) for f in finished]
    outcomes: list[ExtractionRun | Exception] = []
    try:
        with Session(engine) as session:
            ending = [
                (f.run, f.owner, rows.values) for f, rows in zip(finished, prepared, strict=True)
            ]
            ended = _finish(session, ending)
            claims: list[dict[str, Any]] = []
            rejections: list[dict[str, Any]] = []
            for f, rows in zip(finished, prepared, strict=True):
                if f.run.id not in ended:
                    outcomes.append(_lease_lost(f.run, f.owner))
                    continue
                claims += rows.claims
                rejections += rows.rejections
                outcomes.append(f.run)
            # One multi-row INSERT each, on the tables rather than the ORM classes: ORM
            # objects, or even the ORM's bulk path, made storage the costliest step of a run.
            if claims:
                session.execute(insert(CLAIM_TABLE), claims)
            if rejections:
                session.execute(insert(REJECTED_CLAIM_TABLE), rejections)
            session.commit()
    except SQLAlchemyError as exc:
        if len(finished) == 1:
            return [exc]
        return [outcome for f in finished for outcome in complete_runs(engine=engine, finished=[f])]
    return [
        _apply(outcome, rows.values) if isinstance(outcome, ExtractionRun) else outcome
        for outcome, rows in zip(outcomes, prepared, strict=True)
    ]


def complete_run(
    *,
    engine: Engine,
    run: ExtractionRun,
    article: Article,
    result: ExtractionResult,
    owner: str | None = None,
) -> ExtractionRun:
    """Store one run's claims, rejections and usage in one transaction: all or nothing."""
    (outcome,) = complete_runs(engine=engine, finished=[FinishedRun(run, article, result, owner)])
    if isinstance(outcome, Exception):
        raise outcome
    return outcome


def fail_run(
    *,
    engine: Engine,
    run: ExtractionRun,
    reason: str,
    message: str,
    usage: Usage | None = None,
    owner: str | None = None,
) -> ExtractionRun:
    """End a run as failed, with why and what its calls used."""
    values: dict[str, Any] = {
        "status": RunStatus.failed,
        "error_reason": reason,
        "error": message,
        "finished_at": utcnow(),
    }
    if usage is not None:
        values.update(_usage_values(usage))
    with Session(engine) as session:
        if not _finish(session, [(run, owner, values)]):
            raise _lease_lost(run, owner)
        session.commit()
    return _apply(run, values)
