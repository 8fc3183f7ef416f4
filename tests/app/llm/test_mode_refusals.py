"""An endpoint that refuses what the instructor mode adds to a request: the run ends with a
configuration error that names the setting to change, and nothing is stored."""

from __future__ import annotations

import httpx
import pytest
import respx
from sqlmodel import Session, select

from app.core.config import InstructorMode, Settings
from app.store.models import Claim, ExtractionRun
from tests.conftest import LIVE_BASE_URL, ClientFactory

COMPLETIONS = f"{LIVE_BASE_URL}/chat/completions"
TEXT = "Kenya deployed an additional 217 police officers to Haiti on Saturday."

# What llama-cpp-python's server (0.3.36) answered this project's json_schema request, taken
# from a run against it: its pydantic check of the body, then where in its code it failed.
LLAMA_CPP_REFUSAL = {
    "error": {
        "message": "1 validation error:\n  {'type': 'literal_error', 'loc': ('body', "
        "'response_format', 'type'), 'msg': \"Input should be 'text' or 'json_object'\", "
        "'input': 'json_schema'}\n\n  File \"/srv/llama_cpp/server/app.py\", line 376, in "
        "create_chat_completion\n    POST /v1/chat/completions",
        "type": "internal_server_error",
    }
}
LLAMA_CPP_SAID = (
    "1 validation error:\n  {'type': 'literal_error', 'loc': ('body', 'response_format', "
    "'type'), 'msg': \"Input should be 'text' or 'json_object'\", 'input': 'json_schema'}"
)
# Worded like Ollama's answer for a model with no tool support (written for this test).
NO_TOOLS = {"error": {"message": "library/tinymodel:1b does not support tools"}}


def run_with(
    make_client: ClientFactory, settings: Settings, mode: InstructorMode, answer: httpx.Response
) -> tuple[httpx.Response, int]:
    client = make_client(settings.model_copy(update={"instructor_mode": mode}))
    with respx.mock:
        route = respx.post(COMPLETIONS).mock(return_value=answer)
        response = client.post("/articles", json={"text": TEXT})
    return response, route.call_count


@pytest.mark.parametrize(
    ("mode", "answer", "message", "calls"),
    [
        pytest.param(
            InstructorMode.json_schema,
            httpx.Response(500, json=LLAMA_CPP_REFUSAL),
            "the LLM endpoint refused the request's response_format (500), which "
            "FACTDIFF_INSTRUCTOR_MODE=json_schema sends: set FACTDIFF_INSTRUCTOR_MODE to a "
            f"mode it takes (tools, json, md_json). It said: {LLAMA_CPP_SAID}",
            3,  # a 500 is retried by the SDK (FACTDIFF_LLM_MAX_RETRIES=2) before it is read
            id="llama.cpp-json_schema",
        ),
        pytest.param(
            InstructorMode.tools,
            httpx.Response(400, json=NO_TOOLS),
            "the LLM endpoint refused the request's tool (400), which "
            "FACTDIFF_INSTRUCTOR_MODE=tools sends: set FACTDIFF_INSTRUCTOR_MODE to a mode it "
            "takes (json_schema, json, md_json). It said: library/tinymodel:1b does not "
            "support tools",
            1,
            id="no-tools",
        ),
    ],
)
def test_a_refused_mode_names_the_setting_and_stores_nothing(
    make_client: ClientFactory,
    live_settings: Settings,
    session: Session,
    mode: InstructorMode,
    answer: httpx.Response,
    message: str,
    calls: int,
) -> None:
    response, call_count = run_with(make_client, live_settings, mode, answer)

    assert response.status_code == 503
    detail = response.json()["detail"]
    assert (detail["reason"], detail["message"]) == ("llm_misconfigured", message)
    assert call_count == calls
    run = session.get(ExtractionRun, detail["run_id"])
    assert run is not None
    assert (run.status, run.error_reason, run.error) == ("failed", "llm_misconfigured", message)
    assert session.exec(select(Claim)).all() == []


def test_an_error_that_names_no_part_of_the_mode_stays_an_endpoint_fault(
    make_client: ClientFactory, live_settings: Settings
) -> None:
    # md_json adds nothing to the request, so an endpoint that says "response_format" is
    # not refusing the mode.
    said = {"error": {"message": "response_format is ignored for this model"}}
    response, _ = run_with(
        make_client, live_settings, InstructorMode.md_json, httpx.Response(400, json=said)
    )

    assert response.status_code == 503
    assert response.json()["detail"]["reason"] == "llm_unavailable"
    assert response.json()["detail"]["message"] == (
        "the LLM endpoint answered 400: response_format is ignored for this model"
    )
