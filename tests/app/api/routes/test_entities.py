"""Aliases a curator adds are kept with who added them: GET /entities/{id}/audit."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.app.api.routes.test_articles import post_sample


def kenya(client: TestClient) -> dict[str, Any]:
    found = client.get("/entities", params={"q": "kenya"}).json()["data"]
    return next(e for e in found if e["name"] == "Kenya")


def test_an_added_alias_is_audited_once_with_its_author(client: TestClient) -> None:
    post_sample(client, "kenya-haiti-270")
    entity = kenya(client)
    url = f"/entities/{entity['id']}/aliases"

    first = client.post(url, json={"alias": "  Republic of  Kenya ", "actor": "desk@example.org"})
    again = client.post(url, json={"alias": "Republic of Kenya", "actor": "night desk"})
    own_name = client.post(url, json={"alias": "kenya", "actor": "night desk"})

    assert [r.status_code for r in (first, again, own_name)] == [200, 200, 200]
    assert first.json()["aliases"].count("Republic of Kenya") == 1
    assert again.json()["aliases"] == first.json()["aliases"]
    audit = client.get(f"/entities/{entity['id']}/audit")
    assert audit.status_code == 200
    assert [(a["action"], a["alias"], a["actor"]) for a in audit.json()] == [
        ("alias_added", "Republic of Kenya", "desk@example.org")
    ]
    assert audit.json()[0]["created_at"].endswith("Z")


def test_an_alias_without_an_author_or_of_an_unknown_entity_is_refused(
    client: TestClient,
) -> None:
    post_sample(client, "kenya-haiti-270")
    entity = kenya(client)

    blank = client.post(
        f"/entities/{entity['id']}/aliases", json={"alias": "Republic of Kenya", "actor": "  "}
    )
    missing = client.get("/entities/999/audit")

    assert blank.status_code == 422
    assert blank.json()["detail"][0]["loc"] == ["body", "actor"]
    assert blank.json()["detail"][0]["msg"] == "actor is blank"
    assert (missing.status_code, missing.json()["detail"]) == (404, "entity 999 not found")
    assert client.get(f"/entities/{entity['id']}/audit").json() == []
    assert "Republic of Kenya" not in kenya(client)["aliases"]
