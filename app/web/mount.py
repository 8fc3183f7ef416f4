"""Wire the pages into the app: their routes, static files, /docs, /redoc and error pages."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.staticfiles import StaticFiles
from starlette.responses import Response

from app.api.errors import invalid_request
from app.core.validation_errors import error_message
from app.web.deps import WEB_ROOT, PageError, render
from app.web.routes import (
    article,
    curation,
    diff,
    docs,
    entities,
    fact_curation,
    home,
    ledger,
    signin,
    submit,
)


async def page_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, PageError)
    return render(request, "error.html", exc.status, error=exc, caller=None)  # type: ignore[no-any-return]


async def invalid_page_request(request: Request, exc: Exception) -> Response:
    """A page address that cannot be read (``/pages/articles/abc``) answers a page that says
    so; the API's requests keep their JSON 422."""
    assert isinstance(exc, RequestValidationError)
    if not request.url.path.startswith("/pages/"):
        return await invalid_request(request, exc)
    first = exc.errors()[0] if exc.errors() else {}
    where = str(first.get("loc", ("", "the address"))[-1]).replace("_", " ")
    said = error_message(first) or "is not valid"
    refused = PageError(
        422,
        f"This page's address cannot be read: {where}: {said}.",
        hint="Check the link, or start again from the stories.",
    )
    return await page_error(request, refused)


def install_web(app: FastAPI) -> None:
    """Add the pages, /docs and /redoc (the app is made with docs_url=redoc_url=None)."""
    for module in (
        home,
        article,
        curation,
        diff,
        ledger,
        fact_curation,
        entities,
        submit,
        signin,
        docs,
    ):
        app.include_router(module.router)
    app.mount("/static/docs", StaticFiles(directory=docs.DOCS_ASSETS), name="docs-assets")
    app.mount("/static", StaticFiles(directory=WEB_ROOT / "static"), name="static")
    app.add_exception_handler(PageError, page_error)
    app.add_exception_handler(RequestValidationError, invalid_page_request)
    docs.sentence_summaries(app)
