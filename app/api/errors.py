"""How errors leave the API: always JSON; domain errors (app.services.errors) by their kind."""

from __future__ import annotations

import logging
import math

from fastapi import FastAPI, Request, Response
from fastapi.encoders import jsonable_encoder
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from starlette.exceptions import HTTPException as StarletteHTTPException

from app.core.config import Settings, get_settings
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
    ErrorKind.upstream_failed: 502,
    ErrorKind.unavailable: 503,
}


async def service_error_response(_request: Request, exc: ServiceError) -> JSONResponse:
    headers = {"Retry-After": str(exc.retry_after_s)} if exc.retry_after_s is not None else None
    body = {"detail": exc.detail if exc.detail is not None else exc.message}
    return JSONResponse(body, status_code=STATUS[exc.kind], headers=headers)


async def invalid_request(_request: Request, exc: RequestValidationError) -> JSONResponse:
    errors = exc.errors()
    if any(e.get("type") == "json_invalid" for e in errors):
        ctx = errors[0].get("ctx", {})
        return JSONResponse(
            status_code=400,
            content={"detail": f"malformed JSON body: {ctx.get('error', 'cannot be parsed')}"},
        )
    # Never echo the input back: it may be megabytes of article text.
    detail = [
        {
            "loc": list(e.get("loc", ())),
            "msg": str(e.get("msg", "")).removeprefix("Value error, "),
            "type": e.get("type"),
        }
        for e in errors
    ]
    return JSONResponse(status_code=422, content={"detail": jsonable_encoder(detail)})


async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
    if exc.status_code == 400 and exc.detail == "There was an error parsing the body":
        # FastAPI's words for a body that is not UTF-8 (JSON must be UTF-8).
        detail = "the request body could not be decoded: send JSON encoded as UTF-8"
        return JSONResponse(status_code=400, content={"detail": detail})
    return await http_exception_handler(request, exc)


async def database_down(_request: Request, exc: OperationalError) -> JSONResponse:
    log.error("database error: %s", type(exc).__name__)
    return JSONResponse(
        status_code=503, content={"detail": "the database is unavailable; try again"}
    )


async def pool_busy(request: Request, exc: PoolTimeoutError) -> JSONResponse:
    """Every connection in use for longer than a request may wait: try again shortly."""
    settings: Settings = request.app.dependency_overrides.get(get_settings, get_settings)()
    retry_after = math.ceil(settings.db_pool_timeout_s)
    log.warning("database pool busy: %s", exc)
    message = (
        "the service is busy: no database connection came free within "
        f"{settings.db_pool_timeout_s:g} s; try again in {retry_after} s"
    )
    return JSONResponse(
        status_code=503,
        content={"detail": {"reason": "busy", "message": message}},
        headers={"Retry-After": str(retry_after)},
    )


def install_error_handlers(app: FastAPI) -> None:
    app.exception_handler(PoolTimeoutError)(pool_busy)
    app.exception_handler(RequestValidationError)(invalid_request)
    app.exception_handler(StarletteHTTPException)(http_error)
    app.exception_handler(OperationalError)(database_down)
    app.exception_handler(ServiceError)(service_error_response)
