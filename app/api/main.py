"""The FastAPI application, served as ``uvicorn app.main:app`` (app/main.py re-exports it)."""

from __future__ import annotations

import asyncio
import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import Depends, FastAPI
from sqlalchemy import Engine

from app.api.auth import authorize
from app.api.cors import SettingsCORSMiddleware
from app.api.deps import get_engine, get_llm
from app.api.errors import install_error_handlers
from app.api.limits import RequestLimitsMiddleware
from app.api.openapi_doc import document_errors
from app.api.request_context import RequestContextMiddleware
from app.api.routes import articles, claims, curation, diff, entities, facts, meta, runs
from app.core.config import AdjudicatorKind, LLMMode, Settings, get_settings
from app.core.logs import configure_logging
from app.jobs import queue as jobs
from app.jobs.worker import PROCESS_ID, WorkerPool
from app.llm.client import build_client, close_client
from app.services.facts import assign_facts
from app.store import db
from app.web import install_web

log = logging.getLogger("factdiff")

DESCRIPTION = """
factdiff pulls checkable claims out of news articles with an LLM, keeps only those it can
ground in the article text (each with its verbatim evidence and offsets), stores them, and
lets you query them across articles and outlets.

Start with `POST /articles`, then `GET /claims?entity=Kenya`.
"""


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    # Through the dependency overrides, so tests run the same start-up on their own engine.
    overrides = app.dependency_overrides
    settings: Settings = overrides.get(get_settings, get_settings)()
    configure_logging()
    if settings.mode is LLMMode.replay:
        log.warning(
            "No LLM endpoint configured: replay mode, answering from fixtures under %s. "
            "Articles without a fixture get 503. Set FACTDIFF_LLM_BASE_URL and/or "
            "FACTDIFF_LLM_API_KEY to call a model.",
            settings.fixtures_dir,
        )
    if not settings.api_keys:
        log.warning(
            "No API keys configured (FACTDIFF_API_KEYS): the API is open to anyone who can "
            "reach it."
        )
    else:
        names = ", ".join(f"{k.name} ({k.scope.value})" for k in settings.api_keys)
        log.info("API keys required; %d configured: %s", len(settings.api_keys), names)
    engine: Engine = overrides.get(get_engine, get_engine)()
    db.migrate(engine)
    log.info("database: %s", db.database_label(engine))
    own_client = get_llm not in overrides
    app.state.llm = build_client(settings) if own_client else overrides[get_llm]()
    app.state.adjudicator_llm = None
    if settings.adjudicator is AdjudicatorKind.llm and settings.adjudicator_endpoint_own:
        judge = settings.adjudicator_settings()
        app.state.adjudicator_llm = build_client(judge)
        log.info("adjudicator: endpoint=%s model=%s", judge.llm_endpoint, judge.llm_model)
    app.state.workers = None
    # SQLite serves one machine: a run still held by a process of ours that is gone was
    # orphaned by our last exit (on PostgreSQL, other machines' workers may hold runs: their
    # leases decide).
    if engine.dialect.name == "sqlite" and (
        released := jobs.release_orphans(engine, own_id=PROCESS_ID)
    ):
        log.warning("%d run(s) interrupted by the last shutdown queued again", released)
    if settings.worker_concurrency:
        pool = WorkerPool(
            db.jobs_engine(engine, settings),
            app.state.llm,
            settings,
            after_store=assign_facts(settings),
        )
        app.state.workers = pool
        task = asyncio.create_task(pool.run())
    yield
    if app.state.workers is not None:
        app.state.workers.stop()
        await task
    if own_client:
        await close_client(app.state.llm)
    if (judge_client := app.state.adjudicator_llm) is not None:
        app.state.adjudicator_llm = None
        await close_client(judge_client)


def create_app() -> FastAPI:
    app = FastAPI(
        title="factdiff",
        version="0.1.0",
        summary="Grounded claims from news articles, and what sources disagree on.",
        description=DESCRIPTION,
        lifespan=lifespan,
        docs_url=None,  # /docs and /redoc: app.web serves them from local assets
        redoc_url=None,
    )
    # Every route needs a key when keys are configured, but /healthz (for load balancers).
    for module in (articles, claims, curation, diff, entities, facts, runs, meta):
        app.include_router(module.router, dependencies=[Depends(authorize)])
    app.include_router(meta.open_router)

    def settings() -> Settings:
        current: Settings = app.dependency_overrides.get(get_settings, get_settings)()
        return current

    document_errors(app, settings)

    # Inside CORS, so a browser can read the 408, 413 and 422 it answers.
    app.add_middleware(RequestLimitsMiddleware, settings=settings)
    app.add_middleware(SettingsCORSMiddleware, settings=settings)
    # Outermost: every response carries the request id, and an error raised anywhere inside
    # leaves as JSON.
    app.add_middleware(RequestContextMiddleware)

    install_error_handlers(app)
    install_web(app)
    return app


app = create_app()
# What is loaded by now (modules, pydantic and SQLAlchemy schemas: some 200,000 objects) lives
# as long as the process. Frozen, the cyclic collector stops walking it at every full
# collection, which a request building many objects triggers: a third of the fact ledger's
# time for a busy entity was spent there.
gc.freeze()
