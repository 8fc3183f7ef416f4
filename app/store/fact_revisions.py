"""Mark stored facts whose claims changed, so their summaries are made again.

Every change to which claims a fact holds, or to one of those claims, bumps the fact's
``revision`` in the transaction that makes it; app.services.fact_summaries summarises a fact
again while its ``summary_revision`` is behind. In the store layer so that assignment
(app.services.facts) and curation can mark facts without importing the summariser.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import ColumnElement, exists, update
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from app.store.fact_models import Fact
from app.store.models import Claim, ExtractionRun, RunStatus
from app.store.sql_lists import one_of


def current_claims() -> ColumnElement[bool]:
    """Claims of no later successful run of their article and schema (or of no run at all):
    what a fact counts, each article once, though it was extracted again."""
    own, newer = aliased(ExtractionRun), aliased(ExtractionRun)
    superseded = exists().where(
        col(own.id) == col(Claim.run_id),
        col(newer.article_id) == col(own.article_id),
        col(newer.schema_name) == col(own.schema_name),
        col(newer.status) == RunStatus.succeeded,
        col(newer.id) > col(own.id),
    )
    return ~superseded


def mark_changed(
    session: Session, *, fact_ids: Iterable[int | None] = (), claim_ids: Iterable[int] = ()
) -> None:
    """Bump the facts named, and every fact holding a claim of the articles of ``claim_ids``:
    a new run of an article replaces its older runs' claims in the facts they are in."""
    ids = sorted({i for i in fact_ids if i is not None})
    if ids:
        session.exec(update(Fact).where(col(Fact.id).in_(ids)).values(revision=Fact.revision + 1))
    claims = sorted(set(claim_ids))
    if claims:
        # The ids as one bound list: a backfill's batch is thousands of claims, and a
        # parameter each took longer to send and parse than the statement took to run.
        articles = select(Claim.article_id).where(one_of(session, col(Claim.id), claims))
        held = select(Claim.fact_id).where(
            col(Claim.article_id).in_(articles), col(Claim.fact_id).is_not(None)
        )
        session.exec(update(Fact).where(col(Fact.id).in_(held)).values(revision=Fact.revision + 1))
