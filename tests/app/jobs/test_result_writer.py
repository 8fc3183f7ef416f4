"""Group commit: the runs that finish together are stored in one transaction, each still all
or nothing, and one run's fault or lost lease stays its own."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import pytest
from sqlalchemy import Engine, event
from sqlmodel import Session, col, select

from app.core.config import Settings
from app.extract.grounding import MatchKind, Span
from app.extract.pipeline import ExtractionResult
from app.extract.validation import GroundedClaim
from app.jobs import queue as jobs
from app.jobs import result_writer
from app.jobs.queue import LeaseLostError
from app.jobs.result_writer import ResultWriter, set_after_store
from app.jobs.run_results import FinishedRun
from app.llm.client import Usage
from app.store.models import Article, Claim, ExtractionRun
from schemas import ExtractedClaimV2
from tests.app.jobs.test_queue import queue
from tests.llm_stub import claim

TEXT = "Kenya deployed an additional 217 police officers to Haiti on Saturday."
EVIDENCE = "deployed an additional 217 police officers to Haiti"


def result(latency_ms: float = 1.0) -> ExtractionResult:
    extracted = ExtractedClaimV2.model_validate(
        claim("Kenya deployed 217 police officers.", EVIDENCE, value=217)
    )
    start = TEXT.index(EVIDENCE)
    span = Span(start, start + len(EVIDENCE), MatchKind.exact, 100.0)
    return ExtractionResult(
        claims=[GroundedClaim(extracted, span)], rejected=[], usage=Usage(), chunks=1,
        latency_ms=latency_ms,
    )  # fmt: skip


def leased(engine: Engine, settings: Settings, count: int) -> list[FinishedRun]:
    articles = [{"text": f"{TEXT} Report {n}."} for n in range(count)]
    run_ids = queue(engine, settings, articles)
    assert jobs.claim_jobs(engine, owner="w1", lease_s=60, limit=count) == run_ids
    with Session(engine, expire_on_commit=False) as session:
        runs = [session.get(ExtractionRun, run_id) for run_id in run_ids]
        return [
            FinishedRun(run, session.get(Article, run.article_id), result(), "w1")  # type: ignore[arg-type,union-attr]
            for run in runs
        ]


def claim_inserts(engine: Engine) -> list[tuple[str, int]]:
    """How each INSERT INTO claim reaches the driver, and its rows.

    ``executemany`` steps the statement once per row, each step giving up Python's GIL and
    waiting to get it back while SQLite's write lock is held; a multi-row ``VALUES`` list is
    one step.
    """
    seen: list[tuple[str, int]] = []

    def count(_conn: Any, _cursor: Any, statement: str, params: Any, *_: Any) -> None:
        if statement.startswith("INSERT INTO claim "):
            if isinstance(params, list):
                seen.append(("executemany", len(params)))
            else:
                seen.append(("VALUES list", statement.count("(?")))

    event.listen(engine, "before_cursor_execute", count)
    return seen


def run_updates(engine: Engine) -> list[str]:
    """The UPDATE statements on extraction_run, as executed."""
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if statement.startswith("UPDATE extraction_run "):
            seen.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    return seen


async def store_all(engine: Engine, finished: list[FinishedRun]) -> list[Any]:
    writer = ResultWriter(engine)
    return await asyncio.gather(*(writer.complete(f) for f in finished), return_exceptions=True)


def stored_claims(engine: Engine) -> dict[int, int]:
    with Session(engine) as session:
        runs = session.exec(select(col(Claim.run_id))).all()
    return {run_id: runs.count(run_id) for run_id in set(runs) if run_id is not None}


def test_runs_finishing_together_are_stored_in_one_transaction(
    engine: Engine, settings: Settings
) -> None:
    finished = [
        FinishedRun(f.run, f.article, result(latency_ms=10.0 * (n + 1)), f.owner)
        for n, f in enumerate(leased(engine, settings, 5))
    ]
    inserts, updates = claim_inserts(engine), run_updates(engine)

    outcomes = asyncio.run(store_all(engine, finished))

    assert [o.status for o in outcomes] == ["succeeded"] * 5
    assert [o.claims_count for o in outcomes] == [1] * 5
    assert inserts == [("VALUES list", 5)]  # one statement for the five runs' claims
    assert len(updates) == 1  # and one that ends the five runs, each with its own figures
    with Session(engine) as session:
        runs = [session.get(ExtractionRun, f.run.id) for f in finished]
        assert [(r.status, r.lease_owner, r.latency_ms) for r in runs if r] == [
            ("succeeded", None, 10.0 * (n + 1)) for n in range(5)
        ]
    assert stored_claims(engine) == {f.run.id: 1 for f in finished}
    with Session(engine) as session:
        stored = session.exec(select(Claim).where(Claim.run_id == finished[0].run.id)).one()
        assert (stored.quantity_value, stored.char_start, stored.char_end) == (217.0, 6, 57)
        assert stored.evidence_quote == EVIDENCE


def test_a_lost_lease_in_a_batch_stores_nothing_for_that_run_only(
    engine: Engine, settings: Settings
) -> None:
    finished = leased(engine, settings, 3)
    stolen = finished[1]
    finished[1] = FinishedRun(stolen.run, stolen.article, stolen.result, "w2")

    outcomes = asyncio.run(store_all(engine, finished))

    assert isinstance(outcomes[1], LeaseLostError)
    assert str(outcomes[1]) == f"run {stolen.run.id}: lease of w2 lost; results discarded"
    assert [outcomes[0].status, outcomes[2].status] == ["succeeded", "succeeded"]
    assert stored_claims(engine) == {finished[0].run.id: 1, finished[2].run.id: 1}


def test_a_fault_in_one_run_fails_that_run_alone(engine: Engine, settings: Settings) -> None:
    finished = leased(engine, settings, 3)
    broken = finished[2]
    # An article that does not exist: its claims break the foreign key, and so the batch.
    ghost = Article(id=999_999, content_hash="0" * 64, text=TEXT)
    finished[2] = FinishedRun(broken.run, ghost, broken.result, "w1")
    inserts = claim_inserts(engine)

    outcomes = asyncio.run(store_all(engine, finished))

    assert "FOREIGN KEY constraint failed" in str(outcomes[2])
    assert [outcomes[0].status, outcomes[1].status] == ["succeeded", "succeeded"]
    assert inserts == [("VALUES list", 3)] + [("VALUES list", 1)] * 3  # the batch, then each alone
    assert stored_claims(engine) == {finished[0].run.id: 1, finished[1].run.id: 1}
    with Session(engine) as session:
        run = session.get(ExtractionRun, broken.run.id)
        assert run is not None and (run.status, run.lease_owner) == ("running", "w1")


def test_the_after_store_hook_runs_beside_the_writing_and_covers_every_batch(
    engine: Engine, settings: Settings
) -> None:
    finished = leased(engine, settings, 3)
    calls: list[int] = []
    started = threading.Event()
    release = threading.Event()

    def slow_hook(hooked: Engine) -> bool:
        assert hooked is engine
        calls.append(len(calls) + 1)
        started.set()
        release.wait(5)  # a slow assignment must not hold the next batch back
        return True

    async def scenario() -> tuple[list[Any], list[int], dict[int, int]]:
        writer = ResultWriter(engine)
        set_after_store(engine, slow_hook)
        try:
            first = await writer.complete(finished[0])
            await asyncio.to_thread(started.wait, 5)
            # The hook's first pass is still running; later runs are stored all the same.
            rest = await asyncio.gather(*(writer.complete(f) for f in finished[1:]))
            while_blocked = (list(calls), stored_claims(engine))
            release.set()
            if writer._hooking is not None:
                await writer._hooking
            return [first, *rest], *while_blocked
        finally:
            set_after_store(engine, None)

    outcomes, calls_while_blocked, stored_while_blocked = asyncio.run(scenario())

    assert [o.status for o in outcomes] == ["succeeded"] * 3
    assert calls_while_blocked == [1]
    assert stored_while_blocked == {f.run.id: 1 for f in finished}
    # One more pass for what was stored while the first ran.
    assert calls == [1, 2]


def test_a_hook_that_finds_another_process_at_work_is_called_again(
    engine: Engine, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Assignment in another worker process holds the facts lock: the hook says so (False)
    and comes back, though no run is stored after it."""
    monkeypatch.setattr(result_writer, "AFTER_STORE_INTERVAL_S", 0.01)
    finished = leased(engine, settings, 1)
    answers = iter([False, False, True])
    calls: list[bool] = []

    def turned_away_twice(_engine: Engine) -> bool:
        calls.append(next(answers))
        return calls[-1]

    async def scenario() -> None:
        writer = ResultWriter(engine)
        set_after_store(engine, turned_away_twice)
        try:
            await writer.complete(finished[0])
            while writer._hooking is not None:
                await writer._hooking
        finally:
            set_after_store(engine, None)

    asyncio.run(scenario())
    assert calls == [False, False, True]
