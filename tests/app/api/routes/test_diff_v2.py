"""news_claims@v2 through the service: the canonical fields are stored, and the diff and the
fact ledger align by them."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from app.store.models import Claim, Entity
from tests.conftest import ARTICLES_DIR

STEMS = ("kenya-haiti-217", "kenya-haiti-270", "kenya-haiti-wire", "kenya-haiti-fr")


def post_v2(client: TestClient) -> dict[str, int]:
    ids = {}
    for stem in STEMS:
        body = {
            **json.loads((ARTICLES_DIR / f"{stem}.json").read_text()),
            "schema": "news_claims@v2",
        }
        response = client.post("/articles", json=body)
        assert response.status_code == 201, response.text
        run = response.json()["run"]
        assert (run["schema_name"], run["schema_version"]) == ("news_claims", "v2")
        ids[stem] = response.json()["article"]["id"]
    return ids


def test_v2_claims_are_stored_with_their_canonical_fields(
    client: TestClient, engine: Engine
) -> None:
    ids = post_v2(client)
    with Session(engine) as session:
        deployed = session.exec(
            select(Claim).where(
                Claim.article_id == ids["kenya-haiti-217"], Claim.quantity_value == 217
            )
        ).one()
        assert (deployed.fact_kind, deployed.unit_kind, deployed.aspect) == (
            "deployment",
            "persons",
            "event",
        )
        assert deployed.object_entity_id is not None
        haiti = session.get(Entity, deployed.object_entity_id)
        assert haiti is not None and (haiti.name, haiti.type) == ("Haiti", "country")
        assert "object_entity" not in deployed.extra and "fact_kind" not in deployed.extra
        # A claim without an object entity stores none.
        statement = session.exec(
            select(Claim).where(
                Claim.article_id == ids["kenya-haiti-217"], Claim.predicate == "said"
            )
        ).one()
        assert (statement.fact_kind, statement.object_entity_id, statement.aspect) == (
            "other",
            None,
            None,
        )
        assert session.exec(select(Claim).where(col(Claim.fact_kind).is_(None))).all() == []


def test_v2_diff_finds_the_conflict_with_both_quotes_and_the_totals_as_updates(
    client: TestClient,
) -> None:
    ids = post_v2(client)
    response = client.get(
        "/diff",
        params={
            "left": f"article:{ids['kenya-haiti-217']}",
            "right": f"article:{ids['kenya-haiti-270']}",
        },
    )
    assert response.status_code == 200, response.text
    diff = response.json()
    (conflict,) = [p for p in diff["pairs"] if p["relation"] == "conflict"]
    assert conflict["left"]["evidence"]["quote"] == (
        "Kenya dispatched 217 more police officers to Haiti on Saturday"
    )
    assert conflict["right"]["evidence"]["quote"] == (
        "Kenya has sent another 270 police officers to Haiti"
    )
    assert conflict["explanation"].startswith("figure decides: 217 officers vs 270 officers")
    (update,) = [p for p in diff["pairs"] if p["relation"] == "updates"]
    values = (update["left"]["quantity"]["value"], update["right"]["quantity"]["value"])
    assert values == (600, 400)
    assert update["explanation"].startswith(
        "as-of time decides: as of 2025-01-18 vs as of 2024-06: left is the later value"
    )

    facts = client.get("/facts", params={"conflicts": "true"}).json()
    (fact,) = facts["data"]
    assert {(s["outlet"], s["quantity"]["value"]) for s in fact["sources"]} == {
        ("Harbor Wire", 217),
        ("Nairobi Ledger", 270),
        ("Meridian Newswire", 200),
        ("Le Courrier de l’Artibonite", 217),
    }
