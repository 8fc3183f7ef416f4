"""Submit an article from the home page, follow its run, and land on the article.

The run is queued for the service's workers and its page polls its state (htmx, or a plain
refresh without JavaScript); without workers the request extracts it before answering.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import ValidationError
from sqlmodel import Session

from app.api.deps import EngineDep, FetcherDep, IdPath, LLMDep, SessionDep, SettingsDep
from app.core.validation_errors import error_message
from app.services import submission
from app.services.errors import ServiceError
from app.store.models import ArticleCreate, ExtractionRun, RunStatus
from app.web.deps import PageCaller, PageError, PageWriter, render
from app.web.routes.home import home_context

router = APIRouter(prefix="/pages", include_in_schema=False)

# What a reader can do about a failed run, by its reason.
NEXT_STEPS = {
    "llm_unavailable": "No model answered. In replay mode only the sample articles have an "
    "answer on file: configure a model (FACTDIFF_LLM_BASE_URL, FACTDIFF_LLM_API_KEY) and "
    "submit the article again; a failed run is retried when it is submitted again.",
    "llm_misconfigured": "The model endpoint refused the service's credentials or model name: "
    "check FACTDIFF_LLM_* settings, then submit again.",
    "llm_bad_output": "The model's answer could not be used. Submit again to retry, or try "
    "another model.",
}
DEFAULT_NEXT_STEP = "Submit the article again to retry; if it keeps failing, tell the operator."

FormText = Annotated[str, Form(max_length=2_000_000)]
FormLine = Annotated[str, Form(max_length=2000)]


def _article_in(fields: dict[str, str]) -> ArticleCreate:
    data = {k: v.strip() for k, v in fields.items() if v and v.strip()}
    if "text" in data:
        # As typed, but for the line breaks: a browser sends a textarea's as CRLF (HTML's form
        # encoding), which would make the same article another text with other offsets.
        data["text"] = fields["text"].replace("\r\n", "\n")
    return ArticleCreate.model_validate(data)


def _refusal(exc: ValidationError) -> str:
    return "; ".join(error_message(e) for e in exc.errors())


@router.post("/submit", response_class=HTMLResponse)
async def submit(
    request: Request,
    session: SessionDep,
    engine: EngineDep,
    settings: SettingsDep,
    llm: LLMDep,
    fetcher: FetcherDep,
    caller: PageWriter,
    text: FormText = "",
    url: FormLine = "",
    title: FormLine = "",
    outlet: FormLine = "",
    published_at: FormLine = "",
) -> Any:
    """Submit the form's article; on to its run's page."""
    fields = {"text": text, "url": url, "title": title, "outlet": outlet}
    fields["published_at"] = published_at
    pool = getattr(request.app.state, "workers", None)
    try:
        done = await submission.submit_article(
            article_in=_article_in(fields), engine=engine, settings=settings,
            llm=llm, fetcher=fetcher, caller=caller.key, wait=pool is None,
            on_queued=pool.wake if pool else None,
        )  # fmt: skip
    except (ValidationError, ServiceError) as exc:
        error = _refusal(exc) if isinstance(exc, ValidationError) else exc.message
        run_id = exc.detail.get("run_id") if isinstance(exc, ServiceError) and exc.detail else None
        if run_id is not None:  # the run was stored and failed: its page says why
            return RedirectResponse(f"/pages/runs/{run_id}", status_code=303)
        context = home_context(session, settings, None)
        return render(request, "home.html", 422, caller=caller, form=fields, error=error, **context)
    return RedirectResponse(f"/pages/runs/{done.run.id}", status_code=303)


def _run(session: Session, run_id: int) -> ExtractionRun:
    run = session.get(ExtractionRun, run_id)
    if run is None:
        raise PageError(404, f"run {run_id} not found", hint="Runs are listed on their article.")
    return run


def _progress(request: Request, run: ExtractionRun, caller: Any, template: str) -> Any:
    return render(
        request,
        template,
        caller=caller,
        run=run,
        next_step=NEXT_STEPS.get(run.error_reason or "", DEFAULT_NEXT_STEP),
    )


@router.get("/runs/{run_id}", response_class=HTMLResponse)
def run_page(request: Request, run_id: IdPath, session: SessionDep, caller: PageCaller) -> Any:
    """A run's progress; its article once it succeeded."""
    run = _run(session, run_id)
    if run.status == RunStatus.succeeded:
        return RedirectResponse(f"/pages/articles/{run.article_id}", status_code=303)
    return _progress(request, run, caller, "run.html")


@router.get("/runs/{run_id}/state", response_class=HTMLResponse)
def run_state(
    request: Request, response: Response, run_id: IdPath, session: SessionDep, caller: PageCaller
) -> Any:
    """The part of a run's page that changes, polled by htmx; a redirect header when done."""
    run = _run(session, run_id)
    if run.status == RunStatus.succeeded:
        return Response(headers={"HX-Redirect": f"/pages/articles/{run.article_id}"})
    return _progress(request, run, caller, "_run_state.html")
