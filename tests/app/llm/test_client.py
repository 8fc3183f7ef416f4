"""The live path: the real openai + instructor client against a respx-mocked endpoint."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import httpx
import instructor
import openai
import openai._base_client
import pytest
import respx
from instructor.v2.core import patch as instructor_patch
from instructor.v2.validation import async_validators
from instructor.v2.validation.async_validators import async_field_validator
from pydantic import BaseModel, create_model

from app.core.config import InstructorMode, Settings
from app.extract.pipeline import extract_claims
from app.extract.prompting import ArticleInput, render_messages
from app.extract.validation import grounded_model
from app.llm.client import INSTRUCTOR_MODES, LLMConfigurationError, build_client
from schemas import get_schema
from tests.conftest import LIVE_BASE_URL
from tests.llm_stub import claim, content_completion, ok, tool_completion

TEXT = (
    "Kenya deployed an additional 217 police officers to Haiti on Saturday. "
    "Kenya has pledged a total of 1,000 personnel to the mission."
)
ARTICLE = ArticleInput(
    TEXT, "Kenya reinforces Haiti", "Harbor Wire", datetime(2025, 1, 18, tzinfo=UTC)
)
NEWS = get_schema("news_claims")
GOOD_217 = claim(
    "Kenya deployed 217 police officers to Haiti on 18 January 2025.",
    "deployed an additional 217 police officers to Haiti on Saturday",
    value=217,
    time="on Saturday",
)
GOOD_1000 = claim(
    "Kenya pledged 1,000 personnel to the Haiti mission.",
    "Kenya has pledged a total of 1,000 personnel",
    value=1000,
    unit="personnel",
)
COMPLETIONS = f"{LIVE_BASE_URL}/chat/completions"


async def run(settings: Settings, article: ArticleInput = ARTICLE):  # type: ignore[no-untyped-def]
    return await extract_claims(build_client(settings), article, NEWS, settings)


@respx.mock
async def test_grounded_claims_with_offsets_and_resolved_dates(live_settings: Settings) -> None:
    route = respx.post(COMPLETIONS).mock(return_value=ok(tool_completion([GOOD_217, GOOD_1000])))
    result = await run(live_settings)

    assert route.call_count == 1
    first, second = result.claims
    assert first.claim.quantity is not None and first.claim.quantity.value == 217
    assert (first.span.start, first.span.end, first.span.kind) == (6, 69, "exact")
    assert TEXT[6:69] == "deployed an additional 217 police officers to Haiti on Saturday"
    assert first.claim.time is not None
    assert (first.claim.time.start, first.claim.time.end) == (
        datetime(2025, 1, 18).date(),
        datetime(2025, 1, 18).date(),
    )
    assert (second.span.start, second.span.end) == (71, 115)
    assert result.rejected == []
    assert (result.usage.prompt_tokens, result.usage.completion_tokens) == (100, 50)


@respx.mock
async def test_request_puts_instructions_first_article_last_with_timeout(
    live_settings: Settings,
) -> None:
    route = respx.post(COMPLETIONS).mock(return_value=ok(tool_completion([GOOD_217])))
    await run(live_settings)

    request = route.calls.last.request
    body = json.loads(request.content)
    assert body["model"] == "gpt-4.1-mini"
    assert [m["role"] for m in body["messages"]] == ["system", "user"]
    assert TEXT not in body["messages"][0]["content"]
    assert body["messages"][1]["content"].rstrip().endswith(">>>")
    assert TEXT in body["messages"][1]["content"]
    assert body["tools"][0]["function"]["name"] == "ClaimSetV2"
    assert request.headers["authorization"] == "Bearer sk-test"
    client = build_client(live_settings).client
    assert client.timeout == 60.0 and client.max_retries == 2


@respx.mock
async def test_ungrounded_quote_is_re_asked_and_usage_sums_every_attempt(
    live_settings: Settings,
) -> None:
    invented = claim(
        "Kenya sent 217 officers.", "Kenya flew 217 officers to Haiti at dawn", value=217
    )
    route = respx.post(COMPLETIONS).mock(
        side_effect=[
            ok(tool_completion([invented], prompt_tokens=100, completion_tokens=40)),
            ok(
                tool_completion(
                    [GOOD_217], prompt_tokens=180, completion_tokens=45, cached_tokens=64
                )
            ),
        ]
    )
    result = await run(live_settings)

    assert route.call_count == 2
    re_ask = json.loads(route.calls.last.request.content)["messages"]
    feedback = json.dumps(re_ask[2:])
    assert "evidence quote not found in the article" in feedback
    assert [len(result.claims), len(result.rejected)] == [1, 0]
    usage = result.usage
    assert (usage.prompt_tokens, usage.completion_tokens, usage.cached_tokens) == (280, 85, 64)
    assert usage.llm_calls == 2 and usage.http_requests == 2
    assert usage.attempts == [
        {"prompt_tokens": 100, "completion_tokens": 40},
        {"prompt_tokens": 180, "completion_tokens": 45},
    ]


@respx.mock
async def test_claim_still_wrong_after_re_asks_is_rejected_the_rest_kept(
    live_settings: Settings,
) -> None:
    wrong_number = claim("Kenya sent 270 officers.", "217 police officers", value=270)
    answer = ok(tool_completion([GOOD_1000, wrong_number]))
    route = respx.post(COMPLETIONS).mock(side_effect=[answer, answer])
    result = await run(live_settings)

    assert route.call_count == 2  # llm_validation_retries=1: one re-ask, no more
    assert [c.claim.statement for c in result.claims] == [GOOD_1000["statement"]]
    (rejection,) = result.rejected
    assert rejection.reason == "quantity 270 does not appear in its evidence: '217 police officers'"
    assert rejection.payload["quantity"]["value"] == 270


@respx.mock
async def test_429_honours_retry_after_in_the_sdk_only(
    live_settings: Settings, sleeps: list[float]
) -> None:
    route = respx.post(COMPLETIONS).mock(
        side_effect=[
            httpx.Response(429, headers={"retry-after": "7"}, json={"error": {"message": "slow"}}),
            ok(tool_completion([GOOD_217])),
        ]
    )
    result = await run(live_settings)

    assert route.call_count == 2
    assert sleeps == [7.0]
    assert (result.usage.http_requests, result.usage.llm_calls) == (2, 1)


@respx.mock
async def test_bad_key_is_a_configuration_error(live_settings: Settings) -> None:
    respx.post(COMPLETIONS).mock(
        return_value=httpx.Response(401, json={"error": {"message": "bad key"}})
    )
    with pytest.raises(LLMConfigurationError, match="check FACTDIFF_LLM_API_KEY"):
        await run(live_settings)


@respx.mock
async def test_json_schema_mode_reads_the_message_content(live_settings: Settings) -> None:
    settings = live_settings.model_copy(update={"instructor_mode": InstructorMode.json_schema})
    route = respx.post(COMPLETIONS).mock(
        return_value=ok(content_completion(json.dumps({"claims": [GOOD_1000]})))
    )
    result = await run(settings)

    body = json.loads(route.calls.last.request.content)
    assert body["response_format"]["type"] == "json_schema"
    assert "tools" not in body
    assert [c.span.start for c in result.claims] == [71]


@respx.mock
async def test_article_text_is_sent_verbatim_never_rendered_as_a_template(
    live_settings: Settings,
) -> None:
    # instructor renders messages as Jinja templates whenever it is given a context; an
    # article is data, so braces in it must reach the model untouched.
    text = "Kenya sent 217 officers. The press kit read {{ 7*7 }} and {% if x %}."
    evidence = claim("Kenya sent 217 officers to Haiti.", "Kenya sent 217 officers", value=217)
    route = respx.post(COMPLETIONS).mock(return_value=ok(tool_completion([evidence])))
    result = await extract_claims(
        build_client(live_settings), ArticleInput(text), NEWS, live_settings
    )

    user = json.loads(route.calls.last.request.content)["messages"][1]["content"]
    assert "{{ 7*7 }} and {% if x %}." in user
    assert [c.span.start for c in result.claims] == [0]


@respx.mock
@pytest.mark.parametrize("mode", [InstructorMode.tools, InstructorMode.json_schema])
async def test_request_body_is_the_one_the_sdk_itself_would_send(
    live_settings: Settings, mode: InstructorMode
) -> None:
    """Our client sends messages, tool and format through extra_body, past the SDK's
    transform: the endpoint must receive the same request as from a plain instructor client."""
    settings = live_settings.model_copy(update={"instructor_mode": mode})
    answer = (
        ok(tool_completion([GOOD_217]))
        if mode is InstructorMode.tools
        else ok(content_completion(json.dumps({"claims": [GOOD_217]})))
    )
    route = respx.post(COMPLETIONS).mock(return_value=answer)
    ours = build_client(settings)
    plain = instructor.from_openai(
        openai.AsyncOpenAI(base_url=LIVE_BASE_URL, api_key="sk-test", max_retries=0),
        mode=INSTRUCTOR_MODES[mode],
    )
    sent = []
    for client in (ours, plain):
        await client.create(
            model=settings.llm_model,
            messages=render_messages(NEWS.prompt, ARTICLE),  # type: ignore[arg-type]
            response_model=grounded_model(NEWS),
            max_retries=0,
            temperature=0.0,
            max_tokens=4096,
        )
        sent.append(json.loads(route.calls.last.request.content))

    assert sent[0] == sent[1]
    assert TEXT in sent[0]["messages"][1]["content"]
    assert {"model", "messages", "temperature", "max_tokens"} <= set(sent[0])


class AsyncChecked(BaseModel):
    value: int

    @async_field_validator("value")
    async def positive(self, value: int) -> None:
        if value <= 0:
            raise ValueError("not positive")


def test_async_validators_are_still_refused_and_each_model_walked_once(
    live_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    build_client(live_settings)
    check = instructor_patch.reject_async_validators
    assert check is async_validators.reject_async_validators  # both of instructor's references
    walked: list[object] = []
    original = check.__wrapped__

    def walk(model: object) -> None:
        walked.append(model)
        original(model)

    monkeypatch.setattr(check, "__wrapped__", walk)
    model = create_model("Fresh", value=(int, ...))  # never checked before
    for _ in range(3):
        check(model)
    with pytest.raises(ValueError, match="async validators are not supported"):
        check(AsyncChecked)
    with pytest.raises(ValueError, match="async validators are not supported"):
        check(AsyncChecked)

    assert walked == [model, AsyncChecked, AsyncChecked]
