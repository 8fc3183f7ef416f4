"""Service health and the extraction schemas on offer."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from sqlalchemy import text

from app.api.auth import find_key
from app.api.deps import EngineDep, SettingsDep
from app.api.models import Health, SchemaPublic
from app.core.config import AdjudicatorKind
from schemas import available, get_schema

router = APIRouter(tags=["meta"])
# Left open when API keys are configured (app.api.main), for load balancers.
open_router = APIRouter(tags=["meta"])


async def key_presented(request: Request, settings: SettingsDep) -> bool:
    """Whether the caller may see more than an anonymous one: the service has no keys, or
    the caller presented a valid one. Read from the headers, not through the security
    schemes: /healthz stays open, and documented so."""
    if not settings.api_keys:
        return True
    scheme, _, credentials = request.headers.get("authorization", "").partition(" ")
    presented = credentials if scheme.lower() == "bearer" else request.headers.get("x-api-key")
    return bool(presented) and find_key(settings.api_keys, presented or "") is not None


@open_router.get("/healthz", response_model=Health, response_model_exclude_none=True)
def healthz(
    engine: EngineDep, settings: SettingsDep, known: Annotated[bool, Depends(key_presented)]
) -> Health:
    """Report whether the database answers; with a key (or no keys set), the LLM in use."""
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        database = "ok"
    except Exception as exc:  # a health check reports, it does not raise
        database = f"error: {type(exc).__name__}"
    health = Health(status="ok" if database == "ok" else "degraded", database=database)
    if not known:
        return health
    update = {
        "llm_mode": settings.mode.value,
        "llm_endpoint": settings.llm_endpoint,
        "model": settings.llm_model,
    }
    if settings.adjudicator is AdjudicatorKind.llm:
        judge = settings.adjudicator_settings()
        update |= {"adjudicator_endpoint": judge.llm_endpoint, "adjudicator_model": judge.llm_model}
    return health.model_copy(update=update)


@router.get("/schemas", response_model=list[SchemaPublic])
def list_schemas() -> list[SchemaPublic]:
    """List the extraction schemas a request may name, with their JSON Schema."""
    return [
        SchemaPublic(
            ref=s.ref,
            name=s.name,
            version=s.version,
            description=s.description,
            prompt=s.prompt,
            json_schema=s.response_model.model_json_schema(),
        )
        for s in map(get_schema, available())
    ]
