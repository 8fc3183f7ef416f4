"""The errors any operation can meet, added to its entry in the OpenAPI document.

Routes declare their own refusals (app.api.error_docs); what comes from outside a route is
added here, where the document is built: a missing or refused key (protected operations), a
body malformed, too slow or too large (operations with a body), a parameter refused (422,
in place of FastAPI's own schema, which is not the body this service sends), the database
down or busy (operations that use it), and the 500 nobody expected. Each example body is
made by the code that sends it, with the service's settings.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from pydantic import TypeAdapter
from starlette.responses import JSONResponse

from app.api.auth import INVALID_KEY, MISSING_KEY, rate_refusal, scope_refusal
from app.api.deps import get_engine
from app.api.error_docs import ErrorPublic
from app.api.errors import DATABASE_DOWN, busy, error_response, reason_for
from app.api.limits import NUL_MESSAGE, too_large, too_slow
from app.api.request_context import internal_error
from app.core.config import ApiKeyScope, Settings

ERROR_REF = {"$ref": "#/components/schemas/ErrorPublic"}
RETRY_AFTER = {
    "Retry-After": {
        "description": "Seconds to wait before trying again",
        "schema": {"type": "integer"},
    }
}
# The ids the examples use (app.api.examples), put in a path's placeholders.
EXAMPLE_IDS = {"article_id": "4", "claim_id": "26", "run_id": "4", "fact_id": "1", "entity_id": "1"}
READS = {"get", "head"}
EXAMPLE_REQUEST_ID = "6f1c2b9e0d8a4f57a3e2c1b0d9f8e7a6"
# Says in its body whether the database answers; never a 503.
REPORTS_DATABASE = {"/healthz"}


@dataclass(frozen=True)
class ErrorDoc:
    """One error status of an operation: what it means, and named bodies as they are sent."""

    status: int
    description: str
    examples: dict[str, tuple[str, JSONResponse]]
    retry_after: bool = False


def add(operation: dict[str, Any], doc: ErrorDoc) -> None:
    """Add a status's examples to the operation, keeping what the route declared."""
    responses = operation["responses"]
    response = responses.setdefault(str(doc.status), {"description": doc.description})
    if response.get("description") == "Validation Error":  # FastAPI's words for its own 422
        response["description"] = doc.description
    media = response.setdefault("content", {}).setdefault("application/json", {})
    media["schema"] = ERROR_REF
    examples = media.setdefault("examples", {})
    for name, (summary, sent) in doc.examples.items():
        examples.setdefault(name, {"summary": summary, "value": json.loads(bytes(sent.body))})
    if doc.retry_after:
        response.setdefault("headers", {}).update(RETRY_AFTER)


def key_errors(method: str, path: str) -> list[ErrorDoc]:
    where = re.sub(r"\{(\w+)\}", lambda m: EXAMPLE_IDS.get(m[1], "1"), path)
    read_only = scope_refusal("reader", ApiKeyScope.read, method.upper(), where)
    docs = [
        ErrorDoc(401, "Missing or invalid API key (when FACTDIFF_API_KEYS is set)", {
            "missing_key": ("No key sent", error_response(401, MISSING_KEY, reason_for(401))),
            "invalid_key": ("A key not configured",
                            error_response(401, INVALID_KEY, reason_for(401))),
        }),
        ErrorDoc(429, "The API key's request rate (or daily token budget) is spent", {
            "rate_limited": ("Over the key's requests per minute",
                             error_response(429, rate_refusal("reader", 60, 12), reason_for(429))),
        }, retry_after=True),
    ]  # fmt: skip
    if method not in READS:
        docs.append(
            ErrorDoc(403, "The API key's scope does not cover this request", {
                "read_scope": ("A read key asked to write",
                               error_response(403, read_only, reason_for(403))),
            })
        )  # fmt: skip
    return docs


def body_errors(settings: Settings) -> list[ErrorDoc]:
    malformed = error_response(
        400, "malformed JSON body: Expecting ',' delimiter", "malformed_json"
    )
    return [
        ErrorDoc(400, "Malformed JSON, or a body not encoded as UTF-8", {
            "malformed_json": ("JSON that does not parse", malformed),
        }),
        ErrorDoc(408, "The body did not arrive within FACTDIFF_BODY_TIMEOUT_S", {
            "body_timeout": ("A body trickling in", too_slow(settings, had_turn=True)),
        }),
        ErrorDoc(413, "Request body over FACTDIFF_MAX_BODY_BYTES", {
            "body_too_large": ("A body over the limit", too_large(settings.body_limit)),
        }),
    ]  # fmt: skip


