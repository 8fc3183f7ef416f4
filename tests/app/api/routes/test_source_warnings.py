"""A diff or ledger over a source with no successful extraction says so, in the JSON and the
Markdown, instead of showing an empty side as if the article stated nothing."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.api.deps import get_engine
from app.api.main import app
from app.core.config import Settings
from app.services import source_warnings
from tests.app.store.test_db import assert_migrated, postgres_database
from tests.conftest import ClientFactory, load_article

# No replay fixture answers this text: its run fails as llm_unavailable.
UNRECORDED = {
    "text": "The Larkhaven library board met on Tuesday and agreed to extend opening hours.",
    "outlet": "Larkhaven Post",
}
FAILED = "article 1 has no successful extraction (run 1 failed: llm_unavailable)"


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def client(
    request: pytest.FixtureRequest, make_client: ClientFactory, settings: Settings
) -> Iterator[TestClient]:
    """The service over SQLite, or over a migrated PostgreSQL database of its own."""
    http = make_client(settings)
    if request.param == "sqlite":
        yield http
        return
    with postgres_database() as engine:
        assert_migrated(engine)
        app.dependency_overrides[get_engine] = lambda: engine
        yield http


def post(client: TestClient, body: dict[str, Any], expected: int, **params: str) -> Any:
    response = client.post("/articles", json=body, params=params)
    assert response.status_code == expected, response.text
    return response.json()


@pytest.fixture
def failed_and_good(client: TestClient) -> None:
    failed = post(client, UNRECORDED, 503)  # article 1, run 1: its publication is kept
    assert (failed["detail"]["article_id"], failed["detail"]["publication_id"]) == (1, 1)
    post(client, load_article("kenya-haiti-217"), 201)  # article 2, run 2


def diff(client: TestClient, left: str, right: str, fmt: str = "json") -> Any:
    response = client.get("/diff", params={"left": left, "right": right, "format": fmt})
    assert response.status_code == 200, response.text
    return response.json() if fmt == "json" else response.text


@pytest.mark.usefixtures("failed_and_good")
@pytest.mark.parametrize(
    ("left", "expected"),
    [
        pytest.param("article:1", [FAILED], id="article"),
        pytest.param("outlet:Larkhaven Post", [FAILED], id="outlet"),
        pytest.param("run:1", ["run 1 failed: llm_unavailable"], id="run"),
        pytest.param("article:2", [], id="a good article"),
    ],
)
def test_a_side_without_a_successful_extraction_is_named(
    client: TestClient, left: str, expected: list[str]
) -> None:
    body = diff(client, left, "article:2")

    assert body["warnings"] == expected


@pytest.mark.usefixtures("failed_and_good")
def test_the_markdown_diff_says_it_too(client: TestClient) -> None:
    text = diff(client, "article:2", "outlet:Larkhaven Post", fmt="md")

    warning = (
        "> **Warning:** article 1 has no successful extraction (run 1 failed: llm\\_unavailable)"
    )
    assert warning in text.splitlines()
    assert text.index(warning) < text.index("## Conflicts (0)")


def test_a_queued_run_and_a_missing_schema_are_named(client: TestClient) -> None:
    post(client, load_article("kenya-haiti-270"), 202, wait="false")  # no workers: stays queued
    post(client, {**load_article("kenya-haiti-217"), "schema": "quantities"}, 201)

    assert diff(client, "article:1", "article:2")["warnings"] == [
        "article 1 has no successful extraction (run 1 is queued)",
        "article 2 has no successful extraction (no news_claims run)",
    ]
    # Against its own schema article 2 is fine, and article 1 has no quantities run at all.
    response = client.get(
        "/diff", params={"left": "article:2", "right": "article:1", "schema": "quantities"}
    )
    assert response.json()["warnings"] == [
        "article 1 has no successful extraction (no quantities run)"
    ]


def test_an_outlet_lists_its_failed_articles_then_counts_the_rest(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(source_warnings, "MAX_LISTED", 2)
    for n in range(4):
        post(client, {**UNRECORDED, "text": f"{UNRECORDED['text']} Item {n}."}, 503)
    post(client, load_article("kenya-haiti-217"), 201)

    assert diff(client, "outlet:Larkhaven Post", "article:5")["warnings"] == [
        "article 1 has no successful extraction (run 1 failed: llm_unavailable)",
        "article 2 has no successful extraction (run 2 failed: llm_unavailable)",
        "… and 2 more articles from outlet 'Larkhaven Post' with no successful extraction",
    ]


@pytest.mark.usefixtures("failed_and_good")
def test_the_ledger_names_the_articles_it_cannot_show(client: TestClient) -> None:
    body = client.get("/facts").json()
    assert body["warnings"] == [FAILED]
    assert body["count"] > 0

    text = client.get("/facts", params={"format": "md"}).text
    assert (
        "> **Warning:** article 1 has no successful extraction (run 1 failed: llm\\_unavailable)"
        in text.splitlines()
    )


def test_a_ledger_over_extracted_articles_has_no_warnings(client: TestClient) -> None:
    post(client, load_article("kenya-haiti-217"), 201)

    assert client.get("/facts").json()["warnings"] == []
    assert "Warning" not in client.get("/facts", params={"format": "md"}).text


def test_one_more_is_said_in_the_singular(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(source_warnings, "MAX_LISTED", 1)
    for n in range(2):
        post(client, {**UNRECORDED, "text": f"{UNRECORDED['text']} Item {n}."}, 503)

    assert client.get("/facts").json()["warnings"] == [
        FAILED,
        "… and 1 more article with no successful extraction",
    ]


def test_an_extracted_side_with_every_claim_retracted_has_no_active_claims(
    client: TestClient,
) -> None:
    good = post(client, load_article("kenya-haiti-217"), 201)
    post(client, load_article("kenya-haiti-270"), 201)
    for claim in good["claims"]:
        params = {"actor": "desk", "reason": "test"}
        assert client.delete(f"/claims/{claim['id']}", params=params).status_code == 200

    body = diff(client, "article:1", "article:2")
    assert body["warnings"] == ["article 1 has no active claims"]
    assert diff(client, "outlet:Harbor Wire", "article:2")["warnings"] == [
        "outlet Harbor Wire has no active claims"
    ]
