"""The provider's answer checked where it enters: malformed answers end the run with a reason,
a tool called under another name is refused, and absurd usage figures never reach the database.

Each answer below is written by hand for the test (no recorded provider answered this way).
"""

from __future__ import annotations

import copy
import json
from typing import Any

import httpx
import pytest
import respx
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, select

from app.api.deps import get_engine
from app.api.main import app
from app.core.config import Settings
from app.llm.answers import MAX_TOKENS_PER_CALL, token_count
from app.store.db import migrate
from app.store.models import Claim, ExtractionRun, RejectedClaim
from tests.app.store.test_db import postgres_engine  # noqa: F401  (fixture)
from tests.conftest import LIVE_BASE_URL, ClientFactory
from tests.llm_stub import claim, tool_completion

COMPLETIONS = f"{LIVE_BASE_URL}/chat/completions"
TEXT = "Kenya deployed an additional 217 police officers to Haiti on Saturday."
GOOD = claim(
    "Kenya deployed 217 police officers to Haiti.",
    "deployed an additional 217 police officers to Haiti on Saturday",
    value=217,
)


def answer_with(**changes: Any) -> dict[str, Any]:
    """A good answer of one grounded claim, with parts of its first choice replaced."""
    body = tool_completion([GOOD])
    choice = body["choices"][0]
    for path, value in changes.items():
        if path == "choices":
            body["choices"] = value
        elif path == "message":
            choice["message"] = value
        elif path == "usage":
            body["usage"] = value
        else:
            choice["message"][path] = value
    return body


def tool_call(name: str, arguments: Any) -> dict[str, Any]:
    return {"id": "call_1", "type": "function", "function": {"name": name, "arguments": arguments}}


NO_CHOICES = "the LLM endpoint's answer has no choices ({}), so no message to read"
MALFORMED = {
    "choices-null": (answer_with(choices=None), NO_CHOICES.format("null")),
    "choices-empty": (answer_with(choices=[]), NO_CHOICES.format("an empty list")),
    "choices-a-string": (answer_with(choices="none"), NO_CHOICES.format("a str")),
    "choice-null": (
        answer_with(choices=[None]),
        "the LLM endpoint's answer has no message in its first choice (null)",
    ),
    "message-a-string": (
        answer_with(message="hello"),
        "the LLM endpoint's answer has no message in its first choice (a str)",
    ),
    "content-a-number": (
        answer_with(content=42),
        "the LLM endpoint's message content is a int, not text",
    ),
    "tool-calls-a-string": (
        answer_with(tool_calls="ClaimSet"),
        "the LLM endpoint's tool_calls are a str, not a list",
    ),
    "tool-call-without-function": (
        answer_with(tool_calls=[{"id": "call_1", "type": "function"}]),
        "the LLM endpoint's tool call has no function name and arguments",
    ),
}


@pytest.mark.parametrize(("body", "message"), list(MALFORMED.values()), ids=list(MALFORMED.keys()))
def test_a_malformed_answer_ends_the_run_as_llm_bad_response(
    make_client: ClientFactory, live_settings: Settings, session: Session, body: Any, message: str
) -> None:
    client = make_client(live_settings)
    with respx.mock:
        route = respx.post(COMPLETIONS).mock(return_value=httpx.Response(200, json=body))
        response = client.post("/articles", json={"text": TEXT})

    assert response.status_code == 502, response.text
    assert response.json()["reason"] == "llm_bad_response"
    detail = response.json()["detail"]
    assert (detail["reason"], detail["message"]) == ("llm_bad_response", message)
    # One call, no re-ask, no retry: the answer was paid for once and counted once.
    assert route.call_count == 1
    run = session.get(ExtractionRun, detail["run_id"])
    assert run is not None
    assert (run.status, run.error_reason, run.error) == ("failed", "llm_bad_response", message)
    assert (run.llm_calls, run.http_requests, run.attempts) == (1, 1, 1)
    assert (run.lease_owner, run.lease_expires_at) == (None, None)
    assert session.exec(select(Claim)).all() == []
    assert session.exec(select(RejectedClaim)).all() == []


def test_a_tool_called_under_another_name_is_refused(
    make_client: ClientFactory, live_settings: Settings, session: Session
) -> None:
    """Claim-shaped arguments under another tool's name are not an extraction."""
    other = answer_with(tool_calls=[tool_call("delete_everything", json.dumps({"claims": [GOOD]}))])
    client = make_client(live_settings)
    with respx.mock:
        route = respx.post(COMPLETIONS).mock(return_value=httpx.Response(200, json=other))
        response = client.post("/articles", json={"text": TEXT})

    assert response.status_code == 502, response.text
    detail = response.json()["detail"]
    assert (detail["reason"], detail["message"]) == (
        "llm_bad_output",
        "the model called the tool 'delete_everything', not 'ClaimSetV2' as asked; its answer "
        "was not used",
    )
    assert route.call_count == 1
    sent = json.loads(route.calls[0].request.content)
    assert sent["tool_choice"] == {"type": "function", "function": {"name": "ClaimSetV2"}}
    assert session.exec(select(Claim)).all() == []


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def backend(request: pytest.FixtureRequest, make_client: ClientFactory) -> Engine:
    if request.param == "sqlite":
        engine: Engine = request.getfixturevalue("engine")
        return engine
    engine = request.getfixturevalue("postgres_engine")
    migrate(engine)
    return engine


