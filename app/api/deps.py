"""FastAPI dependencies, as Annotated aliases used across the routes."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from typing import Annotated, TypeVar

import instructor
from fastapi import Depends, HTTPException, Path, Request
from pydantic import BeforeValidator
from sqlalchemy import Engine
from sqlmodel import Session, SQLModel

from app.core.config import AdjudicatorKind, Settings, get_settings
from app.ingest.fetch import Fetcher
from app.llm.client import build_client
from app.services.adjudication import adjudicator_of
from app.services.adjudicator import Adjudicator
from app.store import db
from app.store.models import MAX_ID, Article, Claim, Entity, ExtractionRun


def get_engine() -> Engine:
    return db.get_engine()


EngineDep = Annotated[Engine, Depends(get_engine)]


def get_session(engine: EngineDep) -> Iterator[Session]:
    # Objects stay readable after commit: responses are built from them once stored.
    with Session(engine, expire_on_commit=False) as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session)]
SettingsDep = Annotated[Settings, Depends(get_settings)]


def get_llm(request: Request, settings: SettingsDep) -> instructor.AsyncInstructor:
    """The LLM client made once at start-up (see app.api.main.lifespan)."""
    client = getattr(request.app.state, "llm", None)
    if client is None:
        client = request.app.state.llm = build_client(settings)
    return client


LLMDep = Annotated[instructor.AsyncInstructor, Depends(get_llm)]


def get_adjudicator(request: Request, settings: SettingsDep, llm: LLMDep) -> Adjudicator | None:
    """The diff's adjudicator of undecided pairs, or None (FACTDIFF_ADJUDICATOR=off). With an
    endpoint of its own (FACTDIFF_ADJUDICATOR_BASE_URL), the client made for it at start-up."""
    judge = settings.adjudicator_settings()
    if settings.adjudicator_endpoint_own and settings.adjudicator is AdjudicatorKind.llm:
        llm = getattr(request.app.state, "adjudicator_llm", None) or build_client(judge)
        request.app.state.adjudicator_llm = llm
    return adjudicator_of(judge, llm)


AdjudicatorDep = Annotated[Adjudicator | None, Depends(get_adjudicator)]


def get_fetcher(settings: SettingsDep) -> Fetcher:
    """The url fetcher of POST /articles; tests override it to reach their local server."""
    return Fetcher.from_settings(settings)


FetcherDep = Annotated[Fetcher, Depends(get_fetcher)]

Row = TypeVar("Row", bound=SQLModel)


def iso_date(value: object) -> object:
    """A date in a query is written YYYY-MM-DD, as the schema says: pydantic alone would also
    read "0" or "1700000000" as a Unix timestamp."""
    if isinstance(value, str) and not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value):
        raise ValueError("Input should be a date written YYYY-MM-DD")
    return value


QueryDate = Annotated[date, BeforeValidator(iso_date)]

# Ids are 32-bit in Postgres; a larger one is a 422, never an overflow.
IdPath = Annotated[int, Path(ge=1, le=MAX_ID)]


def _get_or_404(session: Session, model: type[Row], id_: int, name: str) -> Row:
    row = session.get(model, id_)
    if row is None:
        raise HTTPException(404, f"{name} {id_} not found")
    return row


def article_or_404(article_id: IdPath, session: SessionDep) -> Article:
    return _get_or_404(session, Article, article_id, "article")


def run_or_404(run_id: IdPath, session: SessionDep) -> ExtractionRun:
    return _get_or_404(session, ExtractionRun, run_id, "run")


def claim_or_404(claim_id: IdPath, session: SessionDep) -> Claim:
    return _get_or_404(session, Claim, claim_id, "claim")


def entity_or_404(entity_id: IdPath, session: SessionDep) -> Entity:
    return _get_or_404(session, Entity, entity_id, "entity")


ArticleDep = Annotated[Article, Depends(article_or_404)]
RunDep = Annotated[ExtractionRun, Depends(run_or_404)]
ClaimDep = Annotated[Claim, Depends(claim_or_404)]
EntityDep = Annotated[Entity, Depends(entity_or_404)]
