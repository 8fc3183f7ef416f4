"""Undecided pairs (a conflict held back as ambiguous) shown to the reader: in GET /diff's JSON,
in its Markdown, and on the diff page, never counted in the summary."""

from __future__ import annotations

import lxml.html
import pytest
import respx
from fastapi.testclient import TestClient

from app.core.config import Settings
from tests.app.indicators import (
    QUOTE_A,
    QUOTE_CORE,
    extraction_answer,
    post_indicator_articles,
)
from tests.conftest import LIVE_BASE_URL, ClientFactory

HELD_WHY = (
    "They differ, but another claim matches one of them about as well, so calling this pair a "
    "conflict would be a guess."
)
HELD_EXPLANATION = (
    "held back, as another claim matches one side about as well: figure decides: "
    "3.4 percent vs 2.9 percent (estmark · had consumer price growth of)"
)


@pytest.fixture
def sides(make_client: ClientFactory, live_settings: Settings) -> tuple[TestClient, dict[str, str]]:
    with respx.mock:
        respx.post(f"{LIVE_BASE_URL}/chat/completions").mock(side_effect=extraction_answer)
        http = make_client(live_settings)
        a, b, _ = post_indicator_articles(http)
    return http, {"left": f"article:{a}", "right": f"article:{b}"}


def test_the_json_lists_the_held_back_conflict_as_undecided_and_does_not_count_it(
    sides: tuple[TestClient, dict[str, str]],
) -> None:
    http, params = sides
    response = http.get("/diff", params=params)
    assert response.status_code == 200, response.text
    diff = response.json()
    assert diff["pairs"] == []
    assert diff["summary"] == {
        "agree": 0, "conflict": 0, "refines": 0, "updates": 0, "only_left": 1, "only_right": 2,
    }  # fmt: skip
    [held] = diff["undecided"]
    assert held["relation"] == "conflict"
    assert held["explanation"] == HELD_EXPLANATION
    assert held["why"] == HELD_WHY
    assert held["score"] == 0.999  # one economy, month and measure family, and the quotes agree
    assert (held["left"]["evidence"]["quote"], held["right"]["evidence"]["quote"]) == (
        QUOTE_A,
        QUOTE_CORE,
    )
    assert (held["left"]["outlet"], held["right"]["outlet"]) == ("Harbor Wire", "Nairobi Ledger")
    assert held["left"]["quantity"] == {"value": 3.4, "unit": "percent", "qualifier": "exact"}
    assert held["right"]["quantity"]["value"] == 2.9
    # Its claims are still each side's own: nothing was paired.
    assert [c["id"] for c in diff["only_left"]] == [held["left"]["id"]]
    assert held["right"]["id"] in [c["id"] for c in diff["only_right"]]


def test_sides_swapped_the_pair_is_mirrored(sides: tuple[TestClient, dict[str, str]]) -> None:
    http, params = sides
    swapped = http.get("/diff", params={"left": params["right"], "right": params["left"]}).json()
    [held] = swapped["undecided"]
    assert (held["left"]["evidence"]["quote"], held["right"]["evidence"]["quote"]) == (
        QUOTE_CORE,
        QUOTE_A,
    )
    assert held["why"] == HELD_WHY


def test_the_markdown_has_a_to_check_section_after_the_pairs(
    sides: tuple[TestClient, dict[str, str]],
) -> None:
    http, params = sides
    md = http.get("/diff", params=params | {"format": "md"}).text
    left, right = (params[side].replace(":", " ") for side in ("left", "right"))
    titles = [line for line in md.splitlines() if line.startswith("## ")]
    assert titles == [
        "## Conflicts (0)",
        "## Updates (0)",
        "## Refinements (0)",
        "## Agreements (0)",
        "## To check: may be the same fact (1)",
        f"## Only in {left} (1)",
        f"## Only in {right} (2)",
    ]
    assert "Not counted above: each pair may be one fact, but the diff could not tell." in md
    assert "| value | 3.4 percent | 2.9 percent |" in md
    assert f"> **{left}** (Harbor Wire, chars 0–63): “{QUOTE_A}”" in md
    assert f"> **{right}** (Nairobi Ledger, chars 0–64): “{QUOTE_CORE}”" in md
    assert f"Why: {HELD_WHY} Alignment score 1.00." in md
    assert "**conflicts: 0 · updates: 0 · refinements: 0 · agreements: 0 ·" in md


def test_the_page_shows_the_pair_to_check_with_both_quotes_after_the_relations(
    sides: tuple[TestClient, dict[str, str]],
) -> None:
    http, params = sides
    response = http.get("/pages/diff", params=params)
    assert response.status_code == 200
    page = lxml.html.fromstring(response.text)
    headings = [h.text_content() for h in page.xpath("//section[contains(@class, 'pairs')]/h2")]
    assert headings == ["To check: may be the same fact (1)", "Said by one side only"]
    assert page.xpath("string(//p[@class='summary'])") == (
        "0 conflicts, 0 updates, 0 refinements, 0 agreements; 1 only left, 2 only right."
    )
    [section] = page.xpath("//section[contains(@class, 'to-check')]")
    assert "These pairs are not counted in the summary above" in section.text_content()
    [card] = section.xpath(".//article[contains(@class, 'pair')]")
    assert card.xpath("string(.//h3)") == f"To check: {HELD_WHY}"
    quotes = [q.text_content() for q in card.xpath(".//blockquote")]
    assert quotes == [f"“{QUOTE_A}”", f"“{QUOTE_CORE}”"]
    assert "3.4 percent" in card.xpath("string(.//div[starts-with(@data-key, 'L')])")
    assert "2.9 percent" in card.xpath("string(.//div[starts-with(@data-key, 'R')])")
