"""API keys on the pages, and curation from the article page by a caller who may write."""

from __future__ import annotations

import re

import httpx
from playwright.sync_api import Page, expect

from tests.web.browser import requires_chromium, screenshot, serious_violations
from tests.web.conftest import READ_KEY, WRITE_KEY, Service

pytestmark = requires_chromium


def _sign_in(page: Page, service: Service, key: str, path: str) -> None:
    page.goto(service.url + path)
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in needed")
    expect(page.get_by_role("alert")).to_have_text(
        "missing API key: send it as 'Authorization: Bearer <key>' or 'X-API-Key: <key>'"
    )
    page.get_by_label("API key").fill(key)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(service.url + path)


def _article_217(service: Service) -> tuple[int, dict[str, object]]:
    article = service.get("/articles", outlet="Harbor Wire")["data"][0]
    claims = service.get(f"/articles/{article['id']}/claims")["data"]
    return article["id"], next(c for c in claims if c["quantity"] and c["quantity"]["value"] == 217)


def test_pages_ask_for_a_key_and_a_wrong_one_is_refused(page: Page, keyed_service: Service) -> None:
    response = httpx.get(keyed_service.url + "/", timeout=10)
    assert response.status_code == 401
    assert "Sign in needed" in response.text
    page.goto(keyed_service.url + "/pages/signin")
    page.get_by_label("API key").fill("not-a-key-of-this-service")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_have_text("invalid API key")
    assert serious_violations(page) == []


def test_a_reader_sees_the_page_without_curation_forms(page: Page, keyed_service: Service) -> None:
    article_id, _ = _article_217(keyed_service)
    _sign_in(page, keyed_service, READ_KEY, f"/pages/articles/{article_id}")
    expect(page.locator("ol.claims > li.claim").first).to_be_visible()
    expect(page.get_by_text("Correct or retract")).to_have_count(0)
    response = page.request.post(
        f"{keyed_service.url}/pages/claims/1/retract", form={"actor": "x", "reason": "y"}
    )
    assert response.status == 403
    assert "API key &#39;reader&#39; has read scope" in response.text()


def test_a_desk_retracts_a_claim_with_its_reason(page: Page, keyed_service: Service) -> None:
    article_id, claim = _article_217(keyed_service)
    _sign_in(page, keyed_service, WRITE_KEY, f"/pages/articles/{article_id}")
    row = page.locator(f"#c-{claim['id']}")
    row.get_by_text("Correct or retract").click()
    row.get_by_label("Your name").nth(1).fill("desk editor")
    row.get_by_label("Why it should go").fill("double-counted with the wire copy")
    screenshot(page, "curation", full_page=False)
    row.get_by_role("button", name=re.compile("^Retract claim")).click()

    expect(page.get_by_role("status")).to_contain_text("The claim was retracted")
    expect(page.locator(f"#c-{claim['id']}")).to_have_count(0)
    stored = keyed_service.get(f"/claims/{claim['id']}")
    assert stored["status"] == "retracted"
    (audit,) = keyed_service.get(f"/claims/{claim['id']}/audit")
    assert (audit["action"], audit["actor"], audit["reason"]) == (
        "retracted", "desk editor", "double-counted with the wire copy",
    )  # fmt: skip


def test_a_correction_that_is_not_in_the_article_is_refused_in_place(
    page: Page, keyed_service: Service
) -> None:
    article = keyed_service.get("/articles", outlet="Nairobi Ledger")["data"][0]
    claim = next(
        c for c in keyed_service.get(f"/articles/{article['id']}/claims")["data"]
        if c["quantity"] and c["quantity"]["value"] == 270
    )  # fmt: skip
    _sign_in(page, keyed_service, WRITE_KEY, f"/pages/articles/{article['id']}")
    row = page.locator(f"#c-{claim['id']}")
    row.get_by_text("Correct or retract").click()
    row.get_by_label("Figure").fill("207")
    row.get_by_label("Your name").first.fill("desk editor")
    row.get_by_label("Why", exact=True).fill("typo in the figure")
    row.get_by_role("button", name=re.compile("^Correct claim")).click()

    expect(page.locator("#refused")).to_contain_text(
        f"Not changed: claim not grounded in article {article['id']}:"
    )
    expect(page.locator(f"#c-{claim['id']} .statement")).to_have_text(claim["statement"])
    assert keyed_service.get(f"/claims/{claim['id']}")["status"] == "active"
