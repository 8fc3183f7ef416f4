"""Every page asks for an API key when keys are configured, as every API route does."""

from __future__ import annotations

import re
from typing import Any

import fastapi.routing
import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func
from sqlmodel import Session, select

from app.api.main import app
from app.core.config import ApiKey, ApiKeyScope, Settings
from app.store.models import Article
from tests.conftest import ClientFactory

WRITE_KEY = "pages-write-0123456789abcdef"
READ_KEY = "pages-read-0123456789abcdef"
KEYS = [
    ApiKey(name="desk", key=WRITE_KEY, scope=ApiKeyScope.write),
    ApiKey(name="reader", key=READ_KEY, scope=ApiKeyScope.read),
]
# Open by design: the sign-in form itself, and the API's docs (as /openapi.json is).
OPEN = {"/pages/signin", "/pages/signout", "/docs", "/docs/oauth2-redirect", "/redoc"}


def page_routes() -> list[tuple[str, str]]:
    flatten = getattr(fastapi.routing, "iter_route_contexts", None)
    routes: list[Any] = list(flatten(app.routes) if flatten else app.routes)
    found = []
    for route in routes:
        original = getattr(route, "original_route", route)
        if isinstance(original, APIRoute) and not original.include_in_schema:
            found += [(m, route.path) for m in sorted(route.methods) if route.path not in OPEN]
    return found


PAGES = page_routes()


def test_the_walk_sees_every_page() -> None:
    assert ("GET", "/") in PAGES and ("POST", "/pages/claims/{claim_id}/retract") in PAGES
    assert ("GET", "/pages/ledger") in PAGES and ("POST", "/pages/submit") in PAGES
    assert len(PAGES) >= 9


@pytest.fixture
def keyed_client(make_client: ClientFactory) -> TestClient:
    settings = Settings(  # type: ignore[call-arg]
        llm_mode="replay", database_url="sqlite://", _env_file=None, api_keys=KEYS
    )
    return make_client(settings)


@pytest.mark.parametrize(("method", "path"), PAGES, ids=[f"{m} {p}" for m, p in PAGES])
def test_every_page_refuses_a_missing_or_wrong_key(
    keyed_client: TestClient, engine: Engine, method: str, path: str
) -> None:
    url = re.sub(r"\{\w+\}", "1", path)
    missing = keyed_client.request(method, url)
    assert missing.status_code == 401
    assert "<h1>Sign in needed</h1>" in missing.text
    assert "missing API key" in missing.text

    wrong_cookie = {"Cookie": "factdiff_key=no-such-key-12345678"}
    wrong = keyed_client.request(method, url, headers=wrong_cookie)
    assert wrong.status_code == 401
    assert "invalid API key" in wrong.text

    read = keyed_client.request(method, url, headers={"X-API-Key": READ_KEY})
    if method == "GET":
        assert read.status_code not in (401, 403, 429)
    else:
        assert read.status_code == 403
        assert "API key &#39;reader&#39; has read scope" in read.text
    with Session(engine) as session:
        assert session.exec(select(func.count()).select_from(Article)).one() == 0


def test_a_form_posted_from_another_site_is_refused(keyed_client: TestClient) -> None:
    response = keyed_client.post(
        "/pages/submit",
        data={"text": "Kenya sent 217 officers."},
        headers={"X-API-Key": WRITE_KEY, "Origin": "https://elsewhere.example"},
    )
    assert response.status_code == 403
    assert "a form from https://elsewhere.example cannot post here" in response.text


def test_signing_in_keeps_the_key_in_a_strict_http_only_cookie(keyed_client: TestClient) -> None:
    response = keyed_client.post(
        "/pages/signin", data={"key": READ_KEY, "next": "//evil.example/"}, follow_redirects=False
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/"  # never a redirect off the service
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"factdiff_key={READ_KEY};")
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie
