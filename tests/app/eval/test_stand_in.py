"""The stand-in model, driven through factdiff's real client path (openai + instructor)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from app.core.config import Settings
from app.eval.gold import GoldStory, Wording
from app.eval.stand_in import GoldAnswers, create_app, prune, serve_in_thread
from app.extract.pipeline import ExtractionResult, extract_claims
from app.extract.prompting import ArticleInput
from app.llm.client import build_client
from schemas import ClaimSet, get_schema
from tests.app.eval.story import A_CLAIMS, TEXT_A, TEXT_B, story

GOLD = GoldStory.model_validate(story())


@pytest.fixture(params=[Wording.canonical, Wording.varied])
def wording(request: pytest.FixtureRequest) -> Wording:
    return Wording(request.param)


@pytest.fixture
def stand_in(wording: Wording) -> Iterator[str]:
    with serve_in_thread(create_app(GoldAnswers([GOLD], wording))) as url:
        yield url


async def extract(url: str, text: str, **overrides: Any) -> ExtractionResult:
    settings = Settings(  # type: ignore[call-arg]
        llm_mode="live",
        llm_base_url=f"{url}/v1",
        llm_api_key="sk-stand-in",
        database_url="sqlite://",
        llm_max_retries=0,
        _env_file=None,
        **overrides,
    )
    client = build_client(settings)
    return await extract_claims(client, ArticleInput(text), get_schema("news_claims"), settings)


async def read_stats(url: str) -> dict[str, int]:
    async with httpx.AsyncClient() as client:
        stats: dict[str, int] = (await client.get(f"{url}/stats")).json()
        return stats


@pytest.mark.parametrize("mode", ["tools", "json_schema", "json", "md_json"])
async def test_each_article_answered_with_its_gold_claims_in_every_instructor_mode(
    stand_in: str, wording: Wording, mode: str
) -> None:
    result = await extract(stand_in, TEXT_A, instructor_mode=mode)
    expected = [c["statement"] for c in GOLD.claims_of(wording, "a")]
    assert [g.claim.statement for g in result.claims] == expected
    assert result.rejected == []
    assert result.usage.llm_calls == 1
    grounded = {g.claim.statement: TEXT_A[g.span.start : g.span.end] for g in result.claims}
    for claim in GOLD.claims_of(wording, "a"):
        assert grounded[claim["statement"]] == claim["evidence"]
    stats = await read_stats(stand_in)
    assert stats["requests"] == 1
    assert stats["unknown_articles"] == 0
    assert stats["prompt_tokens"] == result.usage.prompt_tokens


@pytest.mark.parametrize("wording", [Wording.canonical], indirect=True)
async def test_an_article_the_gold_lacks_gets_no_claims_and_is_counted(stand_in: str) -> None:
    result = await extract(stand_in, "A story about something else entirely, with 3 facts.")
    assert result.claims == []
    assert (await read_stats(stand_in))["unknown_articles"] == 1


def test_a_chunk_gets_the_claims_whose_evidence_it_holds() -> None:
    answers = GoldAnswers([GOLD], Wording.canonical)
    second_paragraph = TEXT_A.split("\n\n")[1]
    found = answers.claims_for(second_paragraph)
    assert found is not None
    assert [c["statement"] for c in found] == [A_CLAIMS[1]["statement"], A_CLAIMS[2]["statement"]]
    # The service may re-wrap whitespace; the article is still recognised.
    rewrapped = answers.claims_for(" ".join(TEXT_B.split()))
    assert rewrapped is not None and len(rewrapped) == 4
    assert "id" not in rewrapped[0]


def test_claims_cut_to_the_requested_schema() -> None:
    """v2 gold fields are dropped for a news_claims@v1 request, whose schema forbids them."""
    schema = ClaimSet.model_json_schema()
    claim = GOLD.claims_of(Wording.canonical, "a")[1]
    pruned = prune({"claims": [claim]}, schema, schema)["claims"][0]
    assert "fact_kind" not in pruned and "object_entity" not in pruned and "id" not in pruned
    assert pruned["quantity"] == {"value": 8_500_000, "unit": "EUR", "qualifier": "exact"}
    assert pruned["subject"] == {"name": "Lindqvist Bridge", "type": "location", "mention": None}
    ClaimSet.model_validate({"claims": [pruned]})  # what the schema's strict models accept
    # A schema that lists the v2 fields keeps them.
    wider = {"type": "object", "properties": {"fact_kind": {"type": "string"}}}
    assert prune({"fact_kind": "price", "x": 1}, wider, wider) == {"fact_kind": "price"}


def test_a_request_that_is_not_a_completion_is_refused(stand_in: str) -> None:
    response = httpx.post(f"{stand_in}/v1/chat/completions", content=b"[1, 2]")
    assert response.status_code == 400
    message = "expected a non-streaming chat completion request as a JSON object"
    assert response.json()["error"]["message"] == message
