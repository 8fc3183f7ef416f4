"""Stored facts: assigned as claims are stored, read by /facts and /facts/{id}, merged and split."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, col, func, select

from app.diff.ledger import build_ledger
from app.services.diff_sources import load_claims
from app.services.facts import assign_pending
from app.store.fact_models import Fact
from app.store.models import Claim, ClaimStatus
from tests.app.api.routes.test_diff import deployment_conflict, get_diff, load_samples

CURATOR = {"actor": "desk", "reason": "checked against the ministry's statement"}


@pytest.fixture
def ids(client: TestClient) -> dict[str, int]:
    return load_samples(client)


def the_conflict(client: TestClient) -> dict[str, Any]:
    (fact,) = client.get("/facts", params={"conflicts": "true"}).json()["data"]
    return fact


def test_the_deployment_conflict_is_one_stored_fact(db: tuple[TestClient, Engine]) -> None:
    client, engine = db
    load_samples(client)
    fact = the_conflict(client)
    detail = client.get(f"/facts/{fact['id']}")
    assert detail.status_code == 200
    body = detail.json()
    assert body["fact"]["id"] == fact["id"]
    assert body["fact"]["status"] == "conflict"
    values = sorted({p["value"] for p in body["timeline"]})
    assert "217 officers" in values and "270 officers" in values
    quotes = {s["evidence"]["quote"] for s in body["fact"]["sources"]}
    assert "Kenya dispatched 217 more police officers to Haiti on Saturday" in quotes
    assert "Kenya has sent another 270 police officers to Haiti" in quotes
    assert body["audit"] == []
    with Session(engine) as session:
        members = session.exec(select(Claim.fact_id).where(Claim.fact_id == fact["id"])).all()
        unassigned = session.exec(
            select(func.count()).select_from(Claim).where(col(Claim.fact_id).is_(None))
        ).one()
    assert len(members) == len(fact["sources"])
    assert unassigned == 0
    # Reading again assigns nothing: the clusters are stored.
    assert assign_pending(engine, default_schema="news_claims") == 0


def test_stored_facts_equal_clustering_at_query_time(
    client: TestClient, ids: dict[str, int], engine: Engine
) -> None:
    client.get("/facts")  # assigns
    with Session(engine) as session:
        claims = load_claims(session, where=[col(Claim.status) == ClaimStatus.active.value])
    stored: dict[int, set[int]] = {}
    for c in claims:
        assert c.fact_id is not None
        stored.setdefault(c.fact_id, set()).add(c.id)
    on_the_fly = {frozenset(c.id for c in f.sources) for f in build_ledger(claims)}
    assert {frozenset(s) for s in stored.values()} == on_the_fly


def test_split_takes_a_claim_out_of_the_fact_and_the_diff(
    client: TestClient, ids: dict[str, int]
) -> None:
    left, right = f"article:{ids['kenya-haiti-217']}", f"article:{ids['kenya-haiti-270']}"
    fact = the_conflict(client)
    claim_270 = next(s for s in fact["sources"] if s["quantity"]["value"] == 270)

    split = client.post(f"/facts/{fact['id']}/split", json={"claim_id": claim_270["id"], **CURATOR})
    assert split.status_code == 200, split.text
    new = split.json()["fact"]
    assert new["id"] != fact["id"]
    assert [s["id"] for s in new["sources"]] == [claim_270["id"]]
    assert new["status"] == "single"
    (audit,) = split.json()["audit"]
    assert (audit["action"], audit["claim_id"], audit["fact_id"]) == (
        "split",
        claim_270["id"],
        fact["id"],
    )
    assert audit["reason"] == CURATOR["reason"]

    diff = get_diff(client, left, right)
    assert diff["summary"]["conflict"] == 0
    assert claim_270["id"] in {c["id"] for c in diff["only_right"]}
    kept = client.get(f"/facts/{fact['id']}").json()["fact"]
    assert claim_270["id"] not in {s["id"] for s in kept["sources"]}


def test_merge_brings_the_claim_back_and_is_audited(
    client: TestClient, ids: dict[str, int]
) -> None:
    left, right = f"article:{ids['kenya-haiti-217']}", f"article:{ids['kenya-haiti-270']}"
    fact = the_conflict(client)
    claim_270 = next(s for s in fact["sources"] if s["quantity"]["value"] == 270)
    new = client.post(
        f"/facts/{fact['id']}/split", json={"claim_id": claim_270["id"], **CURATOR}
    ).json()["fact"]

    merged = client.post(f"/facts/{fact['id']}/merge", json={"other_fact_id": new["id"], **CURATOR})
    assert merged.status_code == 200, merged.text
    body = merged.json()
    assert claim_270["id"] in {s["id"] for s in body["fact"]["sources"]}
    assert [a["action"] for a in body["audit"]] == ["split", "merged"]
    assert deployment_conflict(get_diff(client, left, right))["right"]["id"] == claim_270["id"]
    # The merged fact answers as the one it went into.
    assert client.get(f"/facts/{new['id']}").json()["fact"]["id"] == fact["id"]


@pytest.mark.parametrize(
    ("path", "body", "status", "detail"),
    [
        (
            "/facts/{a}/merge",
            {"other_fact_id": "{a}"},
            422,
            "fact {a} cannot be merged into itself",
        ),
        ("/facts/999/merge", {"other_fact_id": "{a}"}, 404, "fact 999 not found"),
        (
            "/facts/{a}/split",
            {"claim_id": 999},
            422,
            "claim 999 is not an active claim of fact {a}",
        ),
        ("/facts/999", None, 404, "fact 999 not found"),
    ],
)
def test_refusals(
    client: TestClient,
    ids: dict[str, int],
    path: str,
    body: dict[str, Any] | None,
    status: int,
    detail: str,
) -> None:
    a = the_conflict(client)["id"]
    url = path.format(a=a)
    if body is None:
        response = client.get(url)
    else:
        filled = {k: int(str(v).format(a=a)) for k, v in body.items()}
        response = client.post(url, json={**filled, **CURATOR})
    assert response.status_code == status
    reason = {404: "not_found", 422: "unprocessable"}[status]
    assert response.json() == {"detail": detail.format(a=a), "reason": reason}


def test_the_only_claim_cannot_be_split_out(client: TestClient, ids: dict[str, int]) -> None:
    single = next(f for f in client.get("/facts").json()["data"] if f["status"] == "single")
    response = client.post(
        f"/facts/{single['id']}/split", json={"claim_id": single["sources"][0]["id"], **CURATOR}
    )
    assert response.status_code == 409
    assert response.json() == {
        "detail": f"claim {single['sources'][0]['id']} is the only claim of fact {single['id']}",
        "reason": "conflict",
    }


def test_racing_merges_leave_one_fact(db: tuple[TestClient, Engine]) -> None:
    client, engine = db
    load_samples(client)
    fact = the_conflict(client)
    claim_270 = next(s for s in fact["sources"] if s["quantity"]["value"] == 270)
    other = client.post(
        f"/facts/{fact['id']}/split", json={"claim_id": claim_270["id"], **CURATOR}
    ).json()["fact"]["id"]
    statuses: list[int] = []
    barrier = threading.Barrier(8)

    def merge(into: int, away: int) -> None:
        barrier.wait()
        response = client.post(f"/facts/{into}/merge", json={"other_fact_id": away, **CURATOR})
        statuses.append(response.status_code)

    threads = [
        threading.Thread(target=merge, args=(fact["id"], other) if n % 2 else (other, fact["id"]))
        for n in range(8)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert statuses.count(200) == 1
    assert sorted(set(statuses)) == [200, 409]
    with Session(engine) as session:
        live = session.exec(
            select(Fact.id).where(
                col(Fact.id).in_([fact["id"], other]), col(Fact.merged_into_id).is_(None)
            )
        ).all()
    assert len(live) == 1
