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


def test_a_desk_adds_a_claim_by_hand_refused_first_then_grounded(
    page: Page, keyed_service: Service
) -> None:
    """The departure the model got wrong (it said 217), added to Nairobi Ledger's article."""
    article_id = keyed_service.get("/articles", outlet="Nairobi Ledger")["data"][0]["id"]
    before = {c["id"] for c in keyed_service.get(f"/articles/{article_id}/claims")["data"]}
    _sign_in(page, keyed_service, WRITE_KEY, f"/pages/articles/{article_id}")
    page.get_by_role("link", name="Add a claim the extraction missed").click()
    page.get_by_text("Add a claim by hand").click()
    form = page.locator("#add-claim form")
    statement = "Kenya's 270 police officers left Nairobi for Haiti on Friday night."
    form.get_by_label("Statement").fill(statement)
    form.get_by_label("Claim type").select_option("event")
    form.get_by_label("Voice").select_option("reported")
    form.get_by_label("Said by").fill("Kenyan officials")
    form.get_by_label("Subject", exact=True).fill("Kenya")
    form.get_by_label("Subject type").select_option("country")
    form.get_by_label("Predicate").fill("deployed")
    form.get_by_label("Figure").fill("270")
    form.get_by_label("Unit", exact=True).fill("officers")
    form.get_by_label("Unit kind").select_option("persons")
    form.get_by_label("Event or state").select_option("event")
    form.get_by_label("Fact kind").select_option("deployment")
    form.get_by_label("Object entity", exact=True).fill("Haiti")
    form.get_by_label("Entity type").select_option("country")
    form.get_by_label("Time words").fill("on Friday night")
    # Remembered from another report of the story, not copied from this article.
    wrong = "The 270 officers flew out of Nairobi on Friday night"
    form.get_by_label("Evidence").fill(wrong)
    form.get_by_label("Your name").fill("desk editor")
    form.get_by_label("Why it should be added").fill("the model said 217 for this departure")
    with page.expect_response(lambda r: r.request.method == "POST") as posted:
        form.get_by_role("button", name="Add the claim").click()

    assert posted.value.status == 422
    refusal = page.locator("#add-refused")
    expect(refusal).to_have_text(
        f"Not added: claim not grounded in article {article_id}: "
        f"evidence quote not found in the article: '{wrong}'"
    )
    expect(refusal).to_be_in_viewport()
    expect(form.get_by_label("Evidence")).to_have_value(wrong)
    expect(form.get_by_label("Statement")).to_have_value(statement)
    expect(form.get_by_label("Unit kind")).to_have_value("persons")
    expect(form.get_by_label("Fact kind")).to_have_value("deployment")
    expect(form.get_by_label("Your name")).to_have_value("desk editor")
    screenshot(page, "article-add-claim-refused", full_page=False)
    assert serious_violations(page) == []
    after = {c["id"] for c in keyed_service.get(f"/articles/{article_id}/claims")["data"]}
    assert after == before

    quote = "The 270 officers departed on Friday night from Jomo Kenyatta International Airport"
    form.get_by_label("Evidence").fill(quote)
    form.get_by_role("button", name="Add the claim").click()

    expect(page.get_by_role("status")).to_contain_text("The claim was added")
    (added,) = [
        c for c in keyed_service.get(f"/articles/{article_id}/claims")["data"]
        if c["id"] not in before
    ]  # fmt: skip
    assert (added["unit_kind"], added["aspect"], added["fact_kind"]) == (
        "persons", "event", "deployment",
    )  # fmt: skip
    assert (added["evidence"]["quote"], added["origin"]) == (quote, "curated")
    row = page.locator(f"#c-{added['id']}")
    expect(row.locator(".statement")).to_have_text(statement)
    expect(row).to_contain_text("deployment · counts persons · event · about Haiti")
    row.get_by_role("link", name="Show in text").click()
    assert "".join(page.locator("#article-text mark.lit").all_text_contents()) == quote
    screenshot(page, "article-claim-added", full_page=False)
