"""The home page: stories, search, recent articles, and submitting an article from it."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.web.browser import requires_chromium, screenshot, serious_violations, watch_requests
from tests.web.conftest import FORM_SAMPLE, Service, sample

pytestmark = requires_chromium


def test_the_stories_lead_to_the_fact_ledger(page: Page, service: Service) -> None:
    requests = watch_requests(page, service.url)
    page.goto(service.url + "/")
    kenya = page.locator("table.stories tbody tr", has_text="Kenya").first
    expect(kenya.locator("td").nth(2)).to_contain_text("in conflict")
    screenshot(page, "home")
    assert serious_violations(page) == []
    kenya.get_by_role("link", name="Kenya").click()
    expect(page).to_have_url(re.compile(r"/pages/ledger\?entity=Kenya$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("The facts about Kenya")
    assert requests.outside() == []


def test_the_search_box_finds_claims(page: Page, service: Service) -> None:
    expected = service.get("/claims", q="officers", limit=25)["data"]
    page.goto(service.url + "/")
    page.get_by_label("Words in a claim or its quote").fill("officers")
    page.get_by_role("button", name="Search").click()
    results = page.locator("ul.results li")
    expect(results).to_have_count(len(expected))
    expect(results.first).to_contain_text(expected[0]["statement"])


def test_a_sample_submitted_through_the_form_opens_on_its_article(
    page: Page, service: Service
) -> None:
    article = sample(FORM_SAMPLE)
    page.goto(service.url + "/")
    page.get_by_label("Article text").fill(article["text"])
    page.get_by_label("Title").fill(article["title"])
    page.get_by_label("Outlet").fill(article["outlet"])
    page.get_by_label("Published (UTC)").fill(article["published_at"][:16])
    page.get_by_role("button", name="Extract its claims").click()

    expect(page).to_have_url(re.compile(r"/pages/articles/\d+$"), timeout=30_000)
    expect(page.get_by_role("heading", level=1)).to_have_text(article["title"])
    article_id = int(page.url.rsplit("/", 1)[1])
    stored = service.get(f"/articles/{article_id}/claims")["data"]
    assert stored, "the submitted article has no claims"
    expect(page.locator("ol.claims > li.claim")).to_have_count(len(stored))


def test_a_failed_extraction_shows_its_reason_and_what_to_do(page: Page, service: Service) -> None:
    page.goto(service.url + "/")
    page.get_by_label("Article text").fill(
        "The Larkhaven ferry council voted on Monday to add 3 crossings a day."
    )
    page.get_by_role("button", name="Extract its claims").click()
    failed = page.locator("#run-failed")
    expect(failed).to_be_visible(timeout=30_000)
    expect(failed).to_contain_text("Why: llm_unavailable: no LLM fixture for this article")
    expect(failed).to_contain_text("What to do: No model answered.")
    screenshot(page, "run-failed")
    assert serious_violations(page) == []


def test_a_form_the_service_refuses_says_why_and_keeps_what_was_typed(
    page: Page, service: Service
) -> None:
    page.goto(service.url + "/")
    page.get_by_label("Title").fill("Only a title")
    page.get_by_role("button", name="Extract its claims").click()
    expect(page.locator("#submit-error")).to_contain_text(
        "Field required: send the article's text or a url"
    )
    expect(page.get_by_label("Title")).to_have_value("Only a title")
