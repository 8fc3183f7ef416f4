"""The entities page in Chromium: a desk teaches Kenya another name, sees who added it, and
takes it back."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.web.browser import requires_chromium, screenshot, serious_violations, watch_requests
from tests.web.conftest import Service

pytestmark = requires_chromium


def test_a_name_added_on_the_entities_page_is_listed_with_its_author(
    page: Page, service: Service
) -> None:
    kenya = next(e for e in service.get("/entities", q="kenya")["data"] if e["name"] == "Kenya")
    requests = watch_requests(page, service.url)
    page.goto(f"{service.url}/pages/entities?q=kenya")
    entry = page.locator(f"#e-{kenya['id']}")
    expect(entry.get_by_role("heading", level=2)).to_contain_text("Kenya")
    assert serious_violations(page) == []

    entry.get_by_text("Add another name").click()
    adding = entry.locator("form", has=page.get_by_role("button", name="Add the name"))
    adding.get_by_label("Another name for Kenya").fill("Republic of Kenya")
    adding.get_by_label("Your name").fill("desk")
    adding.get_by_role("button", name="Add the name").click()

    expect(page.get_by_role("status")).to_have_text("“Republic of Kenya” is an alias now.")
    entry = page.locator(f"#e-{kenya['id']}")
    expect(entry).to_contain_text("Republic of Kenya")
    expect(entry.locator("ul.audit")).to_contain_text("“Republic of Kenya” added by desk,")
    screenshot(page, "entities", full_page=False)
    assert requests.outside() == []
    assert serious_violations(page) == []
    audit = service.get(f"/entities/{kenya['id']}/audit")
    assert [(a["alias"], a["actor"]) for a in audit] == [("Republic of Kenya", "desk")]

    entry.get_by_text("Remove a name").click()
    removing = entry.locator("form", has=page.get_by_role("button", name="Remove the name"))
    removing.get_by_label("The name to remove").select_option("Republic of Kenya")
    removing.get_by_label("Your name").fill("night desk")
    removing.get_by_role("button", name="Remove the name").click()

    expect(page.get_by_role("status")).to_have_text("“Republic of Kenya” is no alias any more.")
    entry = page.locator(f"#e-{kenya['id']}")
    expect(entry.locator("ul.audit")).to_contain_text("“Republic of Kenya” removed by night desk,")
    screenshot(page, "entities-removed", full_page=False)
    assert serious_violations(page) == []
    after = next(e for e in service.get("/entities", q="kenya")["data"] if e["id"] == kenya["id"])
    assert after["aliases"] == kenya["aliases"]
