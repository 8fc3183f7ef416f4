"""Service health and the extraction schemas on offer."""

from __future__ import annotations

from fastapi import APIRouter
from sqlalchemy import text

from app.api.deps import EngineDep, SettingsDep
from app.api.models import Health, SchemaPublic
from schemas import available, get_schema

router = APIRouter(tags=["meta"])
# Left open when API keys are configured (app.api.main), for load balancers.
open_router = APIRouter(tags=["meta"])


@open_router.get("/healthz", response_model=Health)
def healthz(engine: EngineDep, settings: SettingsDep) -> Health:
    """Report whether the database answers and which LLM mode is in use."""
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        database = "ok"
    except Exception as exc:  # a health check reports, it does not raise
        database = f"error: {type(exc).__name__}"
    return Health(
        status="ok" if database == "ok" else "degraded",
        database=database,
        llm_mode=settings.mode.value,
        llm_endpoint=settings.llm_endpoint,
        model=settings.llm_model,
    )


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
