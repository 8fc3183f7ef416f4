"""The text to store for a submitted article: fetched from its url, or made plain from HTML.

This runs before anything is stored, so a refused url or a page without text stores nothing.
"""

from __future__ import annotations

import asyncio
from typing import Any

from app.core.redaction import strip_credentials
from app.ingest.fetch import Fetcher, FetchError
from app.ingest.html_text import html_to_text, looks_like_html
from app.store.models import ArticleCreate


async def resolve_text(body: ArticleCreate, fetcher: Fetcher) -> ArticleCreate:
    """The body with its final plain text, and its url without credentials (it is stored and
    shown); FetchError (status, message) when there is no text."""
    resolved = await _text_of(body, fetcher)
    if resolved.url and (url := strip_credentials(resolved.url)) != resolved.url:
        return resolved.model_copy(update={"url": url})
    return resolved


async def _text_of(body: ArticleCreate, fetcher: Fetcher) -> ArticleCreate:
    if not body.text:
        assert body.url  # ArticleCreate asks for one or the other
        page = await fetcher.fetch(body.url)
        # The request's own metadata wins over what the page says of itself.
        return _with(
            body,
            text=page.text,
            title=body.title or _clip(page.title, 500),
            outlet=body.outlet or _clip(page.sitename, 200),
            published_at=body.published_at or page.published_at,
        )
    if not looks_like_html(body.text):
        return body
    if len(body.text) > fetcher.max_bytes:
        raise FetchError(
            413,
            f"the HTML sent as text is {len(body.text)} characters; the limit is "
            f"{fetcher.max_bytes} (FACTDIFF_FETCH_MAX_BYTES)",
        )
    text = await asyncio.to_thread(html_to_text, body.text)
    if not text:
        raise FetchError(422, "no article text found in the HTML sent as text")
    return _with(body, text=text)


def _with(body: ArticleCreate, **changes: Any) -> ArticleCreate:
    # Validated again, so the new text is normalised (NFC) like any submitted text.
    return ArticleCreate.model_validate({**body.model_dump(by_alias=True), **changes})


def _clip(value: str | None, limit: int) -> str | None:
    return value[:limit] if value else None
