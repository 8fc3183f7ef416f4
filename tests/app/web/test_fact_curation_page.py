"""Curating stored facts from the ledger page: split a claim out, merge facts back."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.app.services.test_reading import load_samples


def _kenya(client: TestClient) -> list[dict[str, object]]:
    facts: list[dict[str, object]] = client.get("/facts", params={"entity": "Kenya"}).json()["data"]
    return facts


def test_a_claim_split_out_then_merged_back_from_the_ledger_page(client: TestClient) -> None:
    load_samples(client)
    conflict = _kenya(client)[0]
    assert conflict["status"] == "conflict"
    nairobi = next(s for s in conflict["sources"] if s["quantity"]["value"] == 270)  # type: ignore[index, union-attr]
    page = client.get("/pages/ledger", params={"entity": "Kenya"})
    assert f'action="/pages/facts/{conflict["id"]}/split"' in page.text

    split = client.post(
        f"/pages/facts/{conflict['id']}/split",
        data={"claim_id": nairobi["id"], "actor": "desk", "reason": "another deployment",
              "entity": "Kenya"},
    )  # fmt: skip
    assert split.status_code == 200  # the redirect, followed
    assert "The claim is a fact of its own now" in split.text
    after = _kenya(client)
    kept = next(f for f in after if f["id"] == conflict["id"])
    assert kept["status"] == "consensus"
    alone = next(f for f in after if nairobi["id"] in [s["id"] for s in f["sources"]])  # type: ignore[union-attr]
    assert alone["id"] != conflict["id"]

    merged = client.post(
        f"/pages/facts/{conflict['id']}/merge",
        data={"other_id": alone["id"], "actor": "desk", "reason": "the same deployment",
              "entity": "Kenya"},
    )  # fmt: skip
    assert "The two facts are one now" in merged.text
    again = next(f for f in _kenya(client) if f["id"] == conflict["id"])
    assert again["status"] == "conflict" and len(again["sources"]) == len(conflict["sources"])  # type: ignore[arg-type]


def test_a_refused_merge_says_why_on_the_page(client: TestClient) -> None:
    load_samples(client)
    fact = _kenya(client)[0]
    response = client.post(
        f"/pages/facts/{fact['id']}/merge",
        data={"other_id": fact["id"], "actor": "desk", "reason": "x", "entity": "Kenya"},
    )
    assert response.status_code == 422
    assert f"Not changed: fact {fact['id']} cannot be merged into itself" in response.text
