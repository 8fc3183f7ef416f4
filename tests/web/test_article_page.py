"""The article page marks exactly the stored claims, each at its offsets, and links them."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.web.browser import requires_chromium, screenshot, serious_violations, watch_requests
from tests.web.conftest import Service

pytestmark = requires_chromium

# The text of each claim's marked stretches, joined, per claim id: what a reader sees lit.
MARKED_QUOTES = """() => {
  const quotes = {};
  for (const mark of document.querySelectorAll('#article-text mark[data-claims]')) {
    for (const id of mark.dataset.claims.split(' ')) {
      quotes[id] = (quotes[id] || '') + mark.textContent;
    }
  }
  return quotes;
}"""


def test_every_article_marks_exactly_its_stored_claims_at_their_offsets(
    page: Page, service: Service
) -> None:
    articles = service.get("/articles")["data"]
    checked_non_ascii = False
    for listed in articles:
        article = service.get(f"/articles/{listed['id']}")
        claims = service.get(f"/articles/{listed['id']}/claims")["data"]
        page.goto(f"{service.url}/pages/articles/{article['id']}")
        marked = page.evaluate(MARKED_QUOTES)
        text = article["text"]
        expected = {str(c["id"]): text[c["evidence"]["char_start"] : c["evidence"]["char_end"]]
                    for c in claims}  # fmt: skip
        assert marked == expected, article["title"]
        # The page's text is the stored text: nothing added inside or between the marks but
        # the claim numbers after each quote.
        shown = page.evaluate(
            "() => { const t = document.getElementById('article-text').cloneNode(true);"
            " t.querySelectorAll('a.ref').forEach(a => a.remove()); return t.textContent; }"
        )
        assert shown == text
        if article["outlet"] == "Le Quartier":  # the sample with accents and emoji
            screenshot(page, "article-accents-emoji", full_page=False)
        checked_non_ascii |= any(ord(ch) > 0xFFFF for ch in text) and any(
            ord(ch) > 0xFFFF for q in expected.values() for ch in q
        )
    assert checked_non_ascii, "no sample article has an emoji inside a quote"


def test_a_claim_row_lights_its_quote_and_the_quote_leads_back(
    page: Page, service: Service
) -> None:
    article_id = _article_id(service, "Harbor Wire")
    claims = service.get(f"/articles/{article_id}/claims")["data"]
    officers = next(c for c in claims if c["quantity"] and c["quantity"]["value"] == 217)
    requests = watch_requests(page, service.url)
    page.goto(f"{service.url}/pages/articles/{article_id}")

    row = page.locator(f"#c-{officers['id']}")
    expect(row.locator(".badge")).to_have_text("⚠ Conflict")
    row.get_by_role("link", name="Show in text").click()
    lit = page.locator("#article-text mark.lit")
    expect(lit.first).to_be_focused()
    assert "".join(lit.all_text_contents()) == officers["evidence"]["quote"]

    page.locator(f"a.ref[data-claim='{officers['id']}']").click()
    expect(row).to_be_focused()
    expect(row).to_have_class("claim st-conflict lit")
    screenshot(page, "article", full_page=False)
    assert requests.outside() == []
    assert serious_violations(page) == []


def test_rejected_claims_and_the_run_are_shown(page: Page, service: Service) -> None:
    article_id = _article_id(service, "Harbor Wire")
    run = service.get("/claims", article_id=article_id)["data"][0]["run_id"]
    stored = service.get(f"/runs/{run}")
    page.goto(f"{service.url}/pages/articles/{article_id}")
    runs = page.locator("table.runs tbody tr").first
    expect(runs).to_contain_text(stored["model"])
    expect(runs).to_contain_text(stored["prompt_version"])
    expect(runs).to_contain_text(f"{stored['prompt_tokens']:,} / {stored['completion_tokens']:,}")
    rejected = service.get(f"/articles/{article_id}/rejected")["data"]
    folded = page.locator("details.rejected")
    if rejected:
        expect(folded).not_to_have_attribute("open", "")
        folded.locator("summary").click()
        expect(folded).to_contain_text(rejected[0]["reason"])
    else:
        expect(folded).to_have_count(0)


def test_the_article_page_reads_on_a_phone(page: Page, service: Service) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{service.url}/pages/articles/{_article_id(service, 'Harbor Wire')}")
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 390
    screenshot(page, "article-phone", full_page=False)
    assert serious_violations(page) == []


ROW_HEIGHTS = """() => [...document.querySelectorAll('table.runs tr')]
  .map(row => row.getBoundingClientRect().height)"""
RUNS_OVERFLOW = """() => { const region = document.querySelector('table.runs').closest('.scroll');
  return region.scrollWidth - region.clientWidth; }"""


def test_the_runs_table_has_one_line_a_row(page: Page, service: Service) -> None:
    """Each row, the header's too, is one line of text: no tall row that looks empty."""
    page.goto(f"{service.url}/pages/articles/{_article_id(service, 'Nairobi Ledger')}")
    one_line = page.evaluate(
        "() => { const cell = document.querySelector('table.runs tbody td');"
        " const style = getComputedStyle(cell);"
        " return parseFloat(style.lineHeight) + parseFloat(style.paddingTop)"
        " + parseFloat(style.paddingBottom) + 1; }"  # and the row's border
    )
    header, *rows = page.evaluate(ROW_HEIGHTS)
    assert rows, "the article has no run listed"
    for height in (header, *rows):
        assert height <= one_line + 0.5, (header, rows, one_line)
    # On a laptop the table is under both panes and needs no scrolling.
    assert page.evaluate(RUNS_OVERFLOW) == 0
    page.locator("table.runs").scroll_into_view_if_needed()
    screenshot(page, "article-runs", full_page=False)

    page.set_viewport_size({"width": 390, "height": 844})
    header, *rows = page.evaluate(ROW_HEIGHTS)
    for height in (header, *rows):
        assert height <= one_line + 0.5, (header, rows, one_line)


def _article_id(service: Service, outlet: str) -> int:
    articles = service.get("/articles", outlet=outlet)["data"]
    assert articles, f"no article from {outlet}"
    return int(articles[0]["id"])
