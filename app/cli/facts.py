"""``factdiff facts``: maintain the stored fact clusters of a database."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

from app.core.config import get_settings

facts_app = typer.Typer(help="Maintain the stored fact clusters (what /facts reads).")
console = Console()


@facts_app.command("backfill")
def backfill(
    batch: Annotated[int, typer.Option(min=1, max=100_000, help="Claims per transaction")] = 5000,
) -> None:
    """Assign every stored claim that has no fact yet (claims stored before facts existed)."""
    from sqlmodel import Session

    from app.services.facts import assign_in, count_pending, lock_facts
    from app.store import db

    settings = get_settings()
    engine = db.get_engine()
    db.migrate(engine)
    with Session(engine) as session:
        total = count_pending(session)
    if not total:
        console.print("every claim already belongs to a fact")
        return
    columns = (*Progress.get_default_columns()[:1], BarColumn(), MofNCompleteColumn())
    with Progress(*columns, TimeRemainingColumn(), console=console) as progress:
        task = progress.add_task("assigning claims to facts", total=total)
        assigned = 0
        while True:
            # One transaction a batch: the service and workers may assign alongside.
            with Session(engine) as session:
                lock_facts(session)
                done = assign_in(session, default_schema=settings.default_schema, limit=batch)
                session.commit()
            if not done:
                break
            assigned += done
            progress.advance(task, done)
    console.print(f"assigned {assigned} claim(s) to facts")
