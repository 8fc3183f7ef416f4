"""The ledger page lists each fact's facts to check, with a merge form pointing at each."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from tests.app.api.routes.test_facts_to_check import store_june_event, store_totals


def test_the_june_total_offers_the_january_one_and_merges_it_from_the_page(
    client: TestClient, engine: Engine
) -> None:
    june, now = store_totals(client, engine)
    plain = client.get("/pages/ledger", params={"entity": "Government of Kenya"})
    assert "May be the same fact as" not in plain.text  # only when asked: it costs the page
    link = '<a href="/pages/ledger?entity=Government%20of%20Kenya&amp;to_check=1">'
    assert link + "Show the facts that may be the same as another</a>" in plain.text
    page = client.get("/pages/ledger", params={"entity": "Government of Kenya", "to_check": 1})
    assert page.status_code == 200
    assert (
        f'May be the same fact as <a href="/facts/{now}">#{now}</a> (kenya national police '
        "service · has on the ground · police deployed in Haiti), score 0.22"
    ) in page.text
    form = page.text.split(f"<summary>Merge #{now} into this fact</summary>")[1].split("</form>")[0]
    assert f'action="/pages/facts/{june}/merge"' in form
    assert f'<input type="hidden" name="other_id" value="{now}">' in form

    merged = client.post(
        f"/pages/facts/{june}/merge",
        data={"other_id": now, "actor": "desk", "reason": "the same deployment, later",
              "entity": "Government of Kenya"},
    )  # fmt: skip
    assert "The two facts are one now" in merged.text
    assert f'May be the same fact as <a href="/facts/{now}">' not in merged.text


def test_a_fact_kept_apart_says_why_on_the_page(client: TestClient, engine: Engine) -> None:
    june, _ = store_totals(client, engine)
    apart = store_june_event(client, engine, june)
    page = client.get("/pages/ledger", params={"entity": "Government of Kenya", "to_check": 1})
    item = page.text.split(f'May be the same fact as <a href="/facts/{apart}">')[1].split(
        "<details"
    )[0]
    assert "score 0.95" in item
    assert (
        '<span class="muted">They scored 0.95, but one figure counts what happened at a time and '
        "the other what held at a time, so filing them as one fact in conflict would be a "
        "guess.</span>"
    ) in item
