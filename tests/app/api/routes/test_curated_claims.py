"""Claims a curator adds or corrects by hand with news_claims@v2's canonical fields: they pair
with the extracted v2 claims in the diff and join their facts; bad fields are refused whole."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, func, select

from app.core.config import Settings
from app.store.models import Claim, ClaimAudit
from tests.app.api.routes.test_diff import get_diff, load_samples
from tests.conftest import ClientFactory

CURATOR = {"actor": "desk@example.org", "reason": "the model's claim was retracted"}
# What Nairobi Ledger reports of the departure, as a curator types it (article kenya-haiti-270).
DEPARTURE: dict[str, Any] = {
    "statement": "Kenya's 270 police officers left Jomo Kenyatta International Airport for "
    "Haiti on Friday night.",
    "claim_type": "event",
    "fact_kind": "deployment",
    "subject": {"name": "Kenya", "type": "country"},
    "predicate": "deployed",
    "object": "police officers to Haiti",
    "object_entity": {"name": "Haiti", "type": "country"},
    "quantity": {
        "value": 270,
        "unit": "officers",
        "qualifier": "exact",
        "unit_kind": "persons",
        "aspect": "event",
    },
    "time": {"text": "on Friday night", "start": "2025-01-17", "end": "2025-01-17"},
    "attribution": "Kenyan officials",
    "modality": "reported",
    "evidence": "The 270 officers departed on Friday night from Jomo Kenyatta International "
    "Airport",
    **CURATOR,
}
# The same claim with news_claims@v1's fields only, as the endpoint took it before.
DEPARTURE_V1 = {
    **{k: v for k, v in DEPARTURE.items() if k not in ("fact_kind", "object_entity")},
    "quantity": {"value": 270, "unit": "officers", "qualifier": "exact"},
}
FACT_KINDS = (
    "'deployment', 'pledge', 'funding', 'displacement', 'casualties', 'infections', "
    "'control_of_territory', 'arrest', 'legal_outcome', 'vote_share', 'turnout', 'price', "
    "'economic_indicator', 'participation', 'damage' or 'other'"
)


def seed_story(client: TestClient) -> tuple[dict[str, int], int]:
    """The samples, with the model's 270 claim of Nairobi Ledger retracted: the hand-added
    claim is then that article's only report of the deployment. Returns the 217 claim's id."""
    ids = load_samples(client)
    left, right = f"article:{ids['kenya-haiti-217']}", f"article:{ids['kenya-haiti-270']}"
    (pair,) = [p for p in get_diff(client, left, right)["pairs"] if p["relation"] == "conflict"]
    retracted = client.delete(f"/claims/{pair['right']['id']}", params=CURATOR)
    assert retracted.status_code == 200, retracted.text
    assert get_diff(client, left, right)["summary"]["conflict"] == 0
    return ids, pair["left"]["id"]


def stored_counts(engine: Engine) -> tuple[int, int]:
    with Session(engine) as session:
        claims = session.exec(select(func.count()).select_from(Claim)).one()
        audits = session.exec(select(func.count()).select_from(ClaimAudit)).one()
    return claims, audits


@pytest.mark.parametrize("default_schema", ["news_claims", "news_claims@v2"])
def test_a_hand_added_v2_claim_conflicts_with_the_217_report_and_joins_its_fact(
    make_client: ClientFactory, settings: Settings, default_schema: str
) -> None:
    client = make_client(settings.model_copy(update={"default_schema": default_schema}))
    ids, claim_217 = seed_story(client)

    response = client.post(f"/articles/{ids['kenya-haiti-270']}/claims", json=DEPARTURE)

    assert response.status_code == 201, response.text
    added = response.json()
    assert (added["origin"], added["run_id"], added["fact_kind"]) == (
        "curated",
        None,
        "deployment",
    )
    assert (added["object_entity"]["name"], added["unit_kind"], added["aspect"]) == (
        "Haiti",
        "persons",
        "event",
    )
    assert added["quantity"] == {"value": 270, "unit": "officers", "qualifier": "exact"}
    # A reader opens the article first: its page assigns the new claim to a fact, under the
    # default schema as configured (a name@version here must not make a fact of its own).
    assert client.get(f"/pages/articles/{ids['kenya-haiti-270']}").status_code == 200

    diff = get_diff(
        client, f"article:{ids['kenya-haiti-217']}", f"article:{ids['kenya-haiti-270']}"
    )
    (conflict,) = [p for p in diff["pairs"] if p["relation"] == "conflict"]
    assert (conflict["left"]["id"], conflict["right"]["id"]) == (claim_217, added["id"])
    assert conflict["explanation"].startswith("figure decides: 217 officers vs 270 officers")
    assert conflict["right"]["evidence"]["quote"] == DEPARTURE["evidence"]

    (fact,) = client.get("/facts", params={"conflicts": "true"}).json()["data"]
    sources = {s["id"]: s["quantity"]["value"] for s in fact["sources"]}
    assert (sources[claim_217], sources[added["id"]]) == (217, 270)
    assert fact["status"] == "conflict"
    assert {"Harbor Wire", "Nairobi Ledger"} <= set(fact["outlets"])


def test_a_hand_added_claim_without_canonical_fields_stays_a_v1_claim(
    client: TestClient,
) -> None:
    ids, _ = seed_story(client)

    response = client.post(f"/articles/{ids['kenya-haiti-270']}/claims", json=DEPARTURE_V1)

    assert response.status_code == 201, response.text
    added = response.json()
    assert (added["fact_kind"], added["object_entity"], added["unit_kind"]) == (None, None, None)
    diff = get_diff(
        client, f"article:{ids['kenya-haiti-217']}", f"article:{ids['kenya-haiti-270']}"
    )
    assert diff["summary"]["conflict"] == 0
    assert added["id"] in {c["id"] for c in diff["only_right"]}


@pytest.mark.parametrize(
    ("body", "loc", "message", "type_"),
    [
        (
            {**DEPARTURE, "fact_kind": "troops"},
            ["body", "fact_kind"],
            f"Input should be {FACT_KINDS}",
            "enum",
        ),
        (
            {**DEPARTURE, "quantity": {**DEPARTURE["quantity"], "unit_kind": "people"}},
            ["body", "quantity", "unit_kind"],
            "Input should be 'persons', 'currency', 'percent', 'area', 'duration', 'count' or "
            "'other'",
            "enum",
        ),
        (
            {**DEPARTURE, "quantity": {"value": 270, "unit": "officers", "aspect": "event"}},
            ["body", "quantity", "unit_kind"],
            "Field required",
            "missing",
        ),
        (
            {**DEPARTURE, "quantity": {"value": 270, "unit": "officers",
                                       "unit_kind": "currency", "aspect": "event"}},
            ["body", "quantity"],
            "a currency amount's unit must be an ISO 4217 code such as USD, not 'officers'",
            "value_error",
        ),
        # A canonical field without a fact kind is a v2 claim missing its kind.
        (
            {k: v for k, v in DEPARTURE.items() if k != "fact_kind"},
            ["body", "fact_kind"],
            "Field required",
            "missing",
        ),
    ],
    ids=["fact_kind", "unit_kind", "figure-without-unit_kind", "currency", "no-fact_kind"],
)  # fmt: skip
def test_bad_canonical_fields_are_refused_and_nothing_is_stored(
    client: TestClient,
    engine: Engine,
    body: dict[str, Any],
    loc: list[str],
    message: str,
    type_: str,
) -> None:
    ids = load_samples(client)
    before = stored_counts(engine)

    response = client.post(f"/articles/{ids['kenya-haiti-270']}/claims", json=body)

    assert response.status_code == 422, response.text
    assert response.json() == {
        "detail": [{"loc": loc, "msg": message, "type": type_}],
        "reason": "invalid_request",
    }
    assert stored_counts(engine) == before


def test_a_correction_gives_a_v1_claim_its_canonical_fields(client: TestClient) -> None:
    ids, claim_217 = seed_story(client)
    v1 = client.post(f"/articles/{ids['kenya-haiti-270']}/claims", json=DEPARTURE_V1).json()

    canonical = {k: DEPARTURE[k] for k in ("fact_kind", "object_entity", "quantity")}
    response = client.patch(f"/claims/{v1['id']}", json={**canonical, **CURATOR})

    assert response.status_code == 200, response.text
    corrected = response.json()
    assert corrected["supersedes_id"] == v1["id"]
    assert (corrected["fact_kind"], corrected["unit_kind"], corrected["aspect"]) == (
        "deployment",
        "persons",
        "event",
    )
    diff = get_diff(
        client, f"article:{ids['kenya-haiti-217']}", f"article:{ids['kenya-haiti-270']}"
    )
    (conflict,) = [p for p in diff["pairs"] if p["relation"] == "conflict"]
    assert (conflict["left"]["id"], conflict["right"]["id"]) == (claim_217, corrected["id"])


def test_a_correction_changes_a_fact_kind_and_keeps_what_it_does_not_name(
    client: TestClient,
) -> None:
    ids = load_samples(client)
    added = client.post(f"/articles/{ids['kenya-haiti-270']}/claims", json=DEPARTURE).json()

    # A new figure without a unit kind or aspect keeps the claim's own.
    response = client.patch(
        f"/claims/{added['id']}",
        json={"fact_kind": "participation", "quantity": {"value": 270, "unit": "police"},
              **CURATOR},
    )  # fmt: skip

    assert response.status_code == 200, response.text
    corrected = response.json()
    assert (corrected["fact_kind"], corrected["quantity"]["unit"]) == ("participation", "police")
    assert (corrected["unit_kind"], corrected["aspect"]) == ("persons", "event")
    assert corrected["object_entity"]["name"] == "Haiti"


def test_bad_corrections_are_refused_and_nothing_is_stored(
    client: TestClient, engine: Engine
) -> None:
    ids = load_samples(client)
    article = ids["kenya-haiti-270"]
    figureless = {**DEPARTURE, "quantity": None, "statement": "Kenyan officers left for Haiti."}
    figureless["evidence"] = "bound for Port-au-Prince"
    added = client.post(f"/articles/{article}/claims", json=figureless)
    assert added.status_code == 201, added.text
    before = stored_counts(engine)

    bad_kind = client.patch(f"/claims/{added.json()['id']}", json={"fact_kind": "x", **CURATOR})
    assert bad_kind.status_code == 422
    assert bad_kind.json()["detail"] == [
        {"loc": ["body", "fact_kind"], "msg": f"Input should be {FACT_KINDS}", "type": "enum"}
    ]
    # A figure given to a v2 claim that had none must say what it counts.
    no_kind = client.patch(
        f"/claims/{added.json()['id']}",
        json={"quantity": {"value": 270, "unit": "officers"}, **CURATOR},
    )
    assert no_kind.status_code == 422
    assert no_kind.json() == {
        "detail": "the corrected claim is not valid: quantity.unit_kind: Field required; "
        "quantity.aspect: Field required",
        "reason": "unprocessable",
    }
    assert stored_counts(engine) == before
    assert client.get(f"/claims/{added.json()['id']}").json()["status"] == "active"


def test_the_openapi_page_shows_the_canonical_fields_of_a_hand_added_claim(
    client: TestClient,
) -> None:
    document = client.get("/openapi.json").json()
    body = document["paths"]["/articles/{article_id}/claims"]["post"]["requestBody"]
    ref = body["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    schemas = document["components"]["schemas"]
    (example,) = schemas[ref]["examples"]

    assert (example["fact_kind"], example["object_entity"]) == (
        "deployment",
        {"name": "Haiti", "type": "country"},
    )
    assert (example["quantity"]["unit_kind"], example["quantity"]["aspect"]) == (
        "persons",
        "event",
    )
    kinds = schemas[schemas[ref]["properties"]["fact_kind"]["anyOf"][0]["$ref"].rsplit("/", 1)[-1]]
    assert "deployment" in kinds["enum"] and "other" in kinds["enum"]
    assert schemas[ref]["required"] == [
        "statement", "claim_type", "subject", "predicate", "evidence", "actor", "reason"
    ]  # fmt: skip
