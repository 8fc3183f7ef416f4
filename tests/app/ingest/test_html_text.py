"""HTML sent as text: what counts as HTML, and the plain text made of it."""

from __future__ import annotations

import html

import pytest

from app.ingest.html_text import html_to_text, looks_like_html
from tests.conftest import load_article

PAGE = """<!DOCTYPE html>
<html><head><title>Kenya reinforces Haiti mission</title><style>p { color: red }</style></head>
<body><nav><a href="/">Home</a> | <a href="/world">World</a> | <a href="/login">Log in</a></nav>
<article><h1>Kenya reinforces Haiti mission</h1>
<p>Kenya sent a further 217 police officers to Haiti on Saturday to reinforce the
Multinational Security Support mission, officials in Nairobi said.</p>
<p>The new contingent brings the Kenyan deployment to about 600 officers, according to the
interior ministry, which said more would follow in the coming weeks.</p></article>
<footer>Copyright 2025 Example Daily. All rights reserved.</footer>
<script>trackPageView();</script></body></html>"""


XHTML = (
    '<?xml version="1.0" encoding="iso-8859-1"?>\n'
    '<html xmlns="http://www.w3.org/1999/xhtml"><body><p>Kenya sent 217 officers.</p></body></html>'
)


@pytest.mark.parametrize(
    "text",
    [
        PAGE,
        "<!doctype html><title>x</title><p>Kenya.</p>",
        "<p>Kenya sent 217 officers.</p>",
        "  \n<div>Kenya sent 217 officers.</div>",
        "<!-- from the CMS --><p>Kenya sent 217 officers.</p>",
        "<h2>Haiti</h2>Kenya sent 217 officers.<br>More follow.",
        "<ul><li>217 officers</li></ul>",
        XHTML,
    ],
)
def test_html_is_recognised(text: str) -> None:
    assert looks_like_html(text) is True


@pytest.mark.parametrize(
    "text",
    [
        "Kenya sent 217 officers.",
        "Turnout was 40% < 45% predicted.",
        "a < b and b > c",
        "<3 to the officers who went",
        "<Kenya> said the memo, <p> marks a paragraph",  # first tag is no HTML tag
        "<b>Kenya</b> sent 217 officers.",  # inline markup only: left as sent
        "x <p>y</p>",  # does not start with markup
        "",
    ],
)
def test_plain_text_with_angle_brackets_is_not_html(text: str) -> None:
    assert looks_like_html(text) is False


@pytest.mark.parametrize(
    ("fragment", "text"),
    [
        ("<p>Kenya sent 217 officers.</p>", "Kenya sent 217 officers."),
        (
            "<p>Kenya   sent\n  217\tofficers.</p>\n\n<p>More will follow.</p>",
            "Kenya sent 217 officers.\n\nMore will follow.",
        ),
        ("<p>Line one<br>line two</p>", "Line one\nline two"),
        ("<div>Lead<p>Body</p>tail</div>", "Lead\n\nBody\n\ntail"),
        ("<ul><li>217 officers</li><li>600 in all</li></ul>", "217 officers\n\n600 in all"),
        ("<p>Profits &amp; losses: 5 &lt; 6</p>", "Profits & losses: 5 < 6"),
        (
            "<p>Kept<script>alert(1)</script><style>p{}</style><!-- a note --> clean.</p>",
            "Kept clean.",
        ),
        # A no-break space is article text, not layout: it stays.
        ("<p>Haïti\u00a0: 217\u202fpoliciers</p>", "Haïti\u00a0: 217\u202fpoliciers"),
    ],
)
def test_a_fragment_keeps_all_its_text_as_plain_paragraphs(fragment: str, text: str) -> None:
    assert html_to_text(fragment) == text


def test_paragraph_markup_round_trips_to_the_same_article_text() -> None:
    article = load_article("kenya-haiti-217")["text"]
    markup = "\n".join(f"<p>{html.escape(p)}</p>" for p in article.split("\n\n"))

    assert html_to_text(markup) == article


def test_a_page_keeps_its_main_text_without_navigation_or_footer() -> None:
    text = html_to_text(PAGE)

    assert (
        "Kenya sent a further 217 police officers to Haiti on Saturday to reinforce the "
        "Multinational Security Support mission, officials in Nairobi said."
    ) in text
    assert "about 600 officers" in text
    for boilerplate in ("Log in", "Copyright", "trackPageView", "color: red"):
        assert boilerplate not in text


def test_xhtml_with_an_xml_declaration_is_converted() -> None:
    # lxml refuses a str that declares an encoding; the declaration is dropped first.
    assert html_to_text(XHTML) == "Kenya sent 217 officers."


def test_markup_without_text_is_empty() -> None:
    assert html_to_text("<div><script>render()</script><!-- nothing --></div>") == ""
