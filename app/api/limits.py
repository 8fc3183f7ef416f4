"""Request limits checked before the app parses anything: body size and time, and characters
no database can store.

A body over ``max_body_bytes`` is a 413 whether it announces its length or streams in chunks;
nothing of it is parsed or stored. A body must arrive whole within ``body_timeout_s``, and at
most ``max_bodies_in_flight`` are read at once (others wait for a turn within that time): a
client trickling bytes is answered 408 and its connection closed, instead of holding memory
and a connection for as long as it likes. A client that leaves before its body is complete
gets nothing processed.

NUL characters and lone surrogates are refused with a 422 shaped like FastAPI's validation
errors, wherever they come (path, query, JSON strings): PostgreSQL cannot store a NUL in text
and SQLite can, and a lone surrogate (``"\\ud800"`` in JSON) is no character at all, which
neither UTF-8 nor either database can hold. Other control characters are stored as sent.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import weakref
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any
from urllib.parse import parse_qsl

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.api.errors import error_response
from app.core.config import Settings

NUL_MESSAGE = "contains NUL characters, which cannot be stored"
SURROGATE_MESSAGE = "contains a lone surrogate (\\ud800 to \\udfff), which is not a character"


class BodyTooLargeError(Exception):
    pass


class ClientGoneError(Exception):
    """The client disconnected before its body was complete."""


def too_large(limit: int) -> JSONResponse:
    detail = f"the request body is over {limit} bytes (FACTDIFF_MAX_BODY_BYTES)"
    return error_response(413, detail, "too_large")


def too_slow(settings: Settings, had_turn: bool) -> JSONResponse:
    waited = f"within {settings.body_timeout_s:g} s (FACTDIFF_BODY_TIMEOUT_S)"
    if had_turn:
        detail = f"the request body did not arrive whole {waited}"
    else:
        detail = (
            f"{settings.max_bodies_in_flight} request bodies were being received "
            f"(FACTDIFF_MAX_BODIES_IN_FLIGHT) and yours got no turn {waited}; try again"
        )
    return error_response(408, detail, "body_timeout", headers={"Connection": "close"})


def bad_body(detail: str) -> JSONResponse:
    return error_response(400, detail, "malformed_json")


def unstorable_refusal(found: list[tuple[list[str | int], str]]) -> JSONResponse:
    detail = [
        {
            "loc": loc,
            "msg": NUL_MESSAGE if kind == "nul_character" else SURROGATE_MESSAGE,
            "type": kind,
        }
        for loc, kind in found[:20]
    ]
    return error_response(422, detail, "invalid_request")


def _flaw(text: str) -> str | None:
    if "\x00" in text:
        return "nul_character"
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return "lone_surrogate"
    return None


def unstorable_strings(value: Any, loc: list[str | int]) -> Iterator[tuple[list[str | int], str]]:
    """Where the strings (and object keys) no database can store are, in a parsed JSON value.

    Walked with a stack of its own: a body nested thousands deep must not exhaust Python's.
    """
    stack: list[tuple[Any, list[str | int]]] = [(value, loc)]
    while stack:
        item, where = stack.pop()
        if isinstance(item, str):
            if kind := _flaw(item):
                yield where, kind
        elif isinstance(item, list):
            stack.extend((v, [*where, i]) for i, v in reversed(list(enumerate(item))))
        elif isinstance(item, dict):
            for key in reversed(list(item)):
                if kind := _flaw(key):
                    yield where, kind
                stack.append((item[key], [*where, _printable(key)]))


def _printable(key: str) -> str:
    return key.encode("utf-8", "replace").decode("utf-8").replace("\x00", "")


def query_unstorable(scope: Scope) -> list[tuple[list[str | int], str]]:
    found: list[tuple[list[str | int], str]] = []
    if "\x00" in scope.get("path", ""):
        found.append((["path"], "nul_character"))
    query = scope.get("query_string", b"").decode("latin-1")
    for name, value in parse_qsl(query, keep_blank_values=True, errors="replace"):
        if "\x00" in name or "\x00" in value:
            found.append((["query", name.replace("\x00", "")], "nul_character"))
    return found


# JSON carries a NUL only as the escape \u0000, and a surrogate only as \ud800 to \udfff:
# without one of these, a body is not worth parsing here.
ESCAPES = (b"\\u0000", b"\\ud", b"\\uD")


def body_unstorable(body: bytes) -> list[tuple[list[str | int], str]] | None:
    """The unstorable strings of a JSON body; None when it is nested past parsing."""
    if not any(escape in body for escape in ESCAPES):
        return []
    try:
        parsed = json.loads(body)
    except RecursionError:
        return None
    except ValueError:
        return []  # the app answers malformed JSON itself
    return list(unstorable_strings(parsed, ["body"]))


class BodySlots:
    """The turns to receive a body, per event loop (a semaphore belongs to one loop)."""

    def __init__(self) -> None:
        self._by_loop: weakref.WeakKeyDictionary[
            asyncio.AbstractEventLoop, tuple[int, asyncio.Semaphore]
        ] = weakref.WeakKeyDictionary()

    @contextlib.asynccontextmanager
    async def turn(self, limit: int) -> AsyncIterator[None]:
        loop = asyncio.get_running_loop()
        held = self._by_loop.get(loop)
        if held is None or held[0] != limit:
            held = self._by_loop[loop] = (limit, asyncio.Semaphore(limit))
        async with held[1]:
            yield


def has_body(scope: Scope) -> bool:
    headers = dict(scope.get("headers", []))
    return b"transfer-encoding" in headers or headers.get(b"content-length", b"0") != b"0"


class RequestLimitsMiddleware:
    """Refuse an oversized (413), slow (408) or unstorable (422) request before the app."""

    def __init__(self, app: ASGIApp, settings: Callable[[], Settings]) -> None:
        self.app = app
        # A callable, so tests' settings overrides apply per request.
        self.settings = settings
        self.slots = BodySlots()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if found := query_unstorable(scope):
            await unstorable_refusal(found)(scope, receive, send)
            return
        settings = self.settings()
        limit = settings.body_limit
        headers = dict(scope.get("headers", []))
        declared = headers.get(b"content-length", b"").decode("latin-1")
        if declared and not (declared.isascii() and declared.isdigit()):
            # Latin-1 superscripts pass str.isdigit(), and int() refuses them.
            detail = "the Content-Length header is not a number of bytes"
            await error_response(400, detail, "bad_request")(scope, receive, send)
            return
        if declared and int(declared) > limit:
            await too_large(limit)(scope, receive, send)
            return
        had_turn = False
        try:
            async with asyncio.timeout(settings.body_timeout_s):
                if has_body(scope):
                    async with self.slots.turn(settings.max_bodies_in_flight):
                        had_turn = True
                        body = await read_body(receive, limit)
                else:
                    body = await read_body(receive, limit)
        except TimeoutError:
            await too_slow(settings, had_turn)(scope, receive, send)
            return
        except BodyTooLargeError:
            await too_large(limit)(scope, receive, send)
            return
        except ClientGoneError:
            return  # nobody to answer, and half a body is not processed
        found_in_body = body_unstorable(body)
        if found_in_body is None:
            await bad_body("the JSON body is nested too deeply")(scope, receive, send)
            return
        if found_in_body:
            await unstorable_refusal(found_in_body)(scope, receive, send)
            return
        await self.app(scope, replay(body, receive), send)


async def read_body(receive: Receive, limit: int) -> bytes:
    """The whole body, counted as it streams in: a chunked body has no Content-Length."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            raise ClientGoneError
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
