"""The diff page of the seed story: 217 against 270, side by side, as a conflict."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.web.browser import requires_chromium, screenshot, serious_violations, watch_requests
from tests.web.conftest import Service

pytestmark = requires_chromium


def _ids(service: Service) -> tuple[int, int]:
    by_title = {a["title"]: a["id"] for a in service.get("/articles")["data"]}
    left = next(i for t, i in by_title.items() if "217" in t)
    right = next(i for t, i in by_title.items() if "270" in t)
    return left, right


def test_the_seed_story_shows_217_and_270_side_by_side_as_a_conflict(
    page: Page, service: Service
) -> None:
    left, right = _ids(service)
    api = service.get("/diff", left=f"article:{left}", right=f"article:{right}")
    pair = next(
        p for p in api["pairs"]
        if p["relation"] == "conflict" and p["left"]["quantity"]["value"] == 217
    )  # fmt: skip
    assert pair["right"]["quantity"]["value"] == 270
    requests = watch_requests(page, service.url)
    page.goto(f"{service.url}/pages/diff?left=article:{left}&right=article:{right}")

    s = api["summary"]
    plural = {n: "" if s[n] == 1 else "s" for n in ("conflict", "updates", "refines", "agree")}
    expect(page.locator("p.summary")).to_have_text(
        f"{s['conflict']} conflict{plural['conflict']}, {s['updates']} update{plural['updates']}, "
        f"{s['refines']} refinement{plural['refines']}, {s['agree']} agreement{plural['agree']}; "
        f"{s['only_left']} only left, {s['only_right']} only right."
    )
    first_section = page.locator("section.pairs h2").first
    expect(first_section).to_have_text(f"Conflicts ({api['summary']['conflict']})")
    card = page.locator("article.pair.rel-conflict", has_text=pair["explanation"])
    expect(card.locator("h3")).to_contain_text("⚠ Conflict:")
    expect(card.locator(f"div[data-key='L{pair['left']['id']}']")).to_contain_text("217")
    expect(card.locator(f"div[data-key='R{pair['right']['id']}']")).to_contain_text("270")

    left_mark = page.locator(f"section.side mark[data-keys~='L{pair['left']['id']}']").first
    right_marks = page.locator(f"section.side mark[data-keys~='R{pair['right']['id']}']")
    assert "217" in left_mark.text_content()
    assert "270" in "".join(right_marks.all_text_contents())
    expect(left_mark).to_have_class("ev rel-conflict")
    left_mark.focus()
    expect(right_marks.first).to_have_class("ev rel-conflict lit")
    screenshot(page, "diff", full_page=False)
    page.keyboard.press("Enter")  # focus follows the link to the partner
    expect(right_marks.first).to_be_focused()
    expect(left_mark).to_have_class("ev rel-conflict lit")

    assert requests.outside() == []
    assert serious_violations(page) == []


def test_the_picker_names_a_side_that_cannot_be_read(page: Page, service: Service) -> None:
    page.goto(f"{service.url}/pages/diff")
    page.get_by_label("Left").fill("article:1")
    page.get_by_label("Right").fill("paper:2")
    page.get_by_role("button", name="Compare").click()
    expect(page.get_by_role("alert")).to_contain_text(
        "cannot read 'paper:2': use article:ID, run:ID or outlet:NAME"
    )
    assert serious_violations(page) == []
