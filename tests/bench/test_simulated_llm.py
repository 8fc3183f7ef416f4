"""The simulated LLM, driven through factdiff's real client path (openai + instructor)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from app.core.config import PROJECT_ROOT, InstructorMode, Settings
from app.extract.pipeline import ExtractionResult, extract_claims
from app.extract.prompting import ArticleInput, render_messages
from app.extract.validation import GroundingContext, split_grounded
from app.llm.client import LLMOutputError, LLMUnavailableError, build_client
from bench.sim_claims import build_claims
from bench.simulated_llm import Fault, Limits, SimConfig, create_app, running
from schemas import ClaimSet, ClaimSetV2, get_schema

ARTICLE = (
    "Kenya deployed an additional 217 police officers to Haiti on Saturday. "
    "Ten countries promised over 3,100 troops. The U.S. pledged over $300 million."
)
EXPECTED = {
    217: (
        "officers",
        "exact",
        "Kenya deployed an additional 217 police officers to Haiti on Saturday.",
    ),
    3100: ("troops", "over", "Ten countries promised over 3,100 troops."),
    300_000_000: ("USD", "over", "The U.S. pledged over $300 million."),
}


def live_settings(url: str, **overrides: Any) -> Settings:
    return Settings(
        llm_mode="live",
        llm_base_url=url,
        llm_api_key="sk-sim",
        database_url="sqlite://",
        llm_max_retries=0,
        _env_file=None,
        **overrides,
    )


async def extract(url: str, text: str = ARTICLE, **overrides: Any) -> ExtractionResult:
    settings = live_settings(url, **overrides)
    client = build_client(settings)
    return await extract_claims(client, ArticleInput(text), get_schema("news_claims"), settings)


def by_value(result: ExtractionResult) -> dict[float, Any]:
    return {c.claim.quantity.value: c for c in result.claims if c.claim.quantity}


def request_body(text: str = ARTICLE, *, tools: bool = True, v1: bool = False) -> dict[str, Any]:
    """A chat request as factdiff sends it, in tool-call or JSON-schema shape."""
    schema = (ClaimSet if v1 else ClaimSetV2).model_json_schema()
    body: dict[str, Any] = {
        "model": "gpt-4.1-mini",
        "messages": render_messages(f"extract_claims/{'v1' if v1 else 'v2'}", ArticleInput(text)),
    }
    if tools:
        function = {"name": "MyTool", "parameters": schema}
        body["tools"] = [{"type": "function", "function": function}]
    else:
        body["response_format"] = {
            "type": "json_schema",
            "json_schema": {"name": "ClaimSet", "schema": schema},
        }
    return body


def answer_text(completion: dict[str, Any]) -> str:
    message = completion["choices"][0]["message"]
    calls = message.get("tool_calls")
    return str(calls[0]["function"]["arguments"] if calls else message["content"])


@pytest.fixture(scope="module")
def sim_url() -> Iterator[str]:
    with running(SimConfig()) as url:
        yield url


@pytest.mark.parametrize("mode", [InstructorMode.tools, InstructorMode.json_schema])
async def test_figures_are_extracted_and_grounded(sim_url: str, mode: InstructorMode) -> None:
    result = await extract(sim_url, instructor_mode=mode)

    assert result.rejected == []
    claims = by_value(result)
    assert set(claims) == set(EXPECTED)
    for value, (unit, qualifier, sentence) in EXPECTED.items():
        grounded = claims[value]
        assert (grounded.claim.quantity.unit, grounded.claim.quantity.qualifier) == (
            unit,
            qualifier,
        )
        start = ARTICLE.index(sentence)
        assert (grounded.span.start, grounded.span.end) == (start, start + len(sentence))
        assert grounded.claim.evidence == sentence
    assert result.usage.prompt_tokens > len(ARTICLE) // 4
    assert result.usage.completion_tokens > 0


async def test_long_article_is_answered_chunk_by_chunk(sim_url: str) -> None:
    text = "\n\n".join(f"Town {i} reported {100 + i} new cases on Monday." for i in range(40))
    result = await extract(sim_url, text, chunk_token_budget=200, chunk_overlap_tokens=50)

    assert result.chunks > 1
    claims = by_value(result)
    assert set(claims) == {100 + i for i in range(40)}
    for value, grounded in claims.items():
        n = int(value)
        sentence = f"Town {n - 100} reported {n} new cases on Monday."
        assert text[grounded.span.start : grounded.span.end] == sentence


def test_envelope_follows_the_request_mode() -> None:
    client = TestClient(create_app(SimConfig()))
    body = request_body()
    tools = client.post("/v1/chat/completions", json=body).json()
    call = tools["choices"][0]["message"]["tool_calls"][0]
    assert call["function"]["name"] == "MyTool"
    assert tools["choices"][0]["finish_reason"] == "tool_calls"
    # A quarter of the request's bytes as sent (compact JSON), as estimate_tokens counts.
    sent = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
    assert tools["usage"]["prompt_tokens"] == len(sent) // 4
    assert len(json.loads(call["function"]["arguments"])["claims"]) == 3

    content = client.post("/v1/chat/completions", json=request_body(tools=False)).json()
    assert content["choices"][0]["finish_reason"] == "stop"
    ClaimSetV2.model_validate_json(content["choices"][0]["message"]["content"])
    assert client.get("/v1/models").json()["data"][0]["id"] == "gpt-4.1-mini"
    assert client.post("/v1/chat/completions", content=b"not json").status_code == 400


def test_the_answer_fits_the_schema_version_asked_for() -> None:
    client = TestClient(create_app(SimConfig()))

    v1 = client.post("/v1/chat/completions", json=request_body(tools=False, v1=True)).json()
    v2 = client.post("/v1/chat/completions", json=request_body(tools=False)).json()

    v1_claims = ClaimSet.model_validate_json(v1["choices"][0]["message"]["content"]).claims
    v2_claims = ClaimSetV2.model_validate_json(v2["choices"][0]["message"]["content"]).claims
    assert [c.evidence for c in v1_claims] == [c.evidence for c in v2_claims]
    assert "fact_kind" not in v1["choices"][0]["message"]["content"]
    assert {c.fact_kind for c in v2_claims} == {"other"}

    # v2 keeps every field the simulator fills (so its answers are sent uncut); v1 loses the
    # canonical ones, down to the quantity's aspect.
    v2_raw = json.loads(v2["choices"][0]["message"]["content"])
    assert v2_raw == {"claims": build_claims(ARTICLE)}
    v1_raw = json.loads(v1["choices"][0]["message"]["content"])["claims"]
    assert v1_raw and all("aspect" not in c["quantity"] for c in v1_raw)


def test_rpm_limit_is_enforced_with_retry_after() -> None:
    client = TestClient(create_app(SimConfig(rpm=5)))
    for remaining in (4, 3, 2, 1, 0):
        response = client.post("/v1/chat/completions", json=request_body())
        assert response.status_code == 200
        assert response.headers["x-ratelimit-remaining-requests"] == str(remaining)

    refused = client.post("/v1/chat/completions", json=request_body())
    assert refused.status_code == 429
    assert 1 <= int(refused.headers["retry-after"]) <= 60
    assert refused.json()["error"]["code"] == "rate_limit_exceeded"
    assert client.get("/stats").json()["by_status"] == {"200": 5, "429": 1}


def test_tpm_limit_counts_prompt_and_completion_tokens() -> None:
    free = TestClient(create_app(SimConfig()))
    used = free.post("/v1/chat/completions", json=request_body()).json()["usage"]["total_tokens"]
    client = TestClient(create_app(SimConfig(tpm=3 * used + used // 2)))  # room for 3.5 requests

    responses = [client.post("/v1/chat/completions", json=request_body()) for _ in range(4)]
    assert [r.status_code for r in responses] == [200, 200, 200, 429]
    assert int(responses[0].headers["x-ratelimit-remaining-tokens"]) == 2 * used + used // 2
    assert int(responses[3].headers["retry-after"]) >= 59  # the oldest request frees tokens


def test_sliding_window_admits_again_as_entries_expire() -> None:
    limits = Limits(rpm=2, tpm=0)
    assert limits.admit(10, now=0.0) is None
    assert limits.admit(10, now=1.0) is None
    assert limits.admit(10, now=2.0) == pytest.approx(58.0)
    assert limits.admit(10, now=60.5) is None  # the first request left the window

    tokens = Limits(rpm=0, tpm=100)
    assert tokens.admit(60, now=0.0) is None
    assert tokens.admit(60, now=10.0) == pytest.approx(50.0)
    assert tokens.admit(500, now=10.0) == pytest.approx(60.0)  # can never fit


async def test_rate_limit_reaches_factdiff_as_unavailable() -> None:
    with running(SimConfig(rpm=1)) as url:
        await extract(url)
        with pytest.raises(LLMUnavailableError, match="rate limiting"):
            await extract(url)


async def test_error_rate_one_answers_500() -> None:
    with running(SimConfig(error_rate=1.0)) as url:
        with pytest.raises(LLMUnavailableError, match="500"):
            await extract(url)
        async with httpx.AsyncClient() as http:
            response = await http.post(f"{url}/chat/completions", json=request_body())
        assert response.json()["error"]["type"] == "server_error"


def test_random_429_carries_retry_after() -> None:
    client = TestClient(create_app(SimConfig(rate_429=1.0, retry_after_s=3)))
    response = client.post("/v1/chat/completions", json=request_body())
    assert response.status_code == 429
    assert response.headers["retry-after"] == "3"


def test_seed_replays_the_same_faults_and_reset_restarts_them() -> None:
    def statuses(client: TestClient) -> list[int]:
        return [
            client.post("/v1/chat/completions", json=request_body()).status_code for _ in range(12)
        ]

    config = SimConfig(error_rate=0.5, seed=7)
    client = TestClient(create_app(config))
    first = statuses(client)
    assert set(first) == {200, 500}
    assert statuses(TestClient(create_app(config))) == first
    assert client.post("/reset").json()["requests"] == 0
    assert statuses(client) == first


@pytest.mark.parametrize(
    ("fault", "error", "message"),
    [
        (Fault.malformed, LLMOutputError, "could not be parsed"),
        (Fault.truncated, LLMOutputError, "cut off"),
        (Fault.huge, LLMOutputError, "does not fit schema"),
    ],
)
async def test_broken_answers_fail_the_extraction(
    sim_url: str, fault: Fault, error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):
        await extract(sim_url, f"{ARTICLE}\n\nSIMLLM:{fault.value}")


@pytest.mark.parametrize(
    ("fault", "reason"),
    [
        (Fault.ungrounded, "not found in the article"),
        (Fault.wrong_number, "does not appear in its evidence"),
    ],
)
async def test_bad_claims_are_rejected(sim_url: str, fault: Fault, reason: str) -> None:
    result = await extract(sim_url, f"{ARTICLE}\n\nSIMLLM:{fault.value}")

    assert len(result.rejected) == 1
    assert reason in result.rejected[0].reason
    assert len(by_value(result)) == (3 if fault is Fault.ungrounded else 2)


async def test_empty_answer_yields_no_claims(sim_url: str) -> None:
    result = await extract(sim_url, f"{ARTICLE}\n\nSIMLLM:empty")
    assert (result.claims, result.rejected) == ([], [])


def test_config_fault_applies_to_every_request() -> None:
    client = TestClient(create_app(SimConfig(fault=Fault.truncated)))
    response = client.post("/v1/chat/completions", json=request_body(tools=False))
    assert response.json()["choices"][0]["finish_reason"] == "length"
    with pytest.raises(json.JSONDecodeError):
        json.loads(answer_text(response.json()))
    assert client.get("/stats").json()["faults"] == {"truncated": 1}


async def test_serves_64_requests_concurrently() -> None:
    with running(SimConfig(latency_ms=200)) as url:
        # One client for all, as the service has: 64 clients would time client set-up.
        settings = live_settings(url)
        client, schema = build_client(settings), get_schema("news_claims")
        calls = (extract_claims(client, ArticleInput(ARTICLE), schema, settings) for _ in range(64))
        results = await asyncio.gather(*calls)
        async with httpx.AsyncClient() as http:
            stats = (await http.get(url.removesuffix("/v1") + "/stats")).json()

    assert all(set(by_value(r)) == set(EXPECTED) for r in results)
    assert stats["requests"] == 64
    assert stats["by_status"] == {"200": 64}
    assert stats["max_in_flight"] >= 32


def test_claims_ground_in_every_fixture_article() -> None:
    for path in sorted((PROJECT_ROOT / "fixtures" / "articles").glob("*.json")):
        text = json.loads(path.read_text(encoding="utf-8"))["text"]
        claims = ClaimSetV2.model_validate({"claims": build_claims(text, max_claims=200)}).claims
        kept, rejected = split_grounded(claims, GroundingContext(text, None, 90.0))
        assert rejected == [], path.name
        assert any(c.claim.quantity for c in kept), path.name


def test_qualifiers_units_and_scales() -> None:
    text = (
        "At least 5 people died. Up to 40 buses ran. Fewer than 10 ministers came. "
        "Prices rose 12% while €2.5 billion was spent and nearly 20k users left. "
        "In 2024 the firm hired 300 new staff on 18 January. It cost 2,5 millions."
    )
    quantities = [c["quantity"] for c in build_claims(text) if c["quantity"]]
    assert [
        (q["value"], q["unit"], q["qualifier"], q["unit_kind"], q["aspect"]) for q in quantities
    ] == [
        (5, "people", "at_least", "persons", "event"),
        (40, "buses", "up_to", "count", "event"),
        (10, "ministers", "under", "persons", "event"),
        (12, "percent", "exact", "percent", "state"),
        (2_500_000_000, "EUR", "exact", "currency", "event"),
        (20_000, "users", "about", "persons", "event"),
        (300, "staff", "exact", "persons", "event"),
    ]
    assert len(build_claims(text, max_claims=2)) == 2
