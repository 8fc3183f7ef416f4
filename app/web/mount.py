"""Wire the pages into the app: their routes, static files, /docs, /redoc and error pages."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.staticfiles import StaticFiles
from starlette.responses import Response

from app.web.deps import WEB_ROOT, PageError, render
from app.web.routes import (
    article,
    curation,
    diff,
    docs,
    fact_curation,
    home,
    ledger,
    signin,
    submit,
)


async def page_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, PageError)
    return render(request, "error.html", exc.status, error=exc, caller=None)  # type: ignore[no-any-return]


def install_web(app: FastAPI) -> None:
    """Add the pages, /docs and /redoc (the app is made with docs_url=redoc_url=None)."""
    for module in (home, article, curation, diff, ledger, fact_curation, submit, signin, docs):
        app.include_router(module.router)
    app.mount("/static/docs", StaticFiles(directory=docs.DOCS_ASSETS), name="docs-assets")
    app.mount("/static", StaticFiles(directory=WEB_ROOT / "static"), name="static")
    app.add_exception_handler(PageError, page_error)
    docs.sentence_summaries(app)
