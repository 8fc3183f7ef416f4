"""`factdiff load-samples` (`make samples`) on a fresh database, through the default schema
(news_claims@v2, no --schema anywhere): what a new user then sees in /diff, /facts and the
article page."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
import respx
from rich.table import Table
from typer.testing import CliRunner

from app.cli.main import app as cli
from app.cli.samples import post_samples
from tests.conftest import ARTICLES_DIR

SAMPLES = sorted(p.stem for p in ARTICLES_DIR.glob("*.json"))
QUOTE_217 = "Kenya dispatched 217 more police officers to Haiti on Saturday"
QUOTE_270 = "Kenya has sent another 270 police officers to Haiti"
WHY = "the LLM endpoint timed out (FACTDIFF_LLM_TIMEOUT_S)"


def load_samples(server: str) -> dict[str, int]:
    """Load the samples as `make samples` does; the id of each sample's article."""
    loaded = CliRunner().invoke(cli, ["load-samples", "--server", server], catch_exceptions=False)
    assert loaded.exit_code == 0, loaded.output  # 1 when any sample was refused
    articles = httpx.get(f"{server}/articles", params={"limit": 100}).json()["data"]
    return {a["url"]: a["id"] for a in articles}


def get(server: str, path: str, **params: Any) -> Any:
    response = httpx.get(f"{server}{path}", params=params, timeout=30)
    assert response.status_code == 200, response.text
    return response.json()


def test_the_samples_go_through_v2_and_show_the_seed_conflict_once(live_server: str) -> None:
    ids = load_samples(live_server)
    assert len(ids) == len(SAMPLES)

    claims = get(live_server, "/claims", limit=500)["data"]
    assert {c["article_id"] for c in claims} == set(ids.values())
    runs = [get(live_server, f"/runs/{i}") for i in {c["run_id"] for c in claims}]
    assert {(r["schema_name"], r["schema_version"]) for r in runs} == {("news_claims", "v2")}
    assert all(c["fact_kind"] is not None for c in claims)

    # The seed story: 217 (Harbor Wire, Saturday) against 270 (Nairobi Ledger, Friday night).
    harbor = ids["https://example.org/harbor-wire/2025/01/18/kenya-haiti-217-officers"]
    nairobi = ids["https://example.com/nairobi-ledger/news/kenya-deploys-270-officers-haiti"]
    diff = get(live_server, "/diff", left=f"article:{harbor}", right=f"article:{nairobi}")
    [conflict] = [p for p in diff["pairs"] if p["relation"] == "conflict"]
    assert (conflict["left"]["quantity"]["value"], conflict["right"]["quantity"]["value"]) == (
        217,
        270,
    )
    assert (conflict["left"]["evidence"]["quote"], conflict["right"]["evidence"]["quote"]) == (
        QUOTE_217,
        QUOTE_270,
    )
    assert conflict["explanation"].startswith("figure decides: 217 officers vs 270 officers")

    # The contingent's total before the new arrivals (400 in June) and after (over 600).
    [updates] = [p for p in diff["pairs"] if p["relation"] == "updates"]
    assert (updates["left"]["quantity"], updates["right"]["quantity"]) == (
        {"value": 600, "unit": "officers", "qualifier": "over"},
        {"value": 400, "unit": "officers", "qualifier": "exact"},
    )
    assert updates["right"]["time"]["text"] == "in June"
    assert updates["explanation"].startswith(
        "as-of time decides: as of 2025-01-18 vs as of 2024-06"
    )
    assert diff["summary"]["conflict"] == 1

    # The ledger: the deployment conflict once, with every source's figure and quote.
    ledger = get(live_server, "/facts", conflicts="true")
    assert ledger["count"] == 1
    [fact] = ledger["data"]
    quotes = {
        (s["outlet"], s["quantity"]["value"], s["evidence"]["quote"]) for s in fact["sources"]
    }
    assert {("Harbor Wire", 217, QUOTE_217), ("Nairobi Ledger", 270, QUOTE_270)} <= quotes
    assert {s["quantity"]["value"] for s in fact["sources"]} == {200, 217, 270}

    # The totals are one fact that updates over time, not a second conflict.
    kenya = get(live_server, "/facts", entity="Kenya")["data"]
    [totals] = [f for f in kenya if f["status"] == "updates"]
    figures = {(s["outlet"], s["quantity"]["value"]) for s in totals["sources"]}
    assert {("Harbor Wire", 600), ("Nairobi Ledger", 400)} <= figures
    assert totals["explanation"].startswith("later values of a changing figure: ")

    # The article pages read those facts; each answers, marking the update.
    for article_id in ids.values():
        page = httpx.get(f"{live_server}/pages/articles/{article_id}")
        assert page.status_code == 200, (article_id, page.text[:300])
    assert 'class="badge st-updates"' in httpx.get(f"{live_server}/pages/articles/{nairobi}").text


def test_a_sample_the_service_does_not_answer_in_time_fails_alone(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A slow model: one article's extraction outlasts --timeout, another's run fails. Each
    is reported with what to do, and the other samples are still posted."""
    slow, refused = "kenya-haiti-fr", "montreal-community-fridges"
    created = {
        "claims": [],
        "reused": False,
        "run": {"id": 7, "llm_calls": 1, "rejected_count": 0},
    }

    def answer(request: httpx.Request) -> httpx.Response:
        url = json.loads(request.content)["url"]
        if url == sample(slow)["url"]:
            raise httpx.ReadTimeout("timed out", request=request)
        if url == sample(refused)["url"]:
            return httpx.Response(503, json={"detail": {"reason": "llm_timeout", "message": WHY}})
        return httpx.Response(201, json=created)

    rows: list[list[str]] = []
    monkeypatch.setattr(Table, "add_row", lambda _table, *cells: rows.append(list(cells)))
    with respx.mock:
        route = respx.post("http://factdiff.test/articles").mock(side_effect=answer)
        failures = post_samples("http://factdiff.test", timeout=30)

    assert failures == 2
    assert route.call_count == len(SAMPLES)
    assert [row[0] for row in rows] == SAMPLES
    [late] = [row for row in rows if row[0] == slow]
    assert late == [
        slow,
        "timeout",
        "-",
        "-",
        "-",
        "no answer within 30 s; its run goes on in the service, and loading again waits "
        "for it. A slow model? Raise --timeout",
    ]
    [failed] = [row for row in rows if row[0] == refused]
    assert failed == [refused, "503", "-", "-", "-", WHY]
    assert {row[1] for row in rows if row[0] not in (slow, refused)} == {"201"}


def sample(stem: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((ARTICLES_DIR / f"{stem}.json").read_text("utf-8"))
    return loaded
