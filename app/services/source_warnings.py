"""Warnings for a diff or ledger over sources that have nothing to show, and why.

A side whose article failed to extract would otherwise look like an article that states
nothing; the warning names the article and its latest run's state instead.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, Select, func
from sqlmodel import Session, col, select

from app.diff.types import DiffClaim
from app.services.diff_sources import Side
from app.store.models import Article, ExtractionRun, RunStatus
from app.store.publications import articles_carried_by

# Articles named one by one; past this, one line says how many more.
MAX_LISTED = 10


def run_state(run_id: int, status: str, reason: str | None) -> str:
    """'run 7 failed: llm_unavailable', 'run 8 is queued'."""
    if status == RunStatus.failed.value:
        return f"run {run_id} failed: {reason or 'no reason recorded'}"
    return f"run {run_id} is {status}"


def _status(value: Any) -> str:
    return str(value.value if isinstance(value, RunStatus) else value)


def unextracted_articles(
    session: Session,
    *,
    schema_name: str,
    within: Select[tuple[int]] | Sequence[int] | None = None,
    of: str = "",
) -> list[str]:
    """A line for each article (within ``within``, if given) with no succeeded run of the
    schema, naming its latest run; past MAX_LISTED, one line '… and N more' (``of`` says
    whose, e.g. " from outlet 'X'")."""
    # NOT IN an uncorrelated set, built once: a correlated NOT EXISTS had SQLite walk the
    # status index for every article (seconds over 5,000 articles).
    succeeded = select(ExtractionRun.article_id).where(
        ExtractionRun.schema_name == schema_name, ExtractionRun.status == RunStatus.succeeded
    )
    where: list[ColumnElement[bool]] = [col(Article.id).not_in(succeeded)]
    if within is not None:
        where.append(col(Article.id).in_(within))
    elif _all_extracted(session, schema_name):
        return []
    total = session.exec(select(func.count()).select_from(Article).where(*where)).one()
    if not total:
        return []
    ids = list(
        session.exec(select(Article.id).where(*where).order_by(col(Article.id)).limit(MAX_LISTED))
    )
    runs = session.exec(
        select(ExtractionRun.article_id, ExtractionRun.id, ExtractionRun.status,
               ExtractionRun.error_reason)
        .where(col(ExtractionRun.article_id).in_(ids), ExtractionRun.schema_name == schema_name)
        .order_by(col(ExtractionRun.id))
    ).all()  # fmt: skip
    latest = {
        article_id: run_state(run_id, _status(status), reason)
        for article_id, run_id, status, reason in runs
        if run_id is not None
    }
    lines = []
    for article_id in ids:
        why = latest.get(article_id) if article_id is not None else None
        why = why or f"no {schema_name} run"
        lines.append(f"article {article_id} has no successful extraction ({why})")
    if (more := total - len(ids)) > 0:
        noun = "article" if more == 1 else "articles"
        lines.append(f"… and {more} more {noun}{of} with no successful extraction")
    return lines


def _all_extracted(session: Session, schema_name: str) -> bool:
    """Whether every article has a successful run of the schema, the usual case, told by two
    counts read from indexes; finding which articles have none walks both tables."""
    articles = session.exec(select(func.count()).select_from(Article)).one()
    done = session.exec(
        select(func.count(func.distinct(ExtractionRun.article_id))).where(
            ExtractionRun.schema_name == schema_name,
            ExtractionRun.status == RunStatus.succeeded,
        )
    ).one()
    return bool(articles == done)


def side_warnings(
    session: Session, side: Side, *, schema_name: str, claims: Sequence[DiffClaim]
) -> list[str]:
    """What a diff side lacks: failed or unfinished extractions, or no claims at all."""
    lines: list[str] = []
    if side.kind == "run":
        run = session.get(ExtractionRun, int(side.value))
        if run is not None and run.id is not None and run.status != RunStatus.succeeded:
            lines.append(run_state(run.id, _status(run.status), run.error_reason))
    elif side.kind == "article":
        lines = unextracted_articles(session, schema_name=schema_name, within=[int(side.value)])
    else:
        lines = unextracted_articles(
            session,
            schema_name=schema_name,
            within=articles_carried_by(side.value),
            of=f" from outlet {side.value!r}",
        )
    if not claims and not lines:
        lines.append(f"{side.label} has no active claims")
    return lines


def ledger_warnings(session: Session, *, schema_name: str) -> list[str]:
    """The articles the ledger cannot show, for want of a successful extraction."""
    return unextracted_articles(session, schema_name=schema_name)
