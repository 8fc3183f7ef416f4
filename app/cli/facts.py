"""``factdiff facts``: maintain the stored fact clusters of a database."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

from app.core.config import get_settings

if TYPE_CHECKING:
    from sqlalchemy import Engine

facts_app = typer.Typer(help="Maintain the stored fact clusters (what /facts reads).")
console = Console()


@facts_app.command("backfill")
def backfill(
    batch: Annotated[int, typer.Option(min=1, max=100_000, help="Claims per transaction")] = 5000,
) -> None:
    """Assign every stored claim that has no fact yet (claims stored before facts existed),
    then summarise every fact whose claims changed since its summary."""
    from sqlmodel import Session

    from app.services.facts import assign_pending, count_pending
    from app.store import db

    settings = get_settings()
    engine = db.get_engine()
    db.migrate(engine)
    with Session(engine) as session:
        total = count_pending(session)
    columns = (*Progress.get_default_columns()[:1], BarColumn(), MofNCompleteColumn())
    if not total:
        console.print("every claim already belongs to a fact")
        summarise(engine, columns)
        return
    with Progress(*columns, TimeRemainingColumn(), console=console) as progress:
        task = progress.add_task("assigning claims to facts", total=total)
        assigned = 0
        while True:
            # A pass a batch: the service and workers may store and assign alongside.
            done = assign_pending(engine, default_schema=settings.default_schema, limit=batch)
            if not done:
                break
            assigned += done
            progress.advance(task, done)
    console.print(f"assigned {assigned} claim(s) to facts")
    summarise(engine, columns)


def summarise(engine: Engine, columns: tuple[Any, ...]) -> None:
    """Summarise every fact changed since its summary (all of them after the migration that
    added summaries), once, after assignment: per batch it would summarise busy facts again
    and again."""
    from sqlmodel import Session

    from app.services.fact_summaries import refresh_stale, stale_ids

    with Session(engine) as session:
        total = len(stale_ids(session))
    if not total:
        return
    with Progress(*columns, TimeRemainingColumn(), console=console) as progress:
        task = progress.add_task("summarising facts", total=total)
        done = 0
        while step := refresh_stale(engine, batch=200, rounds=1):
            done += step
            progress.advance(task, step)
    console.print(f"summarised {done} fact(s)")
