"""factdiff export: every stored claim, as JSONL or CSV, from a live service."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.cli import export
from app.cli.export import CSV_COLUMNS, ExportError, export_claims
from tests.app.cli.test_submit import engine_fixture  # noqa: F401  (its file database)
from tests.conftest import load_article

PUBLISHED = {"outlet", "outlets", "title", "url", "published_at", "publications"}
TRICKY = 'Kenya sent "217" officers, says the desk;\nsecond line, with a comma'


def all_claims(client: TestClient, **params: Any) -> list[dict[str, Any]]:
    """GET /claims page by page, small pages: the reference the export must match."""
    claims: list[dict[str, Any]] = []
    cursor = None
    while True:
        query = {**params, "limit": 5, **({"cursor": cursor} if cursor else {})}
        page = client.get("/claims", params=query).json()
        claims += page["data"]
        if not (cursor := page["next_cursor"]):
            return claims


@pytest.fixture
def loaded(client: TestClient) -> dict[str, int]:
    ids = {}
    for stem in ("docs-example", "kenya-haiti-217", "kenya-haiti-270"):
        response = client.post("/articles", json=load_article(stem))
        assert response.status_code == 201, response.text
        ids[stem] = response.json()["article"]["id"]
    curated = client.post(
        f"/articles/{ids['docs-example']}/claims",
        json={
            "statement": TRICKY,
            "claim_type": "event",
            "subject": {"name": "Kenya", "type": "country"},
            "predicate": "sent",
            "evidence": "Kenya sent a further 217 police officers to Haiti",
            "actor": "desk",
            "reason": "test",
        },
    )
    assert curated.status_code == 201, curated.text
    return ids


@pytest.fixture
def small_pages(monkeypatch: pytest.MonkeyPatch) -> None:
    # A handful of claims still crosses several pages, so the cursor is followed.
    monkeypatch.setattr(export, "PAGE_SIZE", 7)


@pytest.mark.usefixtures("small_pages")
def test_jsonl_has_every_claim_once(
    client: TestClient, loaded: dict[str, int], live_server: str
) -> None:
    out = io.StringIO()

    count = export_claims(live_server, "key", out, "jsonl", {})

    expected = all_claims(client)
    assert count == len(expected) > 7 * 2
    exported = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [{k: v for k, v in c.items() if k not in PUBLISHED} for c in exported] == expected
    assert TRICKY in {c["statement"] for c in exported}


@pytest.mark.usefixtures("small_pages")
def test_csv_flattens_claims_and_round_trips_awkward_text(
    client: TestClient, loaded: dict[str, int], live_server: str
) -> None:
    out = io.StringIO(newline="")

    count = export_claims(live_server, None, out, "csv", {})

    header, *rows = list(csv.reader(io.StringIO(out.getvalue(), newline="")))
    assert tuple(header) == CSV_COLUMNS
    expected = all_claims(client)
    assert count == len(rows) == len(expected)
    by_id = {row[0]: dict(zip(header, row, strict=True)) for row in rows}
    tricky = next(c for c in expected if c["statement"] == TRICKY)
    row = by_id[str(tricky["id"])]
    assert row["statement"] == TRICKY
    assert (row["origin"], row["status"], row["subject_name"]) == ("curated", "active", "Kenya")
    assert (row["quantity_value"], row["time_text"], row["location"]) == ("", "", "")
    quantified = next(c for c in expected if c["quantity"] and c["time"])
    row = by_id[str(quantified["id"])]
    assert float(row["quantity_value"]) == quantified["quantity"]["value"]
    assert row["quantity_unit"] == quantified["quantity"]["unit"]
    assert row["time_text"] == quantified["time"]["text"]
    evidence = quantified["evidence"]
    assert (row["evidence_quote"], row["char_start"], row["char_end"], row["match"]) == (
        evidence["quote"],
        str(evidence["char_start"]),
        str(evidence["char_end"]),
        evidence["match"],
    )
    # The canonical fact fields of news_claims@v2: the 217 deployment to Haiti, an event.
    deployed = next(
        c for c in expected if c["evidence"]["quote"].startswith("Kenya dispatched 217")
    )
    row = by_id[str(deployed["id"])]
    assert (row["fact_kind"], row["unit_kind"], row["aspect"], row["object_entity_name"]) == (
        "deployment",
        "persons",
        "event",
        "Haiti",
    )
    assert row["object_entity_id"] == str(deployed["object_entity"]["entity_id"])
    # A claim added by hand has none of them: empty cells.
    row = by_id[str(tricky["id"])]
    assert [row[k] for k in ("fact_kind", "object_entity_name", "unit_kind", "aspect")] == [""] * 4


def test_filters_narrow_the_export_and_refusals_raise(
    client: TestClient, loaded: dict[str, int], live_server: str
) -> None:
    article_id = str(loaded["kenya-haiti-217"])
    out = io.StringIO()

    count = export_claims(live_server, None, out, "jsonl", {"article_id": article_id})

    assert count == len(all_claims(client, article_id=article_id)) > 0
    assert {json.loads(line)["article_id"] for line in out.getvalue().splitlines()} == {
        int(article_id)
    }
    bad = {"date_from": "2025-02-01", "date_to": "2025-01-01"}
    with pytest.raises(ExportError, match="GET /claims: 400 date_to is before date_from"):
        export_claims(live_server, None, io.StringIO(), "csv", bad)


WIRE_OUTLETS = ["Meridian Newswire", "Lakeside Gazette", "Coastal Courier"]


@pytest.fixture
def wire(client: TestClient) -> dict[str, Any]:
    """The wire story under three outlets: one article, three publications."""
    wire = load_article("kenya-haiti-wire")
    for outlet in WIRE_OUTLETS:
        response = client.post(
            "/articles", json={**wire, "outlet": outlet} if outlet != WIRE_OUTLETS[0] else wire
        )
        assert response.status_code == 201, response.text
    return wire


def test_csv_names_every_outlet_and_writes_whole_numbers_as_integers(
    client: TestClient, wire: dict[str, Any], live_server: str
) -> None:
    out = io.StringIO(newline="")

    export_claims(live_server, None, out, "csv", {})

    rows = list(csv.DictReader(io.StringIO(out.getvalue(), newline="")))
    assert rows
    for row in rows:
        assert row["outlet"] == "Meridian Newswire"
        assert row["outlets"] == "Meridian Newswire; Lakeside Gazette; Coastal Courier"
        assert row["title"] == wire["title"]
        assert row["url"] == wire["url"]
        assert row["published_at"] == "2025-01-20T07:45:00Z"
    values = {row["quantity_value"] for row in rows} - {""}
    assert {"200", "1000"} <= values
    assert not any(v.endswith(".0") for v in values)
    assert {row["match"] for row in rows} == {"exact"}
    assert not any(row["char_start"].endswith(".0") for row in rows)


def test_jsonl_holds_each_publication_and_integers(
    client: TestClient, wire: dict[str, Any], live_server: str
) -> None:
    out = io.StringIO()

    export_claims(live_server, None, out, "jsonl", {"outlet": "Coastal Courier"})

    lines = out.getvalue().splitlines()
    assert len(lines) == len(all_claims(client))
    first = json.loads(lines[0])
    assert first["outlets"] == WIRE_OUTLETS
    assert [p["outlet"] for p in first["publications"]] == WIRE_OUTLETS
    assert first["publications"][1] == {
        "outlet": "Lakeside Gazette",
        "title": wire["title"],
        "url": wire["url"],
        "published_at": "2025-01-20T07:45:00Z",
    }
    pledge = next(json.loads(line) for line in lines if '"value": 1000' in line)
    assert pledge["quantity"]["value"] == 1000
    assert '"value": 1000.0' not in out.getvalue()
    assert '"score": 100}' in lines[0]  # an exact match's score, 100.0 from the API
