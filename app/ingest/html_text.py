"""HTML sent as an article's text, made into the plain text that is stored (pure: no DB, no web).

Claims' offsets index the stored text, so the conversion happens before the text is hashed
and stored: the LLM, the grounding and the reader all see the same plain text.
"""

from __future__ import annotations

import re

import lxml.html
import trafilatura
from lxml.etree import ParserError
from lxml.html.defs import block_tags, tags

# Tags that make a text a document or a block of markup, not a sentence with a "<" in it.
STRUCTURE_TAGS = frozenset(
    block_tags
    | {"html", "head", "body", "title", "br", "article", "section", "main", "header", "footer"}
    | {"nav", "aside", "figure", "figcaption", "blockquote"}
)
NEWLINE_TAGS = STRUCTURE_TAGS - {"html", "head", "body", "title"}
DROPPED = "//script|//style|//noscript|//template|//head"

# An XML declaration (XHTML) says nothing here: the text is a str already, and lxml refuses
# a str that declares its own encoding.
_XML_DECLARATION = re.compile(r"\A\s*<\?xml[^>]*\?>")
_FIRST_TAG = re.compile(r"\s*<(?:(!doctype\s+html)|(!--)|([a-zA-Z][a-zA-Z0-9]*)[\s/>])", re.I)
_OPENING_TAG = re.compile(r"<([a-zA-Z][a-zA-Z0-9]*)[\s/>]")
_DOCUMENT = re.compile(r"<(?:!doctype\s+html|html|head|body)[\s/>]", re.I)
# HTML collapses ASCII whitespace only: a no-break space in the article is kept.
_HTML_SPACE = re.compile(r"[ \t\n\r\f]+")
_BLANK_LINES = re.compile(r"\n{3,}")


def looks_like_html(text: str) -> bool:
    """True for an HTML document or a fragment with block markup; "a < b" stays text."""
    first = _FIRST_TAG.match(_XML_DECLARATION.sub("", text, count=1))
    if first is None:
        return False
    doctype, _comment, tag = first.groups()
    if doctype:
        return True
    if tag is not None and tag.lower() not in tags:
        return False
    return any(t.lower() in STRUCTURE_TAGS for t in _OPENING_TAG.findall(text))


def html_to_text(html: str) -> str:
    """The plain text of HTML: a page's main text by trafilatura, a fragment's whole text."""
    html = _XML_DECLARATION.sub("", html, count=1)
    text = None
    if _DOCUMENT.search(html):
        # A whole page carries navigation, footers and the like: keep its main text only.
        text = trafilatura.extract(
            html, favor_recall=True, include_comments=False, include_tables=True
        )
    if not text or not text.strip():
        # A fragment is all article: trafilatura would drop its short or leading lines.
        text = _lxml_text(html)
    return text.strip()


def _lxml_text(html: str) -> str:
    try:
        root = lxml.html.document_fromstring(html)
    except (ParserError, ValueError):
        return ""
    for element in root.xpath(DROPPED):
        element.drop_tree()
    for element in root.iter():
        # A line break in the source is a space; blocks make paragraphs and <br> a new line.
        element.text = _HTML_SPACE.sub(" ", element.text or "")
        element.tail = _HTML_SPACE.sub(" ", element.tail or "")
        if element.tag == "br":
            element.tail = "\n" + element.tail
        elif isinstance(element.tag, str) and element.tag in NEWLINE_TAGS:
            element.text = "\n\n" + element.text
            element.tail = "\n\n" + element.tail
    lines = (line.strip(" ") for line in root.text_content().split("\n"))
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip("\n")
