"""No bare 500: an unexpected error leaves as JSON with a request id that is in the log too,
every response carries that id, and a run whose handler crashed still ends, counted once."""

from __future__ import annotations

import logging
import re

import httpx
import pytest
import respx
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.core.config import Settings
from app.store.models import Claim, ExtractionRun
from tests.conftest import LIVE_BASE_URL, ClientFactory
from tests.llm_stub import claim, ok, tool_completion

COMPLETIONS = f"{LIVE_BASE_URL}/chat/completions"
TEXT = "Kenya deployed an additional 217 police officers to Haiti on Saturday."
GOOD = claim(
    "Kenya deployed 217 police officers to Haiti.",
    "deployed an additional 217 police officers to Haiti on Saturday",
    value=217,
)
INTERNAL = "an unexpected error occurred; quote the request id when reporting it"


def crash(*_args: object, **_kwargs: object) -> None:
    raise RuntimeError("a bug")


def test_an_unexpected_error_is_a_json_500_with_a_logged_request_id(
    client: TestClient, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr("app.store.crud.list_articles", crash)

    with caplog.at_level(logging.ERROR, logger="factdiff"):
        response = client.get("/articles")

    assert response.status_code == 500
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    request_id = response.headers["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", request_id)
    assert body == {
        "detail": INTERNAL,
        "reason": "internal_error",
        "message": INTERNAL,
        "request_id": request_id,
    }
    (record,) = [r for r in caplog.records if request_id in r.getMessage()]
    assert record.getMessage() == f"unexpected error in GET /articles (request id {request_id})"
    assert record.exc_info is not None and str(record.exc_info[1]) == "a bug"


@pytest.mark.parametrize(
    ("sent", "kept"),
    [
        ("req-42.abc:def", True),
        ("0f8c2d4e-6b1a-4c8e-9d3f-2a7b5c1e9f00", True),
        ("x" * 129, False),
        ("has space", False),
        ("<script>", False),
        ("-leading-dash", False),
    ],
)
def test_every_response_carries_a_request_id(client: TestClient, sent: str, kept: bool) -> None:
    ok_response = client.get("/healthz", headers={"X-Request-ID": sent})
    not_found = client.get("/articles/999", headers={"X-Request-ID": sent})

    for response in (ok_response, not_found):
        if kept:
            assert response.headers["X-Request-ID"] == sent
        else:
            assert re.fullmatch(r"[0-9a-f]{32}", response.headers["X-Request-ID"])
    assert not_found.json() == {"detail": "article 999 not found", "reason": "not_found"}


def test_two_requests_get_two_ids(client: TestClient) -> None:
    first, second = client.get("/healthz"), client.get("/healthz")

    assert first.headers["X-Request-ID"] != second.headers["X-Request-ID"]


@pytest.mark.parametrize(
    ("method", "path", "status", "reason"),
    [
        ("GET", "/no-such-route", 404, "not_found"),
        ("PUT", "/articles", 405, "method_not_allowed"),
        ("GET", "/articles/0", 422, "invalid_request"),
        ("GET", "/claims?limit=100000", 422, "invalid_request"),
    ],
)
def test_framework_errors_are_json_with_a_reason(
    client: TestClient, method: str, path: str, status: int, reason: str
) -> None:
    response = client.request(method, path)

    assert response.status_code == status
    assert response.headers["content-type"] == "application/json"
    assert response.json()["reason"] == reason


def test_malformed_json_has_its_reason(client: TestClient) -> None:
    response = client.post(
        "/articles", content=b'{"text": ', headers={"content-type": "application/json"}
    )

    assert response.status_code == 400
    assert response.json()["reason"] == "malformed_json"


def test_a_crash_storing_a_run_ends_it_once_with_its_usage(
    make_client: ClientFactory,
    live_settings: Settings,
    session: Session,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A fault outside the LLM and the database (a bug) fails the run with a reason and
    the tokens it used, and the caller gets a JSON 500: it is never leased again."""
    monkeypatch.setattr("app.jobs.run_results.claim_values", crash)
    client = make_client(live_settings)
    with respx.mock:
        route = respx.post(COMPLETIONS).mock(
            return_value=ok(tool_completion([GOOD], prompt_tokens=120, completion_tokens=30))
        )
        response = client.post("/articles", json={"text": TEXT})

    assert response.status_code == 500, response.text
    detail = response.json()["detail"]
    message = "storing the claims failed; nothing was stored: RuntimeError"
    assert (response.json()["reason"], detail["reason"], detail["message"]) == (
        "internal_error",
        "internal_error",
        message,
    )
    assert route.call_count == 1
    run = session.get(ExtractionRun, detail["run_id"])
    assert run is not None
    assert (run.status, run.error_reason, run.attempts) == ("failed", "internal_error", 1)
    assert (run.llm_calls, run.prompt_tokens, run.completion_tokens) == (1, 120, 30)
    assert run.lease_owner is None
    assert session.exec(select(Claim)).all() == []


def test_a_crash_in_the_pipeline_ends_the_run_once_with_its_usage(
    make_client: ClientFactory,
    live_settings: Settings,
    session: Session,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("app.extract.pipeline.split_grounded", crash)
    client = make_client(live_settings)
    with respx.mock:
        route = respx.post(COMPLETIONS).mock(return_value=ok(tool_completion([GOOD])))
        response = client.post("/articles", json={"text": TEXT})

    assert response.status_code == 500, response.text
    detail = response.json()["detail"]
    assert (detail["reason"], detail["message"]) == (
        "internal_error",
        "the extraction failed unexpectedly (RuntimeError); see the service log",
    )
    assert route.call_count == 1
    run = session.get(ExtractionRun, detail["run_id"])
    assert run is not None
    assert (run.status, run.attempts, run.llm_calls, run.prompt_tokens) == ("failed", 1, 1, 100)


def test_a_request_id_is_on_errors_the_middleware_answers(client: TestClient) -> None:
    response = client.post(
        "/articles",
        content=b'{"text": "a\\u0000b"}',
        headers={"content-type": "application/json", "X-Request-ID": "nul-check-1"},
    )

    assert response.status_code == 422
    assert response.headers["X-Request-ID"] == "nul-check-1"
    assert httpx.Headers(response.headers).get_list("X-Request-ID") == ["nul-check-1"]


@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [
        ("PUT", "/articles", "GET, POST"),
        ("OPTIONS", "/articles", "GET, POST"),
        ("POST", "/claims/1", "DELETE, GET, PATCH"),
    ],
)
def test_a_405_names_every_method_of_the_path(
    client: TestClient, method: str, path: str, allow: str
) -> None:
    """Found by schemathesis' allow_header_conformance: Starlette names only the methods of
    the first route of the path."""
    response = client.request(method, path)

    assert response.status_code == 405
    assert response.headers["Allow"] == allow
    assert response.json() == {"detail": "Method Not Allowed", "reason": "method_not_allowed"}


@pytest.mark.parametrize("path", ["/claims", "/facts"])
@pytest.mark.parametrize("value", ["0", "1700000000", "2025-1-1", "２０２５-01-01"])
def test_a_query_date_is_written_yyyy_mm_dd(client: TestClient, path: str, value: str) -> None:
    """Found by schemathesis' negative_data_rejection: date_to=0 was read as 1970-01-01."""
    response = client.get(path, params={"date_to": value})

    assert response.status_code == 422, response.text
    assert response.json()["detail"][0]["msg"] == "Input should be a date written YYYY-MM-DD"
