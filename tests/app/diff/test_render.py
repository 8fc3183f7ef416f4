"""Markdown rendering of a diff and a ledger: content, layout, and escaping of article text."""

from __future__ import annotations

import re

from app.diff.align import diff_claims
from app.diff.ledger import build_ledger
from app.diff.render import md_escape, render_diff_markdown, render_ledger_markdown
from tests.app.diff.test_align import claim, fixture_claims

Q217 = "Kenya dispatched 217 more police officers to Haiti on Saturday"
Q270 = "Kenya has sent another 270 police officers to Haiti"


def kenya_diff() -> str:
    result = diff_claims(fixture_claims("kenya-haiti-217"), fixture_claims("kenya-haiti-270"))
    return render_diff_markdown(result, "Harbor Wire", "Nairobi Ledger")


def test_diff_markdown_shows_both_quotes_values_and_offsets() -> None:
    md = kenya_diff()
    assert md.startswith("# Claim diff: Harbor Wire vs Nairobi Ledger\n")
    assert (
        "**conflicts: 1 · updates: 0 · refinements: 0 · agreements: 0 · only in Harbor Wire: 13"
        in md
    )
    assert f"> **Harbor Wire** (chars 17–79): “{Q217}”" in md
    assert f"> **Nairobi Ledger** (chars 18–69): “{Q270}”" in md
    assert "| value | 217 officers | 270 officers |" in md
    assert "| time | on Saturday (2025-01-18) | on Friday night (2025-01-17) |" in md


def test_diff_markdown_sections_in_order() -> None:
    md = kenya_diff()
    titles = re.findall(r"^## (.+?) \(\d+\)$", md, flags=re.M)
    assert titles == [
        "Conflicts",
        "Updates",
        "Refinements",
        "Agreements",
        "To check: may be the same fact",
        "Only in Harbor Wire",
        "Only in Nairobi Ledger",
    ]


def test_diff_markdown_offers_a_pair_just_under_the_threshold_to_check() -> None:
    md = kenya_diff()
    check = md[md.index("## To check: may be the same fact (1)") : md.index("## Only in")]
    assert "Not counted above: each pair may be one fact, but the diff could not tell." in check
    assert "| value | 1,000 personnel | no figure |" in check
    quote = "> **Harbor Wire** (chars 403–446): “Nairobi has promised 1,000 personnel in all”"
    why = "Why: They scored 0.52, under the 0.65 a pair needs. Alignment score 0.52."
    assert quote in check and why in check


def test_claim_text_cannot_break_the_layout_or_inject_html() -> None:
    hostile = "Kenya | deployed *217* `officers` <script>alert(1)</script> _now_\n# heading"
    a = claim(statement=hostile, quote="a | b <script>x</script>")
    b = claim(statement=hostile.replace("217", "270"), value=270)
    md = render_diff_markdown(diff_claims([a], [b]), "Left <b>", "Right | x")
    assert "<script>" not in md and "<b>" not in md
    assert "&lt;script&gt;" in md
    assert r"Kenya \| deployed \*217\* \`officers\`" in md
    assert r"\_now\_ \# heading" in md  # the newline is gone: no heading can start
    for line in md.splitlines():
        if line.startswith("|"):  # every table row keeps exactly its 4 unescaped pipes
            assert len(re.findall(r"(?<!\\)\|", line)) == 4, line


def test_md_escape() -> None:
    assert md_escape("a|b") == r"a\|b"
    assert md_escape("<img src=x>") == "&lt;img src=x&gt;"
    assert md_escape("[link](x)") == r"\[link\](x)"
    assert md_escape(None) == ""


def test_only_sections_list_unmatched_claims_with_quotes() -> None:
    md = kenya_diff()
    assert "Nairobi has promised 1,000 personnel in all" in md  # only in Harbor Wire
    assert "The United States has pledged over $300 million" in md  # only in Nairobi Ledger


def test_ledger_markdown() -> None:
    claims = [
        c
        for stem in ("kenya-haiti-217", "kenya-haiti-270", "kenya-haiti-wire")
        for c in fixture_claims(stem)
    ]
    md = render_ledger_markdown(build_ledger(claims))
    assert md.startswith("# Fact ledger\n")
    assert "· conflicts: 1 ·" in md
    assert Q217 in md and Q270 in md
    conflicts = md.index("## Conflicts (1)")
    assert conflicts < md.index(Q217) < md.index("## Consensus")
    assert "| Harbor Wire | 217 officers | on Saturday (2025-01-18) | asserted |" in md


def test_warnings_are_escaped_lines_under_the_summary() -> None:
    result = diff_claims(fixture_claims("kenya-haiti-217"), [])
    warning = "article 9 has no successful extraction (run 4 failed: <b>bad|gateway</b>)"

    md = render_diff_markdown(result, "Harbor Wire", "outlet X", warnings=[warning])
    ledger = render_ledger_markdown([], warnings=[warning, "… and 2 more articles"])

    escaped = (
        "> **Warning:** article 9 has no successful extraction "
        "(run 4 failed: &lt;b&gt;bad\\|gateway&lt;/b&gt;)"
    )
    lines = md.splitlines()
    assert lines[3:6] == ["", escaped, ""]
    assert ledger.splitlines()[3:7] == ["", escaped, "> **Warning:** … and 2 more articles", ""]
    assert "Warning" not in render_diff_markdown(result, "Harbor Wire", "outlet X")
