"""What every page needs: its templates, its caller, and errors shown as pages.

API keys work on pages as on the API: sent as ``Authorization: Bearer`` or ``X-API-Key``,
or, from a browser, once through the sign-in form, which keeps the key in an HttpOnly,
SameSite=Strict cookie. The key is checked by app.api.auth.authenticate (same keys, scopes
and request rates); reading a page needs read scope, a form that changes anything write scope.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlsplit

from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials
from fastapi.templating import Jinja2Templates

from app.api.auth import authenticate, bearer_scheme, get_rate_limiter, header_scheme
from app.api.deps import SettingsDep
from app.api.ratelimit import RateLimiter
from app.core.config import ApiKey, ApiKeyScope
from app.web.claim_form import CHOICES

WEB_ROOT = Path(__file__).parent
templates = Jinja2Templates(directory=WEB_ROOT / "templates")
KEY_COOKIE = "factdiff_key"

STATUS_WORDS = {
    "conflict": "Conflict",
    "updates": "Updated over time",
    "consensus": "Consensus",
    "single": "Single source",
}
templates.env.globals["STATUS_WORDS"] = STATUS_WORDS
# The claim forms' select boxes: the extraction schema's own vocabularies.
templates.env.globals["CHOICES"] = CHOICES


class PageError(Exception):
    """A page that cannot be shown: rendered as an HTML page with the reason and what to do."""

    def __init__(self, status: int, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.hint = hint


@dataclass(frozen=True)
class Caller:
    key: ApiKey | None
    keys_required: bool

    @property
    def can_write(self) -> bool:
        return not self.keys_required or (
            self.key is not None and self.key.scope is ApiKeyScope.write
        )


SIGN_IN_HINT = "Sign in with an API key of FACTDIFF_API_KEYS."


async def page_caller(
    request: Request,
    settings: SettingsDep,
    limiter: Annotated[RateLimiter, Depends(get_rate_limiter)],
    bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)],
    header_key: Annotated[str | None, Depends(header_scheme)],
) -> Caller:
    """The caller of a page; a page error (sign in) when keys are required and none fits."""
    presented = header_key or request.cookies.get(KEY_COOKIE)
    try:
        key = await authenticate(settings, limiter, bearer, presented)
    except HTTPException as exc:
        hint = SIGN_IN_HINT if exc.status_code == 401 else None
        raise PageError(exc.status_code, str(exc.detail), hint=hint) from exc
    return Caller(key=key, keys_required=bool(settings.api_keys))


PageCaller = Annotated[Caller, Depends(page_caller)]


def same_origin(request: Request) -> None:
    """A form post must come from this service's own pages (no cross-site form posts)."""
    origin = request.headers.get("origin")
    if origin and urlsplit(origin).netloc != request.headers.get("host"):
        raise PageError(403, f"a form from {origin} cannot post here")


async def page_writer(request: Request, caller: PageCaller) -> Caller:
    same_origin(request)
    if not caller.can_write:
        assert caller.key is not None
        raise PageError(
            403,
            f"API key {caller.key.name!r} has {caller.key.scope.value} scope; "
            "changing anything needs write scope",
            hint=SIGN_IN_HINT,
        )
    return caller


PageWriter = Annotated[Caller, Depends(page_writer)]


# The pages' own scripts and styles are files of this service; nothing else may load.
PAGE_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
)


def render(request: Request, template: str, status_code: int = 200, **context: Any) -> Any:
    """A page from its template, under the pages' Content Security Policy."""
    headers = {"Content-Security-Policy": PAGE_POLICY}
    return templates.TemplateResponse(
        request, template, context, status_code=status_code, headers=headers
    )
