"""The optional LLM adjudicator of the diff's undecided pairs (FACTDIFF_ADJUDICATOR=llm).

The diff (app.diff.align) stays pure and deterministic; this runs after it. Each undecided pair,
at most FACTDIFF_ADJUDICATOR_MAX_PAIRS of them, is put to the model once: its verdict is stored
by the pair's content hash (app.store.verdict_models) and read back on every later diff. A pair
judged one fact is made, with the adjudicated relation and an explanation that says who
decided and why; any other stays undecided with the adjudicator's reason added. A fault
(timeout, 429, an answer that does not fit) leaves the pair undecided and says so in the diff's
warnings: the diff itself is never lost to the LLM.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import replace
from typing import Any, TypeVar

import anyio.from_thread
import instructor
from sqlalchemy import Engine
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col, select

from app.core.config import AdjudicatorKind, Settings
from app.diff.types import DiffResult, Pair, Relation, with_made
from app.diff.undecided import ADJUDICATED_APART
from app.llm.client import LLMError, track_usage
from app.services.adjudicator import PROMPT, Adjudicator, ask, pair_hash
from app.store.verdict_models import PairVerdictRow
from schemas.adjudication import PairVerdict

log = logging.getLogger(__name__)
T = TypeVar("T")


def adjudicator_of(settings: Settings, llm: instructor.AsyncInstructor) -> Adjudicator | None:
    """The adjudicator the settings ask for, or None (FACTDIFF_ADJUDICATOR=off)."""
    if settings.adjudicator is AdjudicatorKind.off:
        return None
    return Adjudicator(llm=llm, settings=settings)


def run_async(call: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """Await ``call()`` on the event loop that runs the service (a sync route runs in one of
    its worker threads): the LLM client's connections belong to that loop. Outside the
    service (a script, the command line) on a loop of its own."""
    try:
        return anyio.from_thread.run(call)
    except RuntimeError as exc:
        if "worker thread" not in str(exc) and "event loop" not in str(exc):
            raise
    return asyncio.run(call())


def _stored(session: Session, hashes: Sequence[str]) -> dict[str, PairVerdictRow]:
    if not hashes:
        return {}
    rows = session.exec(select(PairVerdictRow).where(col(PairVerdictRow.pair_hash).in_(hashes)))
    return {row.pair_hash: row for row in rows}


def _store(engine: Engine, rows: list[dict[str, object]]) -> None:
    """Insert new verdicts; one another request stored first is kept (it is the same pair)."""
    if not rows:
        return
    insert = pg_insert if engine.dialect.name == "postgresql" else sqlite_insert
    statement = (
        insert(PairVerdictRow).values(rows).on_conflict_do_nothing(index_elements=["pair_hash"])
    )
    with engine.begin() as connection:
        connection.execute(statement)


async def ask_all(adjudicator: Adjudicator, pairs: list[Pair]) -> list[PairVerdict | LLMError]:
    """Each pair's verdict, or the error that kept it; at most the judge's
    ``llm_max_concurrency`` asked at once (FACTDIFF_ADJUDICATOR_MAX_IN_FLIGHT)."""
    slots = asyncio.Semaphore(adjudicator.settings.llm_max_concurrency)

    async def one(pair: Pair) -> PairVerdict | LLMError:
        async with slots:
            try:
                return await ask(adjudicator, pair)
            except LLMError as exc:
                return exc
            except Exception as exc:  # a fault of ours: logged, and the pair stays undecided
                log.error("the adjudicator failed unexpectedly", exc_info=exc)
                return LLMError(f"failed unexpectedly ({type(exc).__name__}); see the log")

    with track_usage() as usage:
        answers = await asyncio.gather(*(one(p) for p in pairs))
    log.info(
        "adjudicator: %d pair(s) asked, %d LLM call(s), %d prompt and %d completion tokens",
        len(pairs), usage.llm_calls, usage.prompt_tokens, usage.completion_tokens,
    )  # fmt: skip
    return answers


def _made(pair: Pair, verdict: PairVerdictRow) -> Pair:
    explanation = (
        f"decided by the adjudicator ({verdict.model}), which judged them one fact: "
        f"{verdict.reason}"
    )
    return replace(pair, relation=Relation(verdict.relation), explanation=explanation)


def _apart(pair: Pair, verdict: PairVerdictRow) -> Pair:
    return replace(pair, explanation=f"{pair.explanation}{ADJUDICATED_APART}{verdict.reason}")


def settle(
    session: Session, result: DiffResult, adjudicator: Adjudicator
) -> tuple[DiffResult, list[str]]:
    """``result`` with its undecided pairs adjudicated, then the pairs it lists for a judge
    only (``for_judge``: no entity named in common), and a warning for each undecided pair left
    unjudged. A pair for the judge only that it judges two facts, or cannot judge, is dropped:
    no reader was shown it."""
    queue = [*result.undecided, *result.for_judge]
    if not queue:
        return result, []
    limit = adjudicator.settings.adjudicator_max_pairs
    asked = queue[:limit]
    hashes = [pair_hash(p, adjudicator.model) for p in asked]
    verdicts = _stored(session, hashes)
    missing = [(h, p) for h, p in zip(hashes, asked, strict=True) if h not in verdicts]
    warnings: list[str] = []
    fresh: list[dict[str, object]] = []
    if missing:
        pending = [p for _, p in missing]
        answers = run_async(lambda: ask_all(adjudicator, pending))
        for (h, pair), answer in zip(missing, answers, strict=True):
            if isinstance(answer, LLMError):
                if any(pair is p for p in result.for_judge):
                    continue  # never shown, so nothing is left undecided for a reader
                warnings.append(
                    f"the adjudicator could not judge claims {pair.left.id} and {pair.right.id} "
                    f"({answer.reason}): {answer.message}; the pair stays undecided"
                )
                continue
            row = {
                "pair_hash": h,
                "model": adjudicator.model,
                "prompt": PROMPT,
                "same_fact": answer.same_fact,
                "relation": answer.relation.value,
                "reason": answer.reason,
            }
            fresh.append(row)
            verdicts[h] = PairVerdictRow.model_validate(row)
        _store(session.get_bind(), fresh)  # type: ignore[arg-type]
    unasked = max(0, len(result.undecided) - limit)  # pairs a reader is shown, unjudged
    if unasked:
        warnings.append(
            f"{unasked} undecided pair(s) were not put to the adjudicator: at most "
            f"{limit} per diff (FACTDIFF_ADJUDICATOR_MAX_PAIRS)"
        )
    return _applied(result, queue, hashes, verdicts), warnings


def _applied(
    result: DiffResult,
    queue: list[Pair],
    hashes: list[str],
    verdicts: dict[str, PairVerdictRow],
) -> DiffResult:
    made: list[Pair] = []
    undecided: list[Pair] = []
    shown = len(result.undecided)  # the queue's first pairs; the rest are for the judge only
    for n, pair in enumerate(queue):
        verdict = verdicts.get(hashes[n]) if n < len(hashes) else None
        if verdict is not None and verdict.same_fact:
            made.append(_made(pair, verdict))
        elif n < shown:
            undecided.append(pair if verdict is None else _apart(pair, verdict))
    return replace(with_made(result, made, undecided), for_judge=[])
