"""/docs and /redoc from assets installed with the service, so they work offline.

Swagger UI and Redoc come from the fastapi-offline package (its static folder), served under
/static/docs. Redoc's sidebar asks its vendor's server for a logo: the page's Content Security
Policy keeps every request on this service, and Redoc hides the image it could not load.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from fastapi import APIRouter, FastAPI, Request
from fastapi.openapi.docs import (
    get_redoc_html,
    get_swagger_ui_html,
    get_swagger_ui_oauth2_redirect_html,
)
from fastapi.responses import HTMLResponse
from fastapi.routing import APIRoute

DOCS_ASSETS = Path(str(files("fastapi_offline") / "static"))
DOCS_STATIC = "/static/docs"
OAUTH2_REDIRECT = "/docs/oauth2-redirect"
# Swagger UI and FastAPI's page around it use inline script and styles; nothing leaves.
DOCS_POLICY = (
    "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; "
    "script-src 'self' 'unsafe-inline' blob:; worker-src 'self' blob:; connect-src 'self'; "
    "frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
)

router = APIRouter(include_in_schema=False)


def _openapi_url(request: Request) -> str:
    return f"{request.scope.get('root_path', '')}{request.app.openapi_url}"


@router.get("/docs", response_class=HTMLResponse)
def swagger_ui(request: Request) -> HTMLResponse:
    """The OpenAPI page, where each operation can be tried."""
    root = request.scope.get("root_path", "")
    page = get_swagger_ui_html(
        openapi_url=_openapi_url(request),
        title=f"{request.app.title}: API",
        oauth2_redirect_url=f"{root}{OAUTH2_REDIRECT}",
        swagger_js_url=f"{root}{DOCS_STATIC}/swagger-ui-bundle.js",
        swagger_css_url=f"{root}{DOCS_STATIC}/swagger-ui.css",
        swagger_favicon_url=f"{root}{DOCS_STATIC}/favicon.png",
        swagger_ui_parameters=request.app.swagger_ui_parameters,
    )
    page.headers["Content-Security-Policy"] = DOCS_POLICY
    return page


@router.get(OAUTH2_REDIRECT, response_class=HTMLResponse)
def swagger_ui_redirect() -> HTMLResponse:
    """Swagger UI's OAuth2 redirect page."""
    return get_swagger_ui_oauth2_redirect_html()


@router.get("/redoc", response_class=HTMLResponse)
def redoc(request: Request) -> HTMLResponse:
    """The API reference, on one page."""
    root = request.scope.get("root_path", "")
    page = get_redoc_html(
        openapi_url=_openapi_url(request),
        title=f"{request.app.title}: API reference",
        redoc_js_url=f"{root}{DOCS_STATIC}/redoc.standalone.js",
        redoc_favicon_url=f"{root}{DOCS_STATIC}/favicon.png",
        with_google_fonts=False,
    )
    page.headers["Content-Security-Policy"] = DOCS_POLICY
    return page


def sentence_summaries(app: FastAPI) -> None:
    """Each operation's summary is the first line of its route's docstring.

    /docs and /redoc then list "Submit an article's text or url: ..." where FastAPI would have
    made "Submit Article" of the function's name.
    """
    routes = list(app.routes)
    while routes:
        route = routes.pop()
        # Included routers are kept as such (resolved on first use): walk into them.
        routes.extend(getattr(getattr(route, "original_router", None), "routes", []))
        if isinstance(route, APIRoute) and route.summary is None and route.description:
            route.summary = route.description.strip().splitlines()[0]
