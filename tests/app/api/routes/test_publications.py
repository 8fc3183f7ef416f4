"""One text, many publications: a wire story carried by three outlets is extracted once and
seen under every outlet, in /articles, /diff, /claims and the ledger's source count."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from app.api.deps import get_engine
from app.api.main import app
from app.core.config import Settings
from app.llm.client import build_client
from app.llm.replay import ReplayTransport
from tests.app.store.test_db import assert_migrated, postgres_database
from tests.conftest import ClientFactory, load_article

WIRE = load_article("kenya-haiti-wire")
# The same text under two more outlets: the first is the fixture's own (Meridian Newswire).
CARRIERS = [
    {},
    {"outlet": "Lakeside Gazette", "url": "https://lakeside.example/world/kenya-haiti"},
    {"outlet": "Coastal Courier", "url": "https://courier.example/2025/01/20/haiti"},
]
OUTLETS = ["Meridian Newswire", "Lakeside Gazette", "Coastal Courier"]


class CountingReplay(ReplayTransport):
    """The replay fixtures, counting every request that reaches the LLM."""

    calls = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.calls += 1
        return await super().handle_async_request(request)


@pytest.fixture
def llm(settings: Settings) -> CountingReplay:
    return CountingReplay(settings.fixtures_dir)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def client(
    request: pytest.FixtureRequest,
    make_client: ClientFactory,
    settings: Settings,
    llm: CountingReplay,
) -> Iterator[TestClient]:
    """The service over SQLite, or over a migrated PostgreSQL database of its own."""
    http = make_client(settings, build_client(settings, transport=llm))  # type: ignore[call-arg]
    if request.param == "sqlite":
        yield http
        return
    with postgres_database() as engine:
        assert_migrated(engine)
        app.dependency_overrides[get_engine] = lambda: engine
        yield http


def submit_three(client: TestClient) -> list[dict[str, Any]]:
    bodies = []
    for overrides in CARRIERS:
        response = client.post("/articles", json={**WIRE, **overrides})
        assert response.status_code == 201, response.text
        bodies.append(response.json())
    return bodies


def test_a_wire_story_under_three_outlets_is_three_publications_and_one_llm_call(
    client: TestClient, llm: CountingReplay
) -> None:
    bodies = submit_three(client)

    assert llm.calls == 1
    assert [b["reused"] for b in bodies] == [False, True, True]
    assert [b["publication_created"] for b in bodies] == [True, True, True]
    assert [b["publication"]["outlet"] for b in bodies] == OUTLETS
    assert len({b["publication"]["id"] for b in bodies}) == 3
    article_id = bodies[0]["article"]["id"]
    assert {b["article"]["id"] for b in bodies} == {article_id}
    assert {b["run"]["id"] for b in bodies} == {bodies[0]["run"]["id"]}

    listed = client.get("/articles").json()
    assert listed["count"] == 1
    (article,) = listed["data"]
    assert [p["outlet"] for p in article["publications"]] == OUTLETS
    assert [p["url"] for p in article["publications"]] == [
        WIRE["url"],
        CARRIERS[1]["url"],
        CARRIERS[2]["url"],
    ]
    assert article["outlet"] == "Meridian Newswire"  # the first submission's, as extracted

    claims = bodies[0]["claims"]
    for outlet in OUTLETS:
        found = client.get("/articles", params={"outlet": outlet}).json()
        assert [a["id"] for a in found["data"]] == [article_id]
        diff = client.get("/diff", params={"left": f"outlet:{outlet}", "right": "article:1"})
        assert diff.status_code == 200, diff.text
        body = diff.json()
        assert body["summary"]["agree"] == len(claims), outlet
        assert body["warnings"] == []
        assert {p["left"]["outlet"] for p in body["pairs"]} == {outlet}
        by_outlet = client.get("/claims", params={"outlet": outlet, "limit": 500}).json()
        assert sorted(c["id"] for c in by_outlet["data"]) == sorted(c["id"] for c in claims)

    facts = client.get("/facts", params={"entity": "Kenya"}).json()["data"]
    assert facts
    for fact in facts:
        assert fact["source_count"] == 3, fact["headline"]
        assert fact["outlets"] == sorted(OUTLETS)
        assert (fact["article_count"], fact["publication_count"]) == (1, 3)
        assert fact["status"] == "single"
        assert fact["explanation"] == (
            "one text reports it, carried by 3 outlets "
            "(Meridian Newswire, Lakeside Gazette, Coastal Courier)"
        )
        (source,) = fact["sources"]
        assert [p["outlet"] for p in source["publications"]] == OUTLETS
    assert llm.calls == 1


def test_an_identical_repeat_is_the_same_publication(
    client: TestClient, llm: CountingReplay
) -> None:
    first = submit_three(client)

    again = client.post("/articles", json={**WIRE, **CARRIERS[2]})

    assert again.status_code == 201, again.text
    assert again.json()["publication_created"] is False
    assert again.json()["publication"]["id"] == first[2]["publication"]["id"]
    assert len(again.json()["article"]["publications"]) == 3
    assert llm.calls == 1


def test_another_text_from_a_carrying_outlet_counts_that_outlet_once(
    client: TestClient, llm: CountingReplay
) -> None:
    submit_three(client)
    harbor = load_article("kenya-haiti-217")  # Harbor Wire's own report
    for overrides in ({}, {"outlet": "Lakeside Gazette"}):  # which Lakeside carries too
        response = client.post("/articles", json={**harbor, **overrides})
        assert response.status_code == 201, response.text

    facts = client.get("/facts", params={"entity": "Kenya"}).json()["data"]

    # Kenya's pledge of 1,000: the wire text and Harbor Wire's report agree, and Lakeside
    # Gazette, which carries both texts, is one outlet among four.
    (pledge,) = [f for f in facts if f["status"] == "consensus" and "1,000" in f["values"][0]]
    assert pledge["article_count"] == 2
    assert pledge["outlets"] == sorted([*OUTLETS, "Harbor Wire"])
    assert pledge["source_count"] == 4
    assert pledge["publication_count"] == 5
    assert pledge["explanation"].startswith(
        "2 articles agree (Coastal Courier, Harbor Wire, Lakeside Gazette, Meridian Newswire)"
    )
    assert llm.calls == 1 + 2  # Harbor Wire's text: an ask and a re-ask, once for two outlets
    md = client.get("/facts", params={"entity": "Kenya", "format": "md"}).text
    assert "| Meridian Newswire, Lakeside Gazette, Coastal Courier |" in md
    assert "| Harbor Wire, Lakeside Gazette |" in md


def test_an_outlet_that_carries_nothing_is_still_not_found(client: TestClient) -> None:
    submit_three(client)

    response = client.get("/diff", params={"left": "outlet:Nobody", "right": "article:1"})

    assert response.status_code == 404
    assert "no article from outlet 'Nobody'" in response.text
