"""Sign in to the pages with an API key, kept in a cookie; sign out."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from app.api.auth import find_key
from app.api.deps import SettingsDep
from app.web.deps import KEY_COOKIE, render, same_origin

router = APIRouter(prefix="/pages", include_in_schema=False)


def _local(path: str) -> str:
    # Only a path of this service: never a redirect to another site.
    return path if path.startswith("/") and not path.startswith("//") else "/"


@router.get("/signin", response_class=HTMLResponse)
def sign_in_form(request: Request, next: str = "/") -> Any:
    """The sign-in form."""
    return render(request, "signin.html", next=_local(next), error=None)


@router.post("/signin", response_class=HTMLResponse)
def sign_in(
    request: Request,
    settings: SettingsDep,
    key: Annotated[str, Form(min_length=1, max_length=500)],
    next: Annotated[str, Form(max_length=2000)] = "/",
) -> Any:
    """Check the key and keep it in an HttpOnly cookie."""
    same_origin(request)
    if settings.api_keys and find_key(settings.api_keys, key) is None:
        return render(request, "signin.html", 401, next=_local(next), error="invalid API key")
    response = RedirectResponse(_local(next), status_code=303)
    response.set_cookie(
        KEY_COOKIE, key, httponly=True, samesite="strict", secure=request.url.scheme == "https"
    )
    return response


@router.post("/signout")
def sign_out(request: Request) -> RedirectResponse:
    """Forget the key."""
    same_origin(request)
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(KEY_COOKIE)
    return response
