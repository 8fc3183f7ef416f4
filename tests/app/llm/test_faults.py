"""The faulty-LLM matrix, through the service: every fault ends the run with a stated outcome.

Each row sends one article to POST /articles in live mode, with respx answering the LLM
endpoint, and checks the HTTP answer, how many calls the fault cost (bounded), the stored
run (status, reason, tokens summed over every attempt that reported usage), and that a
failed run stores no claim and no rejection.

The 5xx, timeout, unparseable and truncated cases of tests/app/llm/test_client.py were folded in
here. It keeps, at the pipeline level and not repeated here: 429 followed by an answer
(Retry-After honoured once), a re-ask that fixes an ungrounded quote and the usage of each
attempt, the exact reason of a claim still wrong after the re-ask, and a 401.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
import respx
from sqlmodel import Session, select

from app.core.config import LLMHttpClient, Settings
from app.store.models import Claim, RejectedClaim
from bench.simulated_llm import SimConfig, running
from tests.conftest import LIVE_BASE_URL, ClientFactory
from tests.llm_stub import claim, content_completion, ok, tool_completion

COMPLETIONS = f"{LIVE_BASE_URL}/chat/completions"
TEXT = (
    "Kenya deployed an additional 217 police officers to Haiti on Saturday. "
    "Kenya has pledged a total of 1,000 personnel to the mission."
)
GOOD_217 = claim(
    "Kenya deployed 217 police officers to Haiti.",
    "deployed an additional 217 police officers to Haiti on Saturday",
    value=217,
)
GOOD_1000 = claim(
    "Kenya pledged 1,000 personnel to the Haiti mission.",
    "Kenya has pledged a total of 1,000 personnel",
    value=1000,
    unit="personnel",
)
INVENTED_QUOTE = claim(
    "Kenya sent 5,000 officers.", "Kenya sent 5,000 officers to Haiti", value=5000
)
WRONG_NUMBER = claim("Kenya sent 270 officers.", "217 police officers", value=270)


def error(status: int, message: str, **headers: str) -> httpx.Response:
    return httpx.Response(status, headers=headers, json={"error": {"message": message}})


def arguments(raw: str, **usage: int) -> httpx.Response:
    body = tool_completion([], **usage)
    body["choices"][0]["message"]["tool_calls"][0]["function"]["arguments"] = raw
    return ok(body)


def with_claim(**changes: Any) -> httpx.Response:
    return ok(tool_completion([{**GOOD_217, **changes}]))


RATE_LIMITED = "the LLM endpoint is rate limiting (429): slow down"
UNREACHABLE = "could not reach the LLM endpoint: Connection error."
UNPARSED = "the model's answer could not be parsed after 2 attempt(s)"
SCHEMA = "the model's answer does not fit schema news_claims@v2 after 2 attempt(s): 1 error(s), "


@dataclass(frozen=True)
class Row:
    answers: list[httpx.Response | Exception]  # one per HTTP call, in order
    status: int
    message: str  # the error message, exactly, or "" for a success
    reason: str | None  # the run's error_reason
    tokens: tuple[int, int]  # prompt, completion: the sum over every attempt with usage
    llm_calls: int  # instructor attempts
    quotes: tuple[str, ...] = ()  # the evidence of the stored claims, in text order
    rejected: int = 0
    sleeps: list[float] | None = None  # the SDK's back-off waits, where they are exact

    @property
    def http_calls(self) -> int:
        return len(self.answers)

    @property
    def claims(self) -> int:
        return len(self.quotes)


ROWS = {
    "429-with-retry-after": Row(
        [error(429, "slow down", **{"retry-after": "0.25"})] * 3,
        503,
        RATE_LIMITED,
        "llm_unavailable",
        (0, 0),
        1,
        sleeps=[0.25, 0.25],
    ),
    "429-without-retry-after": Row(
        [error(429, "slow down")] * 3, 503, RATE_LIMITED, "llm_unavailable", (0, 0), 1
    ),
    "500": Row(
        [error(500, "boom")] * 3,
        503,
        "the LLM endpoint answered 500: boom",
        "llm_unavailable",
        (0, 0),
        1,
    ),
    "503": Row(
        [error(503, "overloaded")] * 3,
        503,
        "the LLM endpoint answered 503: overloaded",
        "llm_unavailable",
        (0, 0),
        1,
    ),
    "503-then-answer": Row(
        [error(503, "overloaded"), ok(tool_completion([GOOD_217, GOOD_1000]))],
        201,
        "",
        None,
        (100, 50),
        1,
        quotes=(GOOD_217["evidence"], GOOD_1000["evidence"]),
    ),
    "read-timeout": Row(
        [httpx.ReadTimeout("slow")] * 3,
        503,
        "the LLM endpoint timed out (FACTDIFF_LLM_TIMEOUT_S)",
        "llm_unavailable",
        (0, 0),
        1,
    ),
    "connection-reset": Row(
        [httpx.RemoteProtocolError("peer closed connection")] * 3,
        503,
        UNREACHABLE,
        "llm_unavailable",
        (0, 0),
        1,
    ),
    "connection-refused": Row(
        [httpx.ConnectError("connection refused")] * 3,
        503,
        UNREACHABLE,
        "llm_unavailable",
        (0, 0),
        1,
    ),
    "malformed-json": Row(
        [arguments('{"claims": [{', prompt_tokens=120, completion_tokens=7)] * 2,
        502,
        UNPARSED,
        "llm_bad_output",
        (240, 14),
        2,
    ),
    "malformed-json-then-fixed": Row(
        [
            arguments('{"claims": [{', prompt_tokens=120, completion_tokens=7),
            ok(tool_completion([GOOD_217], prompt_tokens=200, completion_tokens=60)),
        ],
        201,
        "",
        None,
        (320, 67),
        2,
        quotes=(GOOD_217["evidence"],),
    ),
    "schema-broken": Row(
        [with_claim(claim_type="rumour")] * 2,
        502,
        SCHEMA + "first: claims.0.claim_type: Input should be 'event', 'quantity', "
        "'statement', 'pledge', 'status' or 'other'",
        "llm_bad_output",
        (200, 100),
        2,
    ),
    "no-tool-call": Row(
        [ok(content_completion("I cannot help with that."))] * 2,
        502,
        UNPARSED,
        "llm_bad_output",
        (200, 100),
        2,
    ),
    "empty-tool-arguments": Row(
        [arguments("")] * 2, 502, UNPARSED, "llm_bad_output", (200, 100), 2
    ),
    # llama.cpp's server, in tools mode, calls an answer cut at max_tokens finished.
    "cut-off-reported-as-finished": Row(
        [arguments('{"claims": [{"statement": "Kenya deployed', completion_tokens=4096)] * 2,
        502,
        UNPARSED + "; the last used all 4096 output tokens allowed, so it was likely cut off: "
        "raise FACTDIFF_LLM_MAX_OUTPUT_TOKENS",
        "llm_bad_output",
        (200, 8192),
        2,
    ),
    # An empty object is a valid answer: an article may state nothing checkable.
    "empty-claim-set": Row([arguments("{}")], 201, "", None, (100, 50), 1),
    "finish-reason-length": Row(
        [ok(tool_completion([GOOD_217], completion_tokens=4096, finish_reason="length"))],
        502,
        "the model's answer was cut off (finish_reason=length): raise "
        "FACTDIFF_LLM_MAX_OUTPUT_TOKENS or lower FACTDIFF_CHUNK_TOKEN_BUDGET",
        "llm_bad_output",
        (100, 4096),
        1,
    ),
    # The rule for answers far longer than asked for is the schema's own bounds: at most
    # 200 claims, each field capped. Past them the run fails whole, nothing kept.
    "500-claims": Row(
        [ok(tool_completion([GOOD_217] * 500, completion_tokens=40_000))] * 2,
        502,
        SCHEMA + "first: claims: List should have at most 200 items after validation, not 500",
        "llm_bad_output",
        (200, 80_000),
        2,
    ),
    "2-MB-statement": Row(
        [with_claim(statement="x" * 2_000_000)] * 2,
        502,
        SCHEMA + "first: claims.0.statement: String should have at most 600 characters",
        "llm_bad_output",
        (200, 100),
        2,
    ),
    # Still wrong after the re-ask: those claims are rejected, the grounded one kept.
    "ungrounded-quote-and-wrong-number": Row(
        [ok(tool_completion([GOOD_1000, INVENTED_QUOTE, WRONG_NUMBER]))] * 2,
        201,
        "",
        None,
        (200, 100),
        2,
        quotes=(GOOD_1000["evidence"],),
        rejected=2,
    ),
}


@pytest.mark.parametrize("row", ROWS.values(), ids=ROWS.keys())
def test_every_llm_fault_ends_the_run_bounded_and_accounted(
    make_client: ClientFactory,
    live_settings: Settings,
    session: Session,
    sleeps: list[float],
    row: Row,
) -> None:
    client = make_client(live_settings)
    with respx.mock:
        route = respx.post(COMPLETIONS).mock(side_effect=row.answers)
        response = client.post("/articles", json={"text": TEXT, "outlet": "Harbor Wire"})

    assert response.status_code == row.status, response.text
    # 1 + llm_max_retries (2) per attempt at most, 1 + llm_validation_retries (1) attempts.
    assert route.call_count == row.http_calls
    sent = [json.loads(call.request.content) for call in route.calls]
    assert [body["max_tokens"] for body in sent] == [4096] * row.http_calls
    # Every HTTP call beyond an attempt's first is an SDK retry, after one back-off sleep.
    assert len(sleeps) == row.http_calls - row.llm_calls
    if row.sleeps is not None:
        assert sleeps == row.sleeps

    body = response.json()
    if row.status == 201:
        run_id = body["run"]["id"]
        assert [c["evidence"]["quote"] for c in body["claims"]] == list(row.quotes)
    else:
        detail = body["detail"]
        assert (detail["reason"], detail["message"]) == (row.reason, row.message)
        run_id = detail["run_id"]
    run = client.get(f"/runs/{run_id}").json()
    assert run["status"] == ("succeeded" if row.status == 201 else "failed")
    assert (run["error_reason"], run["error"]) == (row.reason, row.message or None)
    assert (run["prompt_tokens"], run["completion_tokens"]) == row.tokens
    assert (run["llm_calls"], run["http_requests"]) == (row.llm_calls, row.http_calls)
    assert (run["claims_count"], run["rejected_count"]) == (row.claims, row.rejected)
    stored = session.exec(select(Claim).where(Claim.run_id == run_id)).all()
    rejected = session.exec(select(RejectedClaim).where(RejectedClaim.run_id == run_id)).all()
    assert (len(stored), len(rejected)) == (row.claims, row.rejected)


SIM_MARKERS = ["", "malformed", "truncated", "huge", "ungrounded", "wrong-number", "empty"]


@pytest.mark.parametrize("http_client", list(LLMHttpClient))
def test_simulated_llm_with_random_faults_ends_every_run_bounded(
    make_client: ClientFactory, session: Session, sleeps: list[float], http_client: LLMHttpClient
) -> None:
    """Over a real socket, with either HTTP client under the SDK: the same outcomes."""
    config = SimConfig(error_rate=0.3, rate_429=0.2, retry_after_s=1, seed=11)
    outcomes: list[tuple[int, str, str | None]] = []
    with running(config) as url:
        settings = Settings(  # type: ignore[call-arg]
            llm_mode="live",
            llm_base_url=url,
            llm_api_key="sk-sim",
            llm_http_client=http_client,
            _env_file=None,
        )
        client = make_client(settings)
        runs = []
        for i in range(21):
            marker = SIM_MARKERS[i % len(SIM_MARKERS)]
            text = f"Town {i} reported {100 + i} new cases on Monday.\n\nSIMLLM:{marker}"
            response = client.post("/articles", json={"text": text})
            body = response.json()
            run_id = body["run"]["id"] if response.status_code == 201 else body["detail"]["run_id"]
            run = client.get(f"/runs/{run_id}").json()
            runs.append(run)
            outcomes.append((response.status_code, run["status"], run["error_reason"]))
        stats = httpx.get(url.removesuffix("/v1") + "/stats").json()

    expected_code = {None: 201, "llm_unavailable": 503, "llm_bad_output": 502}
    for code, status, reason in outcomes:
        assert status in ("succeeded", "failed")
        assert (status == "succeeded") == (reason is None)
        assert code == expected_code[reason]
    # 1 chunk × 2 attempts × (1 + 2 network retries): the most one article may cost.
    assert max(run["http_requests"] for run in runs) <= 6
    assert sum(run["http_requests"] for run in runs) == stats["requests"]
    for run in runs:
        stored = session.exec(select(Claim).where(Claim.run_id == run["id"])).all()
        assert len(stored) == run["claims_count"]
        if run["status"] == "failed":
            assert (run["claims_count"], run["rejected_count"]) == (0, 0)
    # The seed makes these fixed: both random faults and answers got through.
    reasons = {reason for _, _, reason in outcomes}
    assert reasons == {None, "llm_unavailable", "llm_bad_output"}


def test_article_over_a_per_article_limit_is_refused_before_any_llm_call(
    make_client: ClientFactory, live_settings: Settings, session: Session
) -> None:
    settings = live_settings.model_copy(update={"max_llm_calls_per_article": 1})
    client = make_client(settings)
    with respx.mock:
        route = respx.post(COMPLETIONS).mock(return_value=ok(tool_completion([GOOD_217])))
        response = client.post("/articles", json={"text": TEXT})

    assert response.status_code == 413
    assert response.json()["detail"] == (
        "article needs up to 2 LLM calls (1 chunk(s) × 2 attempt(s)); the limit is 1 "
        "(FACTDIFF_MAX_LLM_CALLS_PER_ARTICLE)"
    )
    assert route.call_count == 0
    assert session.exec(select(Claim)).all() == []
