"""Short articles, written for these tests, whose claims leave a pair undecided.

Article A gives Estmark's annual inflation for March; article B gives two other indicators of
the same month (core inflation and wage growth). Whichever B claim the inflation figure pairs
with, calling it a conflict would be a guess: the diff holds it back as undecided, and the
pair (inflation against core inflation, the nearer of the two in words and in figure: 2.9
against 3.9 percent wage growth) is two facts. Article C gives inflation for March at
another figure and core inflation: held back as well, though here the pair (inflation against
inflation) is one fact the two outlets disagree on.

They are stored through POST /articles in live mode, with respx answering the LLM endpoint with
hand-written news_claims@v2 claims (no model was asked).
"""

from __future__ import annotations

import json
from typing import Any

import httpx
from fastapi.testclient import TestClient

from tests.llm_stub import ok, request_article, tool_completion

TEXT_A = (
    "Estmark's annual consumer price growth was 3.4 percent in March, the national statistics "
    "office said on Thursday. Fuel and rents rose fastest."
)
TEXT_B = (
    "Underlying price growth in Estmark eased to 2.9 percent in March, figures published on "
    "Thursday show. Average pay growth in Estmark reached 3.9 percent in the same month."
)
TEXT_C = (
    "Consumer price growth in Estmark slowed to 3.1 percent in March, the central bank said. "
    "Underlying price growth held at 2.9 percent."
)
QUOTE_A = "Estmark's annual consumer price growth was 3.4 percent in March"
QUOTE_CORE = "Underlying price growth in Estmark eased to 2.9 percent in March"
QUOTE_WAGES = "Average pay growth in Estmark reached 3.9 percent in the same month"
QUOTE_C = "Consumer price growth in Estmark slowed to 3.1 percent in March"
QUOTE_C_CORE = "Underlying price growth held at 2.9 percent"
ARTICLE_A = {
    "text": TEXT_A,
    "title": "Estmark inflation at 3.4 percent",
    "outlet": "Harbor Wire",
    "published_at": "2026-04-09T08:00:00Z",
    "schema": "news_claims@v2",
}
ARTICLE_B = {
    "text": TEXT_B,
    "title": "Core inflation eases in Estmark",
    "outlet": "Nairobi Ledger",
    "published_at": "2026-04-09T10:00:00Z",
    "schema": "news_claims@v2",
}

ARTICLE_C = {
    "text": TEXT_C,
    "title": "Estmark inflation slows",
    "outlet": "Meridian Newswire",
    "published_at": "2026-04-09T12:00:00Z",
    "schema": "news_claims@v2",
}


def indicator(value: float, measure: str, evidence: str) -> dict[str, Any]:
    """A news_claims@v2 claim as the model answers it: Estmark's ``measure`` in March."""
    return {
        "statement": f"Estmark's {measure} was {value} percent in March.",
        "claim_type": "quantity",
        "fact_kind": "economic_indicator",
        "subject": {"name": "Estmark", "type": "country"},
        "predicate": f"had {measure} of",
        "object": None,
        "object_entity": None,
        "quantity": {
            "value": value,
            "unit": "percent",
            "qualifier": "exact",
            "unit_kind": "percent",
            "aspect": "state",
        },
        "time": {"text": "in March", "start": "2026-03-01", "end": "2026-03-31"},
        "location": "Estmark",
        "attribution": None,
        "modality": "asserted",
        "evidence": evidence,
    }


ANSWERS = {
    TEXT_A: [indicator(3.4, "consumer price growth", QUOTE_A)],
    TEXT_B: [
        indicator(2.9, "underlying price growth", QUOTE_CORE),
        indicator(3.9, "average pay growth", QUOTE_WAGES),
    ],
    TEXT_C: [
        indicator(3.1, "consumer price growth", QUOTE_C),
        indicator(2.9, "underlying price growth", QUOTE_C_CORE),
    ],
}


def extraction_answer(request: httpx.Request) -> httpx.Response:
    """The hand-written claims of the article the request carries, under the tool it asks."""
    body = json.loads(request.content)
    answer = tool_completion(ANSWERS[request_article(request)])
    tool = body["tool_choice"]["function"]["name"]
    answer["choices"][0]["message"]["tool_calls"][0]["function"]["name"] = tool
    return ok(answer)


def post_indicator_articles(client: TestClient) -> tuple[int, int, int]:
    """Store articles A, B and C (the LLM endpoint mocked by extraction_answer); their ids."""
    ids = []
    for article in (ARTICLE_A, ARTICLE_B, ARTICLE_C):
        response = client.post("/articles", json=article)
        assert response.status_code == 201, response.text
        assert len(response.json()["claims"]) == len(ANSWERS[article["text"]])
        ids.append(response.json()["article"]["id"])
    return ids[0], ids[1], ids[2]
