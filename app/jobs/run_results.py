"""Store how runs ended: claims, rejections and usage, each run all or nothing.

The runs' final states are written by one UPDATE, the first statement of the transaction: it
holds the runs' rows, and passes over a run another worker has taken over, so a run's claims
are stored once. Everything else is worked out before that statement: on SQLite it takes the
database's one write lock, which every other worker then waits for.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Engine, and_, case, insert, literal, or_, update
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


def _lease_held(run: ExtractionRun, owner: str | None) -> ColumnElement[bool]:
    """The run's row, while ``owner`` still holds its lease (any state when owner is None)."""
    if owner is None:
        return col(ExtractionRun.id) == run.id
    return and_(
        col(ExtractionRun.id) == run.id,
        col(ExtractionRun.status) == RunStatus.running,
        col(ExtractionRun.lease_owner) == owner,
    )


def _finish(
    session: Session, ending: Sequence[tuple[ExtractionRun, str | None, dict[str, Any]]]
) -> set[int]:
    """End these runs (run, lease owner, values) in one UPDATE; the ids it ended.

    A run missing from the answer had lost its lease. One statement rather than one a run:
    each statement steps once more with SQLite's write lock held, and each step gives up the
    GIL, then waits to get it back from a busy event loop.
    """
    columns = ExtractionRun.__table__.c  # type: ignore[attr-defined]
    names = {name for _, _, values in ending for name in values}
    assert all(set(values) == names for _, _, values in ending), "runs end with the same fields"
    run_id = col(ExtractionRun.id)
    assignments: dict[str, Any] = {"lease_owner": None, "lease_expires_at": None}
    for name in sorted(names):
        by_run = {run.id: values[name] for run, _, values in ending}
        given = list(by_run.values())
        if all(value == given[0] for value in given):
            # The same for every run (the status): a plain value keeps its column's type,
            # which PostgreSQL needs for an enum.
            assignments[name] = given[0]
            continue
        typed = {key: literal(value, columns[name].type) for key, value in by_run.items()}
        assignments[name] = case(typed, value=run_id)
    statement = (
        update(ExtractionRun)
        .where(or_(*(_lease_held(run, owner) for run, owner, _ in ending)))
        .values(**assignments)
        .returning(run_id)
        # `run` is updated afterwards; matching the criteria against every object in the
        # session ("auto" synchronisation) was a sixth of a run's CPU.
        .execution_options(synchronize_session=False)
    )
    return set(session.execute(statement).scalars())


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
