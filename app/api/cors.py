"""CORS: off unless FACTDIFF_CORS_ORIGINS lists the origins a browser may call from.

The settings are read per request, through the same dependency overrides as the routes (see
app.api.main), so the app is made before its settings are known; Starlette's CORSMiddleware is
built once per list of origins.
"""

from __future__ import annotations

from collections.abc import Callable

from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

from app.core.config import Settings

ALLOWED_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"]
ALLOWED_HEADERS = ["Authorization", "X-API-Key", "Content-Type"]


class SettingsCORSMiddleware:
    def __init__(self, app: ASGIApp, settings: Callable[[], Settings]) -> None:
        self.app = app
        self.settings = settings
        self._built: dict[tuple[str, ...], CORSMiddleware] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        origins = tuple(self.settings().cors_origins) if scope["type"] == "http" else ()
        if not origins:
            await self.app(scope, receive, send)
            return
        cors = self._built.get(origins)
        if cors is None:
            cors = self._built[origins] = CORSMiddleware(
                self.app,
                allow_origins=list(origins),
                allow_methods=ALLOWED_METHODS,
                allow_headers=ALLOWED_HEADERS,
                max_age=600,
            )
        await cors(scope, receive, send)
