"""A request id on every request and response, and a JSON 500 for whatever nobody expected.

The id is the caller's ``X-Request-ID`` when it is a sane token (a proxy's or a client's own),
else a new one; it is sent back on every response and named in the log line of a failure, so
a caller quoting it leads to the traceback. The outermost middleware: errors raised in the
others are caught too.
"""

from __future__ import annotations

import logging
import re
import uuid
from contextvars import ContextVar

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.api.errors import error_response

log = logging.getLogger("factdiff")

HEADER = "X-Request-ID"
SANE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:+/=-]{0,127}")
INTERNAL_ERROR = "an unexpected error occurred; quote the request id when reporting it"

request_id: ContextVar[str | None] = ContextVar("factdiff_request_id", default=None)


def incoming_id(scope: Scope) -> str | None:
    for name, value in scope.get("headers", []):
        if name == b"x-request-id":
            text = value.decode("latin-1")
            return text if SANE_ID.fullmatch(text) else None
    return None


def internal_error(rid: str) -> JSONResponse:
    return error_response(
        500, INTERNAL_ERROR, "internal_error", message=INTERNAL_ERROR, request_id=rid
    )


class RequestContextMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        rid = incoming_id(scope) or uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = rid
        token = request_id.set(rid)
        started = False

        async def send_with_id(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                headers = [(k, v) for k, v in message.get("headers", []) if k != b"x-request-id"]
                message["headers"] = [*headers, (b"x-request-id", rid.encode("latin-1"))]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception:
            log.exception(
                "unexpected error in %s %s (request id %s)", scope["method"], scope["path"], rid
            )
            if started:
                raise  # the answer is half sent: the server can only close the connection
            await internal_error(rid)(scope, receive, send_with_id)
        finally:
            request_id.reset(token)
