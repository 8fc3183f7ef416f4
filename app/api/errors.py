"""How errors leave the API: always JSON, with ``detail`` and a stable ``reason`` code.

``detail`` keeps the shapes clients already read (a message, a list of field errors, or the
failed run); ``reason`` is one word a client can branch on. Domain errors
(app.services.errors) are answered by their kind; an error nobody expected becomes a 500
body in app.api.request_context.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from app.core.config import Settings, get_settings
from app.core.validation_errors import error_message
from app.services.errors import ErrorKind, ServiceError

log = logging.getLogger("factdiff")

STATUS = {
    ErrorKind.invalid: 400,
    ErrorKind.not_found: 404,
    ErrorKind.conflict: 409,
    ErrorKind.too_large: 413,
    ErrorKind.unsupported_media: 415,
    ErrorKind.unprocessable: 422,
    ErrorKind.quota_exhausted: 429,
    ErrorKind.internal: 500,
    ErrorKind.upstream_failed: 502,
    ErrorKind.unavailable: 503,
}
# The reason of an HTTPException, by its status.
REASONS = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    408: "request_timeout",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media",
    422: "invalid_request",
    429: "rate_limited",
    500: "internal_error",
    502: "upstream_failed",
    503: "unavailable",
}
# A 422 lists at most this many field errors: a body of 100,000 unknown keys is answered in
# a few kilobytes, not megabytes.
MAX_FIELD_ERRORS = 20


def error_response(
    status: int,
    detail: Any,
    reason: str,
    headers: Mapping[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    body = {"detail": detail, "reason": reason, **extra}
    return JSONResponse(jsonable_encoder(body), status_code=status, headers=headers)


def reason_for(status: int) -> str:
    return REASONS.get(status, f"http_{status}")


async def service_error_response(_request: Request, exc: ServiceError) -> JSONResponse:
    headers = {"Retry-After": str(exc.retry_after_s)} if exc.retry_after_s is not None else None
    detail = exc.detail if exc.detail is not None else exc.message
    # A failed run says why in its own words (llm_timeout, llm_bad_response...).
    run_reason = exc.detail.get("reason") if isinstance(exc.detail, dict) else None
    reason = run_reason if isinstance(run_reason, str) else exc.kind.value
    return error_response(STATUS[exc.kind], detail, reason, headers)


async def invalid_request(_request: Request, exc: RequestValidationError) -> JSONResponse:
    errors = exc.errors()
    if any(e.get("type") == "json_invalid" for e in errors):
        ctx = errors[0].get("ctx", {})
        message = f"malformed JSON body: {ctx.get('error', 'cannot be parsed')}"
        return error_response(400, message, "malformed_json")
    # Never echo the input back: it may be megabytes of article text.
    detail = [
        {
            "loc": list(e.get("loc", ())),
            "msg": error_message(e),
            "type": e.get("type"),
        }
        for e in errors[:MAX_FIELD_ERRORS]
    ]
    if len(errors) > len(detail):
        omitted = len(errors) - len(detail)
        return error_response(422, detail, "invalid_request", errors_omitted=omitted)
    return error_response(422, detail, "invalid_request")


async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
    if exc.status_code == 400 and exc.detail == "There was an error parsing the body":
        if isinstance(exc.__cause__, RecursionError):
            return error_response(400, "the JSON body is nested too deeply", "malformed_json")
        # FastAPI's words for a body that is not UTF-8 (JSON must be UTF-8).
        detail = "the request body could not be decoded: send JSON encoded as UTF-8"
        return error_response(400, detail, "malformed_json")
    if exc.status_code in (204, 304):  # no body allowed
        return Response(status_code=exc.status_code, headers=exc.headers)
    headers = exc.headers
    if exc.status_code == 405:
        headers = {**(headers or {}), "Allow": allowed_methods(request)}
    return error_response(exc.status_code, exc.detail, reason_for(exc.status_code), headers)


METHODS = ("DELETE", "GET", "HEAD", "PATCH", "POST", "PUT")


def allowed_methods(request: Request) -> str:
    """Every method the path answers to: Starlette's 405 names only the first route's, and
    GET and POST /articles are two routes. Asked of the routes themselves, one method at a
    time, so included routers are asked too."""
    allowed = [
        method
        for method in METHODS
        if any(
            route.matches({**request.scope, "method": method})[0] is Match.FULL
            for route in request.app.router.routes
        )
    ]
    return ", ".join(allowed)


DATABASE_DOWN = "the database is unavailable; try again"


async def database_down(_request: Request, exc: OperationalError) -> JSONResponse:
    log.error("database error: %s", type(exc).__name__)
    return error_response(503, DATABASE_DOWN, "database_unavailable")


async def pool_busy(request: Request, exc: PoolTimeoutError) -> JSONResponse:
    """Every connection in use for longer than a request may wait: try again shortly."""
    settings: Settings = request.app.dependency_overrides.get(get_settings, get_settings)()
    log.warning("database pool busy: %s", exc)
    return busy(settings)


def busy(settings: Settings) -> JSONResponse:
    retry_after = math.ceil(settings.db_pool_timeout_s)
    message = (
        "the service is busy: no database connection came free within "
        f"{settings.db_pool_timeout_s:g} s; try again in {retry_after} s"
    )
    detail = {"reason": "busy", "message": message}
    return error_response(503, detail, "busy", {"Retry-After": str(retry_after)})


def install_error_handlers(app: FastAPI) -> None:
    app.exception_handler(PoolTimeoutError)(pool_busy)
    app.exception_handler(RequestValidationError)(invalid_request)
    app.exception_handler(StarletteHTTPException)(http_error)
    app.exception_handler(OperationalError)(database_down)
    app.exception_handler(ServiceError)(service_error_response)
