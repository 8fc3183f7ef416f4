"""No API key, LLM key or article text reaches the logs, even with every logger at DEBUG."""

from __future__ import annotations

import logging

import pytest
import respx

from app.core.config import Settings
from app.core.redaction import REDACTED, install_redaction
from tests.app.api.test_auth import KEYS, WRITE_KEY, bearer
from tests.conftest import LIVE_BASE_URL, ClientFactory
from tests.llm_stub import claim, ok, tool_completion

SENTENCES = [
    "Kenya deployed an additional 217 police officers to Haiti on Saturday.",
    "The mission's commander said the unit would patrol Port-au-Prince.",
]
TEXT = " ".join(SENTENCES)
QUOTE = "deployed an additional 217 police officers to Haiti on Saturday"
UNGROUNDED = "sent 9,999 officers to the moon"
LOGGERS = ("", "httpx", "httpcore", "openai", "instructor", "uvicorn.access", "factdiff", "app")


@pytest.mark.parametrize("reask", [False, True], ids=["grounded", "re-asked"])
@respx.mock
def test_a_request_logs_no_key_and_no_article_text(
    make_client: ClientFactory,
    live_settings: Settings,
    caplog: pytest.LogCaptureFixture,
    reask: bool,
) -> None:
    good = claim("Kenya deployed 217 police officers to Haiti.", QUOTE, value=217)
    bad = claim("Kenya sent 9,999 officers to the moon.", UNGROUNDED, value=9999)
    answers = [ok(tool_completion([bad]))] if reask else []
    respx.post(f"{LIVE_BASE_URL}/chat/completions").mock(
        side_effect=[*answers, ok(tool_completion([good]))]
    )
    settings = live_settings.model_copy(update={"api_keys": KEYS, "worker_concurrency": 0})

    with make_client(settings) as client:  # runs the service's start-up, and its logging set-up
        for name in LOGGERS:
            caplog.set_level(logging.DEBUG, logger=name)
        response = client.post(
            "/articles",
            json={"text": TEXT, "published_at": "2025-01-18T12:00:00Z"},
            headers=bearer(WRITE_KEY),
        )
    assert response.status_code == 201, response.text
    assert response.json()["claims"][0]["evidence"]["quote"] == QUOTE

    logged = caplog.text + "\n".join(str(r.__dict__) for r in caplog.records)
    # The SDKs did log the request, at DEBUG, with its body withheld.
    assert "Request options: [redacted]" in caplog.text
    for secret in (WRITE_KEY, "sk-test", TEXT, *SENTENCES, QUOTE):
        assert secret not in logged


REDACTION_CASES = [
    pytest.param(
        "openai._base_client",
        "Request options: %s",
        ({"json_data": TEXT},),
        f"Request options: {REDACTED}",
        id="body-withheld",
    ),
    pytest.param(
        "openai._base_client",
        "Retrying due to status code %i",
        (429,),
        "Retrying due to status code 429",
        id="numbers-kept",
    ),
    pytest.param(
        "instructor.v2.core",
        f"Instructor Raw Response: {TEXT}",
        (),
        f"Instructor Raw Response: {REDACTED}",
        id="f-string-cut-at-colon",
    ),
    pytest.param(
        "openai",
        "call %(id)s took %(ms)d ms",
        ({"id": TEXT, "ms": 12},),
        f"call {REDACTED} took 12 ms",
        id="mapping-args",
    ),
    pytest.param("factdiff", "run %s failed", (7,), "run 7 failed", id="service-records-untouched"),
]


@pytest.mark.parametrize(("logger", "msg", "args", "expected"), REDACTION_CASES)
def test_sdk_records_keep_their_wording_and_numbers_only(
    logger: str, msg: str, args: tuple[object, ...], expected: str
) -> None:
    install_redaction()
    made = logging.getLogRecordFactory()(logger, logging.DEBUG, __file__, 1, msg, args, None)
    assert made.getMessage() == expected
