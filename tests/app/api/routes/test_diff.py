"""GET /diff and GET /facts over the sample articles, with curation and the CLI."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
import respx
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from app.cli.main import app as cli
from app.core.config import Settings
from tests.conftest import ARTICLES_DIR, LIVE_BASE_URL, ClientFactory
from tests.llm_stub import claim, ok, tool_completion


def load_samples(client: TestClient) -> dict[str, int]:
    ids = {}
    for path in sorted(ARTICLES_DIR.glob("*.json")):
        response = client.post("/articles", json=json.loads(path.read_text()))
        assert response.status_code == 201, response.text
        ids[path.stem] = response.json()["article"]["id"]
    return ids


@pytest.fixture
def ids(client: TestClient) -> dict[str, int]:
    return load_samples(client)


def get_diff(client: TestClient, left: str, right: str, **params: str) -> Any:
    response = client.get("/diff", params={"left": left, "right": right, **params})
    assert response.status_code == 200, response.text
    return response.json() if params.get("format") != "md" else response.text


def deployment_conflict(diff: dict[str, Any]) -> dict[str, Any]:
    (pair,) = [p for p in diff["pairs"] if p["relation"] == "conflict"]
    return pair


def test_the_two_reports_conflict_on_the_deployment_size(
    client: TestClient, ids: dict[str, int]
) -> None:
    diff = get_diff(
        client, f"article:{ids['kenya-haiti-217']}", f"article:{ids['kenya-haiti-270']}"
    )

    pair = deployment_conflict(diff)
    left, right = pair["left"], pair["right"]
    assert (left["quantity"]["value"], right["quantity"]["value"]) == (217, 270)
    assert (left["evidence"]["char_start"], left["evidence"]["char_end"]) == (17, 79)
    assert (
        left["evidence"]["quote"]
        == "Kenya dispatched 217 more police officers to Haiti on Saturday"
    )
    assert (right["evidence"]["char_start"], right["evidence"]["char_end"]) == (18, 69)
    assert right["evidence"]["quote"] == "Kenya has sent another 270 police officers to Haiti"
    assert pair["explanation"].startswith(
        "figure decides: 217 officers vs 270 officers; date: on Saturday (2025-01-18)"
    )
    assert (left["outlet"], right["outlet"]) == ("Harbor Wire", "Nairobi Ledger")
    assert diff["summary"]["conflict"] == 1
    assert diff["summary"]["only_left"] == len(diff["only_left"])


def test_diff_is_mirrored_when_sides_swap(client: TestClient, ids: dict[str, int]) -> None:
    a, b = f"article:{ids['kenya-haiti-217']}", f"article:{ids['kenya-haiti-wire']}"
    forward, backward = get_diff(client, a, b), get_diff(client, b, a)

    assert forward["summary"]["agree"] >= 3
    flip = {"only_left": "only_right", "only_right": "only_left"}
    assert {flip.get(k, k): v for k, v in forward["summary"].items()} == backward["summary"]
    pairs = {(p["left"]["id"], p["right"]["id"], p["relation"]) for p in forward["pairs"]}
    assert pairs == {(p["right"]["id"], p["left"]["id"], p["relation"]) for p in backward["pairs"]}


def test_unrelated_story_aligns_with_nothing(client: TestClient, ids: dict[str, int]) -> None:
    diff = get_diff(
        client, f"article:{ids['kenya-haiti-217']}", f"article:{ids['unrelated-city-budget']}"
    )
    assert diff["pairs"] == []
    assert diff["summary"]["only_right"] == 8


def test_markdown_rendering_shows_both_quotes(client: TestClient, ids: dict[str, int]) -> None:
    left, right = f"article:{ids['kenya-haiti-217']}", f"article:{ids['kenya-haiti-270']}"
    response = client.get("/diff", params={"left": left, "right": right, "format": "md"})

    assert response.headers["content-type"] == "text/markdown; charset=utf-8"
    text = response.text
    assert text.startswith(f"# Claim diff: {left.replace(':', ' ')} vs {right.replace(':', ' ')}")
    assert "## Conflicts (1)" in text
    assert "“Kenya dispatched 217 more police officers to Haiti on Saturday”" in text
    assert "“Kenya has sent another 270 police officers to Haiti”" in text


def test_outlet_against_outlet(client: TestClient, ids: dict[str, int]) -> None:
    diff = get_diff(client, "outlet:Harbor Wire", "outlet:Nairobi Ledger")
    pair = deployment_conflict(diff)
    assert (pair["left"]["quantity"]["value"], pair["right"]["quantity"]["value"]) == (217, 270)


def test_ledger_lists_the_conflict_with_every_source(
    client: TestClient, ids: dict[str, int]
) -> None:
    response = client.get("/facts", params={"conflicts": "true"})
    assert response.status_code == 200
    (fact,) = response.json()["data"]
    assert fact["status"] == "conflict"
    values = {s["quantity"]["value"] for s in fact["sources"]}
    assert {217, 270} <= values
    outlets = {s["outlet"] for s in fact["sources"]}
    assert {"Harbor Wire", "Nairobi Ledger", "Le Courrier de l’Artibonite"} <= outlets

    kenya = client.get("/facts", params={"entity": "Kenya"}).json()["data"]
    assert any(f["status"] == "consensus" for f in kenya)
    # A fact is the entity's when Kenya is a claim's subject or (news_claims@v2) its object
    # entity. The note injected into the ministry's release is a fact of its own, not Kenya's.
    assert {f["subject"] for f in kenya} == {"kenya"}
    everything = client.get("/facts", params={"limit": 200}).json()["data"]
    [note] = [f for f in everything if f["subject"].startswith("text appended")]
    assert (note["status"], len(note["sources"])) == ("single", 1)
    markdown = client.get("/facts", params={"conflicts": "true", "format": "md"}).text
    assert markdown.startswith("# Fact ledger")
    assert "| Nairobi Ledger | 270 officers |" in markdown


def test_curation_changes_what_the_diff_shows(client: TestClient, ids: dict[str, int]) -> None:
    left, right = f"article:{ids['kenya-haiti-217']}", f"article:{ids['kenya-haiti-270']}"
    conflict = deployment_conflict(get_diff(client, left, right))

    corrected = client.patch(
        f"/claims/{conflict['left']['id']}",
        json={"modality": "reported", "attribution": "Reuters", "actor": "desk", "reason": "wire"},
    )
    assert corrected.status_code == 200
    assert corrected.json()["supersedes_id"] == conflict["left"]["id"]
    after = deployment_conflict(get_diff(client, left, right))
    assert after["left"]["id"] == corrected.json()["id"]
    assert "left: reported by Reuters" in after["explanation"]

    retracted = client.delete(
        f"/claims/{conflict['right']['id']}", params={"actor": "desk", "reason": "misquoted"}
    )
    assert retracted.status_code == 200 and retracted.json()["status"] == "retracted"
    final = get_diff(client, left, right)
    assert final["summary"]["conflict"] == 0
    assert corrected.json()["id"] in {c["id"] for c in final["only_left"]}
    assert client.get("/facts", params={"conflicts": "true"}).json()["count"] == 0
    audit = client.get(f"/claims/{corrected.json()['id']}/audit").json()
    assert [(a["action"], a["actor"], a["reason"]) for a in audit] == [
        ("corrected", "desk", "wire")
    ]


def test_news_claims_v1_still_extracts_and_diffs_end_to_end(client: TestClient) -> None:
    """Asked for by name, v1 runs, stores its claims (no canonical fields) and diffs by words."""
    ids = {}
    for stem in ("kenya-haiti-217", "kenya-haiti-270"):
        body = {
            **json.loads((ARTICLES_DIR / f"{stem}.json").read_text()),
            "schema": "news_claims@v1",
        }
        response = client.post("/articles", json=body)
        assert response.status_code == 201, response.text
        run, claims = response.json()["run"], response.json()["claims"]
        assert (run["schema_version"], run["status"]) == ("v1", "succeeded")
        assert claims and {c["fact_kind"] for c in claims} == {None}
        ids[stem] = response.json()["article"]["id"]

    diff = get_diff(
        client, f"article:{ids['kenya-haiti-217']}", f"article:{ids['kenya-haiti-270']}"
    )

    pair = deployment_conflict(diff)
    assert (pair["left"]["quantity"]["value"], pair["right"]["quantity"]["value"]) == (217, 270)
    assert pair["left"]["evidence"]["quote"] == (
        "Kenya dispatched 217 more police officers to Haiti on Saturday"
    )
    assert (
        pair["right"]["evidence"]["quote"] == "Kenya has sent another 270 police officers to Haiti"
    )
    ledger = client.get("/facts", params={"conflicts": "true"}).json()
    assert ledger["count"] == 1
    assert {s["quantity"]["value"] for s in ledger["data"][0]["sources"]} == {217, 270}


def test_a_correction_keeps_the_canonical_fact_fields(
    client: TestClient, ids: dict[str, int]
) -> None:
    left, right = f"article:{ids['kenya-haiti-217']}", f"article:{ids['kenya-haiti-270']}"
    original = client.get(
        f"/claims/{deployment_conflict(get_diff(client, left, right))['left']['id']}"
    ).json()

    quantity = {"value": 217, "unit": "police officers", "qualifier": "exact"}
    response = client.patch(
        f"/claims/{original['id']}",
        json={"quantity": quantity, "actor": "desk", "reason": "unit as printed"},
    )

    assert response.status_code == 200, response.text
    corrected = response.json()
    assert corrected["quantity"] == quantity
    assert corrected["fact_kind"] == original["fact_kind"] == "deployment"
    assert corrected["object_entity"] == original["object_entity"]
    assert corrected["object_entity"]["name"] == "Haiti"
    assert (corrected["unit_kind"], corrected["aspect"]) == ("persons", "event")
    # The corrected claim still meets the other report of the deployment in the diff.
    after = deployment_conflict(get_diff(client, left, right))
    assert (after["left"]["id"], after["right"]["quantity"]["value"]) == (corrected["id"], 270)

    # Without a figure, a claim has no unit kind or aspect; its fact kind stays.
    figureless = client.patch(
        f"/claims/{corrected['id']}", json={"quantity": None, "actor": "desk", "reason": "r"}
    ).json()
    assert (figureless["fact_kind"], figureless["unit_kind"], figureless["aspect"]) == (
        "deployment",
        None,
        None,
    )


@respx.mock
def test_run_against_run_shows_added_and_changed_claims(
    make_client: ClientFactory, live_settings: Settings
) -> None:
    text = (
        "Kenya sent 217 officers to Haiti on Saturday. The US pledged over $300 million. "
        "Gang violence has displaced over one million people."
    )
    officers = claim("Kenya sent 217 officers to Haiti.", "Kenya sent 217 officers", value=217)
    pledge = claim(
        "The United States pledged over $300 million to the mission.",
        "The US pledged over $300 million",
        value=300_000_000,
        unit="USD",
        qualifier="over",
        subject="United States",
    )

    exact_pledge = {**pledge, "quantity": {**pledge["quantity"], "qualifier": "exact"}}
    displaced = claim(
        "Gang violence in Haiti has displaced over one million people.",
        "displaced over one million people",
        value=1_000_000,
        unit="people",
        qualifier="over",
        subject="gang violence in Haiti",
    )

    def by_model(request: httpx.Request) -> httpx.Response:
        model = json.loads(request.content)["model"]
        # model-b reads the pledge as exact (a change) and finds the displaced (an addition).
        answer = [officers, pledge] if model == "model-a" else [officers, exact_pledge, displaced]
        return ok(tool_completion(answer))

    respx.post(f"{LIVE_BASE_URL}/chat/completions").mock(side_effect=by_model)
    runs = {}
    for model in ("model-a", "model-b"):
        settings = live_settings.model_copy(update={"llm_model": model})
        response = make_client(settings).post("/articles", json={"text": text})
        assert response.status_code == 201
        runs[model] = response.json()["run"]["id"]

    http = make_client(live_settings)
    diff = get_diff(http, f"run:{runs['model-a']}", f"run:{runs['model-b']}")
    # "over $300 million" excludes exactly $300 million: the reading changed, a conflict.
    assert diff["summary"] == {
        "agree": 1,
        "conflict": 1,
        "refines": 0,
        "updates": 0,
        "only_left": 0,
        "only_right": 1,
    }
    (changed,) = [p for p in diff["pairs"] if p["relation"] == "conflict"]
    assert changed["left"]["quantity"]["qualifier"] == "over"
    assert changed["right"]["quantity"]["qualifier"] == "exact"
    assert diff["only_right"][0]["quantity"]["value"] == 1_000_000


@pytest.mark.parametrize(
    ("params", "status", "message"),
    [
        ({"left": "article:1", "right": "nonsense"}, 400, "use article:ID, run:ID or outlet:NAME"),
        ({"left": "article:abc", "right": "article:1"}, 400, "article ids are positive integers"),
        ({"left": "article:999", "right": "article:1"}, 404, "article 999 not found"),
        ({"left": "run:999", "right": "article:1"}, 404, "run 999 not found"),
        ({"left": "outlet:Nobody", "right": "article:1"}, 404, "no article from outlet 'Nobody'"),
        ({"left": "article:1"}, 422, "Field required"),
    ],
)
def test_bad_diff_requests(
    client: TestClient, ids: dict[str, int], params: dict[str, str], status: int, message: str
) -> None:
    response = client.get("/diff", params=params)
    assert response.status_code == status
    assert message in json.dumps(response.json())


def test_facts_rejects_dates_out_of_order(client: TestClient) -> None:
    response = client.get("/facts", params={"date_from": "2025-02-01", "date_to": "2025-01-01"})
    assert (response.status_code, response.json()) == (
        400,
        {"detail": "date_to is before date_from", "reason": "bad_request"},
    )


def test_cli_prints_the_markdown_diff(
    client: TestClient, ids: dict[str, int], live_server: str
) -> None:
    left, right = f"article:{ids['kenya-haiti-217']}", f"article:{ids['kenya-haiti-270']}"
    result = CliRunner().invoke(cli, ["diff", left, right, "--server", live_server])

    assert result.exit_code == 0, result.output
    assert "## Conflicts (1)" in result.output
    assert "“Kenya has sent another 270 police officers to Haiti”" in result.output

    missing = CliRunner().invoke(cli, ["diff", "article:999", right, "--server", live_server])
    assert missing.exit_code == 1
    assert "404: article 999 not found" in missing.output


def test_an_alias_folds_another_entity_into_the_ledger(
    client: TestClient, ids: dict[str, int]
) -> None:
    entities = client.get("/entities", params={"q": "kenya"}).json()["data"]
    kenya = next(e for e in entities if e["name"] == "Kenya" and e["type"] == "country")
    assert kenya["aliases"] == ["Nairobi"]
    ministry_facts = client.get("/facts", params={"entity": "Kenyan Interior Ministry"}).json()
    assert ministry_facts["count"] >= 1

    added = client.post(
        f"/entities/{kenya['id']}/aliases",
        json={"alias": "Kenyan Interior Ministry", "actor": "desk"},
    )
    assert added.status_code == 200
    assert added.json()["aliases"] == ["Nairobi", "Kenyan Interior Ministry"]
    folded = client.get("/facts", params={"entity": "Kenyan Interior Ministry"}).json()
    # The ministry's facts are Kenya's now, as the facts whose object is Kenya already were.
    assert "kenyan interior ministry" not in {f["subject"] for f in folded["data"]}
    assert {f["subject"] for f in folded["data"]} == {"kenya"}
    assert (
        client.post("/entities/999/aliases", json={"alias": "x", "actor": "y"}).status_code == 404
    )
