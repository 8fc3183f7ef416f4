"""/docs and /redoc load their scripts and styles from the service, and read in sentences."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient


def test_the_docs_pages_load_every_asset_from_the_service(client: TestClient) -> None:
    for path in ("/docs", "/redoc"):
        page = client.get(path)
        assert page.status_code == 200
        assert "default-src 'self'" in page.headers["content-security-policy"]
        assets = re.findall(r'(?:src|href)="([^"]+)"', page.text)
        assert assets, path
        for url in assets:
            assert url.startswith("/static/docs/"), (path, url)
            assert client.get(url).status_code == 200, url


def test_operations_are_summarised_in_sentences(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert paths["/articles"]["post"]["summary"] == (
        "Submit an article's text or url: extract its grounded claims (or reuse the stored run)."
    )
    assert paths["/facts"]["get"]["summary"] == (
        "List the fact ledger: every source's claims clustered by fact, conflicts first."
    )
    assert not any(p.startswith("/pages") for p in paths), "pages are not API operations"