def backend_client(make_client: ClientFactory, settings: Settings, engine: Engine) -> TestClient:
    client = make_client(settings)
    app.dependency_overrides[get_engine] = lambda: engine
    return client


ABSURD_USAGE = {
    # figure sent: (prompt_tokens as counted, completion_tokens as counted)
    "2**70": (2**70, MAX_TOKENS_PER_CALL),
    "2**31": (2**31, MAX_TOKENS_PER_CALL),
    "negative": (-5, 0),
    "fraction": (1.5, 2),
    "string": ("lots", 0),
    "list": ([7], 0),
    "null": (None, 0),
    "infinity-as-float": (1e300, MAX_TOKENS_PER_CALL),
}


@pytest.mark.parametrize(
    ("figure", "counted"), list(ABSURD_USAGE.values()), ids=list(ABSURD_USAGE.keys())
)
def test_absurd_usage_is_clamped_and_the_claims_are_kept(
    make_client: ClientFactory, live_settings: Settings, backend: Engine, figure: Any, counted: int
) -> None:
    body = tool_completion([GOOD])
    body["usage"] = {"prompt_tokens": figure, "completion_tokens": figure, "total_tokens": figure}
    client = backend_client(make_client, live_settings, backend)
    with respx.mock:
        respx.post(COMPLETIONS).mock(return_value=httpx.Response(200, json=body))
        response = client.post("/articles", json={"text": TEXT})

    assert response.status_code == 201, response.text
    run = response.json()["run"]
    assert (run["status"], run["error_reason"]) == ("succeeded", None)
    assert (run["prompt_tokens"], run["completion_tokens"]) == (counted, counted)
    assert run["usage_by_attempt"] == [{"prompt_tokens": counted, "completion_tokens": counted}]
    assert [c["evidence"]["quote"] for c in response.json()["claims"]] == [GOOD["evidence"]]
    with Session(backend) as session:
        stored = session.get(ExtractionRun, run["id"])
        assert stored is not None
        assert (stored.prompt_tokens, stored.completion_tokens) == (counted, counted)


def test_usage_summed_over_calls_stays_within_an_integer_column(
    make_client: ClientFactory,
    live_settings: Settings,
    backend: Engine,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Calls each reporting the most one call may, summed past 2**31 - 1: held at it."""
    monkeypatch.setattr("app.llm.answers.MAX_TOKENS_PER_CALL", 2**31 - 1)
    settings = live_settings.model_copy(
        update={"chunk_token_budget": 200, "chunk_overlap_tokens": 0}
    )
    text = " ".join(f"Town {i} reported {100 + i} new cases on Monday." for i in range(60))
    body = tool_completion([], prompt_tokens=2**70, completion_tokens=2**70)
    client = backend_client(make_client, settings, backend)
    with respx.mock:
        route = respx.post(COMPLETIONS).mock(return_value=httpx.Response(200, json=body))
        response = client.post("/articles", json={"text": text})

    assert response.status_code == 201, response.text
    run = response.json()["run"]
    assert route.call_count == run["chunks"] > 1
    assert (run["prompt_tokens"], run["completion_tokens"]) == (2**31 - 1, 2**31 - 1)
    assert run["usage_by_attempt"][0] == {
        "prompt_tokens": 2**31 - 1,
        "completion_tokens": 2**31 - 1,
    }


@pytest.mark.parametrize(
    ("value", "expected"),
    [(0, 0), (17, 17), (MAX_TOKENS_PER_CALL, MAX_TOKENS_PER_CALL), (2**70, MAX_TOKENS_PER_CALL),
     (-1, 0), (2.2, 3), (float("nan"), 0), (float("inf"), 0), ("12", 0), (False, 0), (None, 0)],
)  # fmt: skip
def test_token_count(value: Any, expected: int) -> None:
    assert token_count(value, "prompt_tokens") == expected


def test_the_answer_checked_is_the_one_instructor_parses(
    make_client: ClientFactory, live_settings: Settings
) -> None:
    """A well-formed answer is untouched by the checks: its claim is stored as sent."""
    body = tool_completion([GOOD], prompt_tokens=321, completion_tokens=45)
    client = make_client(live_settings)
    with respx.mock:
        respx.post(COMPLETIONS).mock(return_value=httpx.Response(200, json=copy.deepcopy(body)))
        response = client.post("/articles", json={"text": TEXT})

    assert response.status_code == 201, response.text
    run = response.json()["run"]
    assert (run["prompt_tokens"], run["completion_tokens"], run["total_tokens"]) == (321, 45, 366)
