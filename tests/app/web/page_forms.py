"""A page's form read as a browser reads it, for tests that post it back."""

from __future__ import annotations

from html.parser import HTMLParser


class FormFields(HTMLParser):
    """The fields a browser posts from one form of a page: each input's value, each
    textarea's text, each select's selected option."""

    def __init__(self, action: str) -> None:
        super().__init__()
        self.action, self.inside = action, False
        self.fields: dict[str, str] = {}
        self.open: tuple[str, str] | None = None  # a textarea or select being read

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.inside = a.get("action", "").startswith(self.action)
        elif self.inside and tag == "input":
            self.fields[a["name"]] = a.get("value", "")
        elif self.inside and tag in ("textarea", "select"):
            self.open = (tag, a["name"])
            self.fields[a["name"]] = ""
        elif self.inside and tag == "option" and self.open and "selected" in a:
            self.fields[self.open[1]] = a["value"]

    def handle_data(self, data: str) -> None:
        if self.open and self.open[0] == "textarea":
            self.fields[self.open[1]] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.inside = False
        elif self.open and tag == self.open[0]:
            self.open = None


def posted_fields(page: str, action: str) -> dict[str, str]:
    parser = FormFields(action)
    parser.feed(page)
    assert parser.fields, f"no form posting to {action}"
    return parser.fields
