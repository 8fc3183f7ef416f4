"""The fact ledger page of the seed story, and the API docs pages, offline."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.web.browser import requires_chromium, screenshot, serious_violations, watch_requests
from tests.web.conftest import Service

pytestmark = requires_chromium


def test_the_ledger_lists_conflicts_first_with_every_source(page: Page, service: Service) -> None:
    facts = service.get("/facts", entity="Kenya")["data"]
    conflict = facts[0]
    assert conflict["status"] == "conflict"
    requests = watch_requests(page, service.url)
    page.goto(f"{service.url}/pages/ledger?entity=Kenya")

    cards = page.locator("article.fact")
    expect(cards).to_have_count(len(facts))
    first = cards.first
    expect(first.locator(".badge")).to_have_text("⚠ Conflict")
    expect(first.locator(".explanation")).to_have_text(
        f"Sources disagree: {conflict['explanation']}"
    )
    expect(first.locator("table.sources tbody tr")).to_have_count(len(conflict["sources"]))
    for value in ("217 officers", "270 officers"):
        expect(first.locator("table.sources")).to_contain_text(value)
        expect(first.locator("ol.timeline")).to_contain_text(value)
    screenshot(page, "ledger", full_page=False)
    assert requests.outside() == []
    assert serious_violations(page) == []

    first.get_by_role("link", name="Compare two of these articles side by side").click()
    conflict_card = page.locator("article.pair.rel-conflict").first
    expect(conflict_card).to_contain_text("217 officers")
    expect(conflict_card).to_contain_text("270 officers")


def test_the_ledger_offers_facts_to_check_with_a_merge_form(page: Page, service: Service) -> None:
    facts = service.get("/facts", entity="Kenya", limit=100)["data"]
    offered = [(n, f, service.get(f"/facts/{f['id']}")["to_check"]) for n, f in enumerate(facts)]
    n, conflict, offers = next((n, f, o) for n, f, o in offered if o)  # the page's order
    page.goto(f"{service.url}/pages/ledger?entity=Kenya")
    page.get_by_role("link", name="Show the facts that may be the same as another").click()
    section = page.locator("article.fact").nth(n).locator("section.to-check")
    items = section.locator("li")
    expect(items).to_have_count(len(offers))
    first = offers[0]
    expect(items.first).to_contain_text(
        f"May be the same fact as #{first['id']} ({first['label']}), score {first['score']:.2f}"
    )
    items.first.get_by_text(f"Merge #{first['id']} into this fact").first.click()
    form = items.first.locator("form")
    expect(form).to_have_attribute("action", f"/pages/facts/{conflict['id']}/merge")
    expect(form.locator('input[name="other_id"]')).to_have_value(str(first["id"]))
    section.scroll_into_view_if_needed()
    screenshot(page, "ledger-to-check", full_page=False)
    assert serious_violations(page) == []


def test_a_quote_in_the_ledger_opens_lit_in_its_article(page: Page, service: Service) -> None:
    conflict = service.get("/facts", entity="Kenya")["data"][0]
    source = next(s for s in conflict["sources"] if s["quantity"]["value"] == 270)
    page.goto(f"{service.url}/pages/ledger?entity=Kenya")
    page.get_by_role("link", name=source["evidence"]["quote"]).first.click()
    lit = page.locator("#article-text mark.lit")
    expect(lit.first).to_be_focused()
    assert "".join(lit.all_text_contents()) == source["evidence"]["quote"]


def test_the_docs_page_renders_the_operations_offline(page: Page, service: Service) -> None:
    operations = sum(len(p) for p in service.get("/openapi.json")["paths"].values())
    requests = watch_requests(page, service.url)
    page.goto(f"{service.url}/docs")
    expect(page.locator(".opblock")).to_have_count(operations)
    expect(page.locator(".opblock-summary-path", has_text="/articles").first).to_be_visible()
    screenshot(page, "docs", full_page=False)
    assert requests.outside() == []


def test_an_operation_can_be_tried_from_the_docs_page(page: Page, service: Service) -> None:
    page.goto(f"{service.url}/docs")
    operation = page.locator("#operations-meta-healthz_healthz_get")
    operation.locator(".opblock-summary").click()
    operation.get_by_role("button", name="Try it out").click()
    operation.get_by_role("button", name="Execute").click()
    live = operation.locator(".live-responses-table tbody tr").first
    expect(live.locator(".response-col_status")).to_have_text("200")
    expect(live.locator(".response-col_description")).to_contain_text('"database": "ok"')


def test_the_seed_story_claims_can_be_fetched_from_the_docs_page(
    page: Page, service: Service
) -> None:
    requests = watch_requests(page, service.url)
    page.goto(f"{service.url}/docs")
    operation = page.locator("#operations-claims-search_claims_claims_get")
    operation.locator(".opblock-summary").click()
    # The documented answer is the story's, not Swagger UI's "string" and 0.
    documented = operation.locator(".responses-wrapper .response").first
    expect(documented).to_contain_text("Kenya dispatched 217 more police officers to Haiti")
    expect(documented).not_to_contain_text('"string"')
    operation.get_by_role("button", name="Try it out").click()
    expect(operation.locator("input[placeholder='entity']")).to_have_value("Kenya")
    operation.get_by_role("button", name="Execute").click()

    expect(operation.locator(".request-url")).to_contain_text("/claims?entity=Kenya")
    live = operation.locator(".live-responses-table tbody tr").first
    expect(live.locator(".response-col_status")).to_have_text("200")
    answered = live.locator(".response-col_description")
    stored = service.get("/claims", entity="Kenya")["data"]
    for value in (217, 270):
        claim = next(c for c in stored if (c["quantity"] or {}).get("value") == value)
        expect(answered).to_contain_text(claim["evidence"]["quote"])
        expect(answered).to_contain_text(f'"id": {claim["id"]}')
    live.scroll_into_view_if_needed()
    screenshot(page, "docs-try-claims", full_page=False)
    assert requests.outside() == []


def test_the_redoc_page_renders_offline(page: Page, service: Service) -> None:
    requests = watch_requests(page, service.url)
    page.goto(f"{service.url}/redoc")
    expect(page.locator("h1").first).to_contain_text("factdiff")
    expect(page.get_by_text("Submit an article's text or url").first).to_be_attached()
    assert requests.outside() == []
