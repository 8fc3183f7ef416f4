"""Health, the schema catalogue, and the OpenAPI document."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from app.api.models import ArticleCreate
from app.core.config import AdjudicatorKind, Settings
from schemas import get_schema
from tests.conftest import LIVE_BASE_URL, ClientFactory

DOCUMENTED_PATHS = [
    "/articles",
    "/articles/{article_id}",
    "/articles/{article_id}/claims",
    "/claims",
    "/runs/{run_id}",
    "/healthz",
]


def test_healthz_in_replay_mode(client: TestClient, settings: Settings) -> None:
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "database": "ok",
        "llm_mode": "replay",
        "llm_endpoint": settings.llm_endpoint,
        "model": "gpt-4.1-mini",
    }
    assert response.json()["llm_endpoint"].startswith("replay:")


def test_healthz_in_live_mode_shows_the_endpoint_not_the_key(
    make_client: ClientFactory, live_settings: Settings
) -> None:
    response = make_client(live_settings).get("/healthz")

    assert response.status_code == 200
    health = response.json()
    assert health["llm_mode"] == "live"
    assert health["llm_endpoint"] == LIVE_BASE_URL
    assert "sk-test" not in response.text
    assert "adjudicator_model" not in health  # FACTDIFF_ADJUDICATOR=off


def test_healthz_names_an_adjudicator_of_its_own_without_its_key(
    make_client: ClientFactory, live_settings: Settings
) -> None:
    settings = live_settings.model_copy(
        update={
            "adjudicator": AdjudicatorKind.llm,
            "adjudicator_base_url": "http://judge:secret@judge.test/v1",
            "adjudicator_api_key": SecretStr("sk-judge"),
            "adjudicator_model": "judge-7b",
        }
    )
    with make_client(settings) as client:
        health = client.get("/healthz").json()

    assert (health["llm_endpoint"], health["model"]) == (LIVE_BASE_URL, "gpt-4.1-mini")
    assert (health["adjudicator_endpoint"], health["adjudicator_model"]) == (
        "http://judge.test/v1",
        "judge-7b",
    )
    assert "sk-judge" not in str(health) and "secret" not in str(health)


def schemas_by_ref(client: TestClient) -> dict[str, dict[str, Any]]:
    response = client.get("/schemas")
    assert response.status_code == 200
    return {s["ref"]: s for s in response.json()}


def test_schemas_lists_both_schemas(client: TestClient) -> None:
    catalogue = schemas_by_ref(client)

    assert {"news_claims@v1", "quantities@v1"} <= set(catalogue)
    news, quantities = catalogue["news_claims@v1"], catalogue["quantities@v1"]
    assert (news["name"], news["version"], news["prompt"]) == (
        "news_claims",
        "v1",
        "extract_claims/v1",
    )
    assert (quantities["name"], quantities["version"], quantities["prompt"]) == (
        "quantities",
        "v1",
        "extract_quantities/v1",
    )


@pytest.mark.parametrize("ref", ["news_claims@v1", "quantities@v1"])
def test_schema_entries_carry_their_json_schema(client: TestClient, ref: str) -> None:
    entry = schemas_by_ref(client)[ref]

    assert entry["description"]
    assert "claims" in entry["json_schema"]["properties"]
    assert entry["json_schema"] == get_schema(ref).response_model.model_json_schema()


def openapi(client: TestClient) -> dict[str, Any]:
    response = client.get("/openapi.json")
    assert response.status_code == 200
    document: dict[str, Any] = response.json()
    return document


@pytest.mark.parametrize("path", DOCUMENTED_PATHS)
def test_openapi_documents_every_path(client: TestClient, path: str) -> None:
    operations = openapi(client)["paths"][path]

    assert operations
    for method, operation in operations.items():
        assert operation.get("summary"), f"{method.upper()} {path} has no summary"
        assert operation.get("description"), f"{method.upper()} {path} has no description"


def test_openapi_post_articles_body_has_an_example(client: TestClient) -> None:
    document = openapi(client)
    body = document["paths"]["/articles"]["post"]["requestBody"]
    ref = body["content"]["application/json"]["schema"]["$ref"]
    schema = document["components"]["schemas"][ref.rsplit("/", 1)[-1]]

    [example] = schema["examples"]

    assert body["required"] is True
    assert example["text"]
    # The example is a valid request naming a schema that exists.
    assert ArticleCreate.model_validate(example).schema_ref == example["schema"]
    assert get_schema(example["schema"]).name == "news_claims"


def test_openapi_documents_the_error_statuses_of_post_articles(client: TestClient) -> None:
    responses = openapi(client)["paths"]["/articles"]["post"]["responses"]

    assert {"201", "202", "400", "413", "422", "502", "503"} <= set(responses)
