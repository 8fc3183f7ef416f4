"""A curator removes an alias that does not belong: its claims are their own again, later
articles do not teach it back, and the removal is audited.

The model named the railway operator as the police's other name ("Drovenian Rail" for the
Drovenian police); learnt as an alias, it filed the operator's own claims under the police.
"""

from __future__ import annotations

from fastapi.testclient import TestClient

from app.core.config import Settings
from app.store import entities
from tests.app.services.test_generic_mentions import post, said_by
from tests.conftest import ClientFactory

CRASH = "Drovenian Rail said police had confirmed seven deaths in the Tolvenmoor derailment."
ABOARD = "Drovenian Rail said 340 passengers were aboard the derailed train."
LATER = "Drovenian Rail said police now count nine dead after the derailment."


def values(client: TestClient, entity: str) -> list[list[str]]:
    found = client.get("/facts", params={"entity": entity})
    assert found.status_code == 200, found.text
    return sorted(f["values"] for f in found.json()["data"])


def post_mistaken(client: TestClient) -> None:
    """The crash report whose model named the police "Drovenian Rail" too."""
    post(client, CRASH, said_by(
        "Drovenian police", "Drovenian Rail", "Police confirmed seven deaths.",
        "police had confirmed seven deaths", 7, "deaths",
    ), "2026-05-16T08:00:00Z")  # fmt: skip


def police(client: TestClient) -> dict[str, object]:
    (entity,) = client.get("/entities", params={"q": "drovenian police"}).json()["data"]
    return entity


def test_a_removed_alias_gives_back_its_claims_and_is_not_learnt_again(
    make_client: ClientFactory, live_settings: Settings
) -> None:
    client = make_client(live_settings)
    post_mistaken(client)
    post(client, ABOARD, said_by(
        "Drovenian Rail", None, "Drovenian Rail said 340 passengers were aboard.",
        "340 passengers were aboard", 340, "passengers",
    ), "2026-05-16T09:00:00Z")  # fmt: skip
    entity = police(client)
    assert entity["aliases"] == ["Drovenian Rail"]
    assert values(client, "Drovenian police") == [["340 passengers"], ["7 deaths"]]

    url = f"/entities/{entity['id']}/aliases"
    removed = client.delete(url, params={"alias": "Drovenian Rail", "actor": "night desk"})

    assert removed.status_code == 200, removed.text
    assert removed.json()["aliases"] == []
    assert values(client, "Drovenian police") == [["7 deaths"]]
    assert values(client, "Drovenian Rail") == [["340 passengers"]]
    audit = client.get(f"/entities/{entity['id']}/audit").json()
    assert [(a["action"], a["alias"], a["actor"]) for a in audit] == [
        ("alias_removed", "Drovenian Rail", "night desk")
    ]

    # The model makes the same mistake again, in a service started afresh (or another
    # worker), which has no entity in memory: the curator's word stands.
    entities._known_entities.clear()
    post(client, LATER, said_by(
        "Drovenian police", "Drovenian Rail", "Police count nine dead.",
        "police now count nine dead", 9, "deaths",
    ), "2026-05-18T08:00:00Z")  # fmt: skip
    assert police(client)["aliases"] == []
    assert values(client, "Drovenian Rail") == [["340 passengers"]]


def test_removing_an_alias_the_entity_does_not_have_or_without_a_name_is_refused(
    make_client: ClientFactory, live_settings: Settings
) -> None:
    client = make_client(live_settings)
    post_mistaken(client)
    entity = police(client)
    url = f"/entities/{entity['id']}/aliases"

    missing = client.delete(url, params={"alias": "Police", "actor": "desk"})
    blank = client.delete(url, params={"alias": "Drovenian Rail", "actor": "  "})
    unknown = client.delete("/entities/999/aliases", params={"alias": "x", "actor": "desk"})

    assert (missing.status_code, missing.json()["detail"]) == (
        404,
        f"entity {entity['id']} has no alias 'Police'",
    )
    assert blank.status_code == 422
    assert (blank.json()["detail"][0]["loc"], blank.json()["detail"][0]["msg"]) == (
        ["query", "actor"],
        "actor is blank",
    )
    assert (unknown.status_code, unknown.json()["detail"]) == (404, "entity 999 not found")
    assert police(client)["aliases"] == ["Drovenian Rail"]
    assert client.get(f"/entities/{entity['id']}/audit").json() == []


def test_an_alias_a_curator_added_back_is_learnt_as_before(
    make_client: ClientFactory, live_settings: Settings
) -> None:
    client = make_client(live_settings)
    post_mistaken(client)
    entity = police(client)
    url = f"/entities/{entity['id']}/aliases"
    client.delete(url, params={"alias": "Drovenian Rail", "actor": "desk"})
    client.post(url, json={"alias": "Drovenian Rail", "actor": "desk, on second thoughts"})

    audit = client.get(f"/entities/{entity['id']}/audit").json()
    assert [a["action"] for a in audit] == ["alias_removed", "alias_added"]
    assert police(client)["aliases"] == ["Drovenian Rail"]
