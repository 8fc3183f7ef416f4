"""Offline fixtures: replay through the real client, stale detection, record mode."""

from __future__ import annotations

import json
import re
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import respx

from app.core.config import LLMMode, Settings
from app.extract import pipeline as extraction
from app.extract.pipeline import extract_claims
from app.extract.prompting import ArticleInput
from app.llm.client import LLMConfigurationError, LLMUnavailableError, build_client
from app.llm.replay import Fixture, StampTransport
from schemas import get_schema
from tests.conftest import LIVE_BASE_URL, load_article
from tests.llm_stub import claim, ok, tool_completion

FIXTURE_217 = "fixtures/llm/news_claims_v2/kenya-haiti-217.json"  # the default schema's
FIXTURE_217_V1 = "fixtures/llm/news_claims/kenya-haiti-217.json"


def article_input(stem: str) -> ArticleInput:
    data = load_article(stem)
    published = datetime.fromisoformat(data["published_at"].replace("Z", "+00:00"))
    return ArticleInput(data["text"], data["title"], data["outlet"], published)


async def extract(settings: Settings, stem: str, schema: str = "news_claims") -> Any:
    client = build_client(settings)
    return await extract_claims(client, article_input(stem), get_schema(schema), settings)


async def test_replay_runs_the_real_client_path(settings: Settings) -> None:
    result = await extract(settings, "kenya-haiti-217")

    values = {c.claim.quantity.value for c in result.claims if c.claim.quantity}
    assert {217, 1_000_000, 1000, 3100} <= values
    assert result.usage.llm_calls == 2  # attempt 1 quoted a passage not in the text


async def test_changed_model_names_the_stale_fixture(settings: Settings) -> None:
    other = settings.model_copy(update={"llm_model": "gpt-5-nano"})
    with pytest.raises(LLMConfigurationError) as caught:
        await extract(other, "kenya-haiti-217")

    message = caught.value.message
    # Every fixture of the article is named; only the model keeps the default (v2) one out.
    assert message.startswith(
        f"stale LLM fixture: {FIXTURE_217_V1} differs in model, system prompt, response schema, "
        f"schema name; {FIXTURE_217} differs in model; "
    )
    assert "factdiff fixtures stamp" in message


async def test_changed_prompt_names_the_stale_fixture(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    render = extraction.render_messages

    def edited_prompt(prompt: str, article: ArticleInput) -> list[dict[str, str]]:
        messages = render(prompt, article)
        messages[0]["content"] += "\nBe brief."
        return messages

    monkeypatch.setattr(extraction, "render_messages", edited_prompt)
    with pytest.raises(LLMConfigurationError) as caught:
        await extract(settings, "kenya-haiti-217")
    assert f"{FIXTURE_217} differs in system prompt;" in caught.value.message


async def test_changed_schema_names_the_stale_fixture(settings: Settings) -> None:
    # kenya-haiti-270 has news_claims fixtures only (v1 and v2); the user message is the
    # same, the quantities schema brings its own prompt and response schema. Each is named.
    with pytest.raises(LLMConfigurationError) as caught:
        await extract(settings, "kenya-haiti-270", schema="quantities")
    assert (
        "stale LLM fixture: fixtures/llm/news_claims/kenya-haiti-270.json differs in "
        "system prompt, response schema, schema name; "
        "fixtures/llm/news_claims_v2/kenya-haiti-270.json differs in "
        "system prompt, response schema, schema name." in caught.value.message
    )


# What the 503 for an article without a fixture tells a newcomer to do.
NO_FIXTURE_HELP = (
    "To try the live path without a model, start the simulated LLM that ships with factdiff "
    "(`python -m bench.simulated_llm --port 9100` in the repository, with its venv) and set "
    "FACTDIFF_LLM_BASE_URL=http://127.0.0.1:9100/v1 FACTDIFF_LLM_API_KEY=sim; for a model, set "
    "FACTDIFF_LLM_BASE_URL and/or FACTDIFF_LLM_API_KEY; or record a fixture with "
    "FACTDIFF_LLM_MODE=record."
)


async def test_article_without_fixture_says_how_to_try_the_simulated_llm(
    settings: Settings,
) -> None:
    client = build_client(settings)
    article = ArticleInput("A text no fixture was ever written for, about 12 goats.")
    with pytest.raises(LLMUnavailableError) as caught:
        await extract_claims(client, article, get_schema("news_claims"), settings)
    message = caught.value.message
    head, _, tail = message.partition(f") under {settings.fixtures_dir}. ")
    assert re.fullmatch(r"no LLM fixture for this article \(user message sha256 [0-9a-f]{12}", head)
    assert tail == NO_FIXTURE_HELP


@respx.mock
async def test_record_mode_writes_a_fixture_that_replays_offline(
    live_settings: Settings, tmp_path: Path
) -> None:
    text = "Kenya deployed an additional 217 police officers to Haiti on Saturday."
    answer = claim("Kenya deployed 217 officers to Haiti.", "217 police officers", value=217)
    respx.post(f"{LIVE_BASE_URL}/chat/completions").mock(
        return_value=ok(tool_completion([answer], prompt_tokens=321, completion_tokens=12))
    )
    recording = live_settings.model_copy(
        update={"llm_mode": LLMMode.record, "fixtures_dir": tmp_path}
    )
    schema = get_schema("news_claims")
    recorded = await extract_claims(build_client(recording), ArticleInput(text), schema, recording)

    (path,) = (tmp_path / "recorded").glob("*.json")
    data = json.loads(path.read_text())
    assert data["provenance"]["kind"] == "recorded"
    assert data["provenance"]["statement"].startswith(
        f"Recorded from model gpt-4.1-mini at {LIVE_BASE_URL} on "
    )
    assert data["exchanges"][0]["response"]["usage"]["prompt_tokens"] == 321

    respx.clear()  # from here on, any network call would fail
    replaying = recording.model_copy(update={"llm_mode": LLMMode.replay})
    replayed = await extract_claims(build_client(replaying), ArticleInput(text), schema, replaying)
    assert [c.span for c in replayed.claims] == [c.span for c in recorded.claims]
    assert replayed.usage.prompt_tokens == 321


def test_stamp_refuses_recorded_fixtures(tmp_path: Path) -> None:
    fixture = Fixture(tmp_path / "x.json", {"provenance": {"kind": "recorded"}, "exchanges": []})
    with pytest.raises(ValueError, match="is a recorded fixture: re-record it instead"):
        StampTransport(fixture)


def test_every_fixture_states_its_provenance(fixtures_root: Path) -> None:
    files = sorted(fixtures_root.rglob("*.json"))
    assert len(files) >= 7
    for path in files:
        provenance = json.loads(path.read_text())["provenance"]
        if provenance["kind"] == "authored":
            assert provenance["statement"].startswith("Written by hand"), path
            assert "Not recorded" in provenance["statement"], path
        else:
            assert provenance["kind"] == "recorded" and provenance["statement"], path
