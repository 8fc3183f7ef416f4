"""Request limits checked before the app parses anything: body size, and NUL characters.

A body over ``max_body_bytes`` is a 413 whether it announces its length or streams in chunks;
nothing of it is parsed or stored. NUL characters are refused with a 422 shaped like
FastAPI's validation errors, wherever they come (path, query, JSON strings): PostgreSQL
cannot store them in text and SQLite can, so refusing them keeps both backends alike.
Other control characters are stored as sent, on both.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import parse_qsl

from fastapi import FastAPI
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

NUL_MESSAGE = "contains NUL characters, which cannot be stored"
BODY_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: {"description": "Malformed JSON, or a body not encoded as UTF-8"},
    413: {"description": "Request body over FACTDIFF_MAX_BODY_BYTES"},
}


class BodyTooLargeError(Exception):
    pass


def too_large(limit: int) -> JSONResponse:
    detail = f"the request body is over {limit} bytes (FACTDIFF_MAX_BODY_BYTES)"
    return JSONResponse(status_code=413, content={"detail": detail})


def nul_refusal(locations: list[list[str | int]]) -> JSONResponse:
    detail = [{"loc": loc, "msg": NUL_MESSAGE, "type": "nul_character"} for loc in locations]
    return JSONResponse(status_code=422, content={"detail": detail})


def nul_locations(value: Any, loc: list[str | int]) -> Iterator[list[str | int]]:
    """Where the strings (and object keys) holding a NUL are, in a parsed JSON value."""
    if isinstance(value, str):
        if "\x00" in value:
            yield loc
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from nul_locations(item, [*loc, i])
    elif isinstance(value, dict):
        for key, item in value.items():
            if "\x00" in key:
                yield loc
            yield from nul_locations(item, [*loc, key])


def query_nul_locations(scope: Scope) -> list[list[str | int]]:
    locations: list[list[str | int]] = []
    if "\x00" in scope.get("path", ""):
        locations.append(["path"])
    query = scope.get("query_string", b"").decode("latin-1")
    for name, value in parse_qsl(query, keep_blank_values=True, errors="replace"):
        if "\x00" in name or "\x00" in value:
            locations.append(["query", name.replace("\x00", "")])
    return locations


def body_nul_locations(body: bytes) -> list[list[str | int]]:
    # JSON can only carry a NUL as the escape \u0000; only then is the body worth parsing.
    if b"\\u0000" not in body:
        return []
    try:
        parsed = json.loads(body)
    except ValueError:
        return []  # the app answers malformed JSON itself
    return list(nul_locations(parsed, ["body"]))


class RequestLimitsMiddleware:
    """Refuse an oversized body (413) or NUL characters (422) before the app sees them."""

    def __init__(self, app: ASGIApp, max_body_bytes: Callable[[], int]) -> None:
        self.app = app
        # A callable, so tests' settings overrides apply per request.
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if locations := query_nul_locations(scope):
            await nul_refusal(locations)(scope, receive, send)
            return
        limit = self.max_body_bytes()
        headers = dict(scope.get("headers", []))
        declared = headers.get(b"content-length", b"").decode("latin-1")
        if declared.isdigit() and int(declared) > limit:
            await too_large(limit)(scope, receive, send)
            return
        try:
            body = await read_body(receive, limit)
        except BodyTooLargeError:
            await too_large(limit)(scope, receive, send)
            return
        if locations := body_nul_locations(body):
            await nul_refusal(locations)(scope, receive, send)
            return
        await self.app(scope, replay(body, receive), send)


async def read_body(receive: Receive, limit: int) -> bytes:
    """The whole body, counted as it streams in: a chunked body has no Content-Length."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break  # the client went away; the app sees an empty body
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise BodyTooLargeError
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replayed() -> Message:
        nonlocal sent
        if sent:
            return await receive()  # http.disconnect, when the client leaves
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replayed


def document_body_errors(app: FastAPI) -> None:
    """List the 400 and 413 every operation with a body can answer in the OpenAPI schema."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        schema = build()  # cached by FastAPI after the first call
        for path in schema.get("paths", {}).values():
            for operation in path.values():
                if isinstance(operation, dict) and "requestBody" in operation:
                    for code, response in BODY_RESPONSES.items():
                        operation["responses"].setdefault(str(code), response)
        return schema

    # FastAPI's documented way to extend the generated schema.
    app.openapi = openapi  # type: ignore[method-assign]