def database_errors(settings: Settings) -> ErrorDoc:
    down = error_response(503, DATABASE_DOWN, "database_unavailable")
    return ErrorDoc(503, "The database is down, or every connection is busy", {
        "database_unavailable": ("The database does not answer", down),
        "busy": ("No database connection came free in time", busy(settings)),
    }, retry_after=True)  # fmt: skip


UNEXPECTED = ErrorDoc(
    500,
    "An unexpected error: quote the request id when reporting it",
    {"internal_error": ("A fault of the service", internal_error(EXAMPLE_REQUEST_ID))},
)


def invalid_parameter(operation: dict[str, Any], schema: dict[str, Any]) -> JSONResponse:
    """A 422 body for one of this operation's own fields, as the service words it: a body
    field left out, else a path id that is not a number, else a NUL in a query parameter."""
    params = operation.get("parameters", [])
    if "requestBody" in operation:
        ref = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
        required = schema["components"]["schemas"][ref.rsplit("/", 1)[-1]].get("required", [])
        if required:
            detail = [{"loc": ["body", required[0]], "msg": "Field required", "type": "missing"}]
            return error_response(422, detail, "invalid_request")
    if in_path := [p["name"] for p in params if p["in"] == "path"]:
        msg = "Input should be a valid integer, unable to parse string as an integer"
        detail = [{"loc": ["path", in_path[0]], "msg": msg, "type": "int_parsing"}]
        return error_response(422, detail, "invalid_request")
    # NUL is refused in any query parameter; a text one reads most naturally.
    texts = [p["name"] for p in params if "string" in json.dumps(p.get("schema", {}))]
    name = (texts or [p["name"] for p in params] or ["q"])[0]
    detail = [{"loc": ["query", name], "msg": NUL_MESSAGE, "type": "nul_character"}]
    return error_response(422, detail, "invalid_request")


def routes_of(app: FastAPI) -> Iterator[APIRoute]:
    # Included routers are kept as such (resolved on first use): walk into them.
    pending = list(app.routes)
    while pending:
        route = pending.pop()
        pending.extend(getattr(getattr(route, "original_router", None), "routes", []))
        if isinstance(route, APIRoute):
            yield route


def uses_database(dependant: Dependant) -> bool:
    return dependant.call is get_engine or any(uses_database(d) for d in dependant.dependencies)


def document_operation(
    operation: dict[str, Any], method: str, path: str, *, database: bool, settings: Settings,
    schema: dict[str, Any],
) -> None:  # fmt: skip
    docs: list[ErrorDoc] = []
    if "security" in operation:
        docs += key_errors(method, path)
    if "requestBody" in operation:
        docs += body_errors(settings)
    if operation.get("parameters") or "requestBody" in operation:
        refused = invalid_parameter(operation, schema)
        docs.append(ErrorDoc(422, "A parameter or body field refused", {
            "invalid_request": ("A field refused", refused),
        }))  # fmt: skip
    if database and path not in REPORTS_DATABASE:
        docs.append(database_errors(settings))
    for doc in [*docs, UNEXPECTED]:
        add(operation, doc)


def document_errors(app: FastAPI, settings: Callable[[], Settings]) -> None:
    """Document the errors every operation can answer, on top of FastAPI's schema."""
    build = app.openapi
    documented: list[int] = []

    def openapi() -> dict[str, Any]:
        schema = build()  # cached by FastAPI after the first call
        if documented and documented[-1] == id(schema):
            return schema
        routes = {(m.lower(), r.path): r for r in routes_of(app) for m in r.methods or ()}
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        error_schema = TypeAdapter(ErrorPublic).json_schema(
            ref_template="#/components/schemas/{model}"
        )
        components.update(error_schema.pop("$defs", {}))
        components["ErrorPublic"] = error_schema
        current = settings()
        for path, operations in schema.get("paths", {}).items():
            for method, operation in operations.items():
                route = routes.get((method, path))
                database = route is not None and uses_database(route.dependant)
                document_operation(
                    operation, method, path, database=database, settings=current, schema=schema
                )
        for unused in ("HTTPValidationError", "ValidationError"):
            if f'"#/components/schemas/{unused}"' not in json.dumps(schema["paths"]):
                components.pop(unused, None)
        documented.append(id(schema))
        return schema

    # FastAPI's documented way to extend the generated schema.
    app.openapi = openapi  # type: ignore[method-assign]
