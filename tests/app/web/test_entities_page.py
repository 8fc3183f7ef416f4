"""The entities page: an entity's names, and forms to teach it another and remove one."""

from __future__ import annotations

import html
from typing import Any

from fastapi.testclient import TestClient

from tests.app.services.test_reading import load_samples


def kenya(client: TestClient) -> dict[str, Any]:
    found = client.get("/entities", params={"q": "kenya"}).json()["data"]
    return next(e for e in found if e["name"] == "Kenya")


def test_a_name_taught_on_the_page_is_listed_with_its_author_and_the_ledger_follows_it(
    client: TestClient,
) -> None:
    load_samples(client)
    entity = kenya(client)
    page = client.get("/pages/entities", params={"q": "kenya"})
    assert page.status_code == 200
    assert f'action="/pages/entities/{entity["id"]}/aliases"' in page.text
    assert client.get("/facts", params={"entity": "Republic of Kenya"}).json()["data"] == []
    before = client.get("/facts", params={"entity": "Kenya"}).json()["data"]

    added = client.post(
        f"/pages/entities/{entity['id']}/aliases",
        data={"alias": " Republic of  Kenya ", "actor": "desk", "q": "kenya"},
    )

    assert added.status_code == 200  # the redirect, followed
    assert "“Republic of Kenya” is an alias now." in added.text
    assert "“Republic of Kenya” added by desk, " in added.text
    assert "Republic of Kenya" in kenya(client)["aliases"]
    audit = client.get(f"/entities/{entity['id']}/audit").json()
    assert [(a["alias"], a["actor"]) for a in audit] == [("Republic of Kenya", "desk")]
    # A name no claim used changes no fact: the deployment's conflict keeps its six sources.
    facts = client.get("/facts", params={"entity": "Republic of Kenya"}).json()["data"]
    assert [(f["id"], f["status"], f["source_count"]) for f in facts] == [
        (f["id"], f["status"], f["source_count"]) for f in before
    ]
    assert (facts[0]["status"], facts[0]["source_count"]) == ("conflict", 6)


def test_a_blank_name_is_refused_at_its_form_and_nothing_is_stored(client: TestClient) -> None:
    load_samples(client)
    entity = kenya(client)

    refused = client.post(
        f"/pages/entities/{entity['id']}/aliases",
        data={"alias": "Republic of Kenya", "actor": "   ", "q": "kenya"},
    )
    missing = client.post(
        "/pages/entities/999/aliases", data={"alias": "Somewhere", "actor": "desk"}
    )

    assert refused.status_code == 422
    assert "Not added: your name is blank." in refused.text
    assert 'name="alias" maxlength="200" required value="Republic of Kenya"' in refused.text
    assert client.get(f"/entities/{entity['id']}/audit").json() == []
    assert "Republic of Kenya" not in kenya(client)["aliases"]
    assert missing.status_code == 404
    assert "entity 999 not found" in missing.text


def test_a_name_removed_on_the_page_is_gone_with_its_author_and_refusals_keep_the_form(
    client: TestClient,
) -> None:
    load_samples(client)
    entity = kenya(client)
    url = f"/pages/entities/{entity['id']}/aliases"
    client.post(url, data={"alias": "Republic of Kenya", "actor": "desk", "q": "kenya"})
    page = client.get("/pages/entities", params={"q": "kenya"})
    assert f'action="{url}/remove"' in page.text
    assert "<option>Republic of Kenya</option>" in page.text

    blank = client.post(f"{url}/remove", data={"alias": "Republic of Kenya", "actor": " "})
    removed = client.post(
        f"{url}/remove", data={"alias": "Republic of Kenya", "actor": "night desk", "q": "kenya"}
    )
    again = client.post(f"{url}/remove", data={"alias": "Republic of Kenya", "actor": "desk"})

    assert blank.status_code == 422
    assert "Not removed: your name is blank." in blank.text
    assert removed.status_code == 200  # the redirect, followed
    assert "“Republic of Kenya” is no alias any more." in removed.text
    assert "“Republic of Kenya” removed by night desk, " in removed.text
    assert "Republic of Kenya" not in kenya(client)["aliases"]
    assert again.status_code == 404
    refusal = f"Not removed: entity {entity['id']} has no alias 'Republic of Kenya'."
    assert refusal in html.unescape(again.text)
    audit = client.get(f"/entities/{entity['id']}/audit").json()
    assert [(a["action"], a["actor"]) for a in audit] == [
        ("alias_added", "desk"),
        ("alias_removed", "night desk"),
    ]
