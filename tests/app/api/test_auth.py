"""Access control: API keys and their scopes, per-key request rates, CORS, key settings."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from typing import Any

import fastapi.routing
import pytest
from fastapi.routing import APIRoute
from sqlalchemy import Engine
from sqlmodel import Session, func, select

from app.api.auth import INVALID_KEY, MISSING_KEY, get_rate_limiter
from app.api.main import app
from app.api.ratelimit import RateLimiter
from app.core.config import ApiKey, ApiKeyScope, Settings
from app.store.models import Article, ExtractionRun
from tests.conftest import ClientFactory, load_article

WRITE_KEY = "nr-write-0123456789abcdef"
READ_KEY = "ar-read-0123456789abcdef"
WRONG_KEY = "no-such-key-0123456789abcdef"
KEYS = [
    ApiKey(name="newsroom", key=WRITE_KEY, scope=ApiKeyScope.write),
    ApiKey(name="archive", key=READ_KEY, scope=ApiKeyScope.read),
]
OPEN_PATHS = {"/healthz"}
ORIGIN = "https://newsroom.example"


def keyed(*, keys: list[ApiKey] = KEYS, **overrides: Any) -> Settings:
    return Settings(
        llm_mode="replay", database_url="sqlite://", _env_file=None, api_keys=keys, **overrides
    )


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def protected_routes() -> list[tuple[str, str]]:
    """(method, path) of every API route but the open ones, however FastAPI nests them."""
    # FastAPI 0.16x keeps included routers nested; earlier versions copy their routes.
    flatten = getattr(fastapi.routing, "iter_route_contexts", None)
    routes: list[Any] = list(flatten(app.routes) if flatten else app.routes)
    found = []
    for route in routes:
        original = getattr(route, "original_route", route)
        # The pages and /docs (app.web, out of the schema) answer in HTML: tests/app/web.
        api = isinstance(original, APIRoute) and original.include_in_schema
        if api and route.path not in OPEN_PATHS:
            found += [(method, route.path) for method in sorted(route.methods)]
    return found


ROUTES = protected_routes()


def test_the_route_walk_sees_every_router() -> None:
    assert ("POST", "/articles") in ROUTES and ("DELETE", "/claims/{claim_id}") in ROUTES
    assert ("GET", "/schemas") in ROUTES and ("POST", "/entities/{entity_id}/aliases") in ROUTES
    assert len(ROUTES) >= 18


@pytest.mark.parametrize(("method", "path"), ROUTES, ids=[f"{m} {p}" for m, p in ROUTES])
def test_every_route_refuses_a_missing_or_wrong_key(
    make_client: ClientFactory, engine: Engine, method: str, path: str
) -> None:
    client = make_client(keyed())
    url = re.sub(r"\{\w+\}", "1", path)

    missing = client.request(method, url)
    assert (missing.status_code, missing.json()) == (
        401,
        {"detail": MISSING_KEY, "reason": "unauthorized"},
    )
    assert missing.headers["WWW-Authenticate"] == "Bearer"

    for headers in (bearer(WRONG_KEY), {"X-API-Key": WRONG_KEY}):
        wrong = client.request(method, url, headers=headers)
        assert (wrong.status_code, wrong.json()) == (
            401,
            {"detail": INVALID_KEY, "reason": "unauthorized"},
        )
        assert wrong.headers["WWW-Authenticate"] == 'Bearer error="invalid_token"'

    read = client.request(method, url, headers=bearer(READ_KEY))
    if method == "GET":
        assert read.status_code not in (401, 403, 429)
    else:
        detail = f"API key 'archive' has read scope; {method} {url} needs write scope"
        assert (read.status_code, read.json()) == (403, {"detail": detail, "reason": "forbidden"})
    with Session(engine) as session:
        assert session.exec(select(func.count()).select_from(Article)).one() == 0


@dataclass(frozen=True)
class Case:
    method: str
    path: str
    headers: dict[str, str]
    status: int
    detail: str | None = None  # the exact error message, when refused
    json: Any = None
    params: dict[str, str] = field(default_factory=dict)


ARTICLE = load_article("kenya-haiti-270")
CASES = [
    pytest.param(Case("GET", "/claims", {}, 401, MISSING_KEY), id="no-key"),
    pytest.param(Case("GET", "/claims", bearer(WRONG_KEY), 401, INVALID_KEY), id="wrong-key"),
    pytest.param(
        Case("GET", "/claims", {"Authorization": f"Basic {WRITE_KEY}"}, 401, MISSING_KEY),
        id="basic-scheme-is-no-key",
    ),
    pytest.param(Case("GET", "/claims", bearer(WRITE_KEY[:-1]), 401, INVALID_KEY), id="key-prefix"),
    pytest.param(Case("GET", "/claims", bearer(READ_KEY), 200), id="read-key-reads"),
    pytest.param(Case("GET", "/claims", {"X-API-Key": READ_KEY}, 200), id="x-api-key-header"),
    pytest.param(Case("GET", "/claims", bearer(WRITE_KEY), 200), id="write-key-reads"),
    pytest.param(Case("GET", "/schemas", bearer(READ_KEY), 200), id="schemas-need-a-key"),
    pytest.param(Case("GET", "/healthz", {}, 200), id="healthz-open"),
    pytest.param(Case("GET", "/openapi.json", {}, 200), id="openapi-open"),
    pytest.param(Case("GET", "/docs", {}, 200), id="docs-open"),
    pytest.param(
        Case("POST", "/articles", bearer(WRITE_KEY), 201, json=ARTICLE), id="write-key-writes"
    ),
    pytest.param(
        Case(
            "POST",
            "/articles",
            {"X-API-Key": READ_KEY},
            403,
            "API key 'archive' has read scope; POST /articles needs write scope",
            json=ARTICLE,
        ),
        id="read-key-cannot-submit",
    ),
    pytest.param(
        Case(
            "PATCH",
            "/claims/7",
            bearer(READ_KEY),
            403,
            "API key 'archive' has read scope; PATCH /claims/7 needs write scope",
            json={"actor": "a", "reason": "r"},
        ),
        id="read-key-cannot-correct",
    ),
    pytest.param(
        Case("DELETE", "/claims/7", bearer(WRITE_KEY), 404, "claim 7 not found"),
        id="write-key-reaches-the-route",
    ),
]


@pytest.mark.parametrize("case", CASES)
def test_access(make_client: ClientFactory, engine: Engine, case: Case) -> None:
    client = make_client(keyed())
    response = client.request(
        case.method, case.path, headers=case.headers, json=case.json, params=case.params
    )
    assert response.status_code == case.status, response.text
    if case.detail is not None:
        reason = {401: "unauthorized", 403: "forbidden", 404: "not_found"}[case.status]
        assert response.json() == {"detail": case.detail, "reason": reason}
    with Session(engine) as session:
        runs = session.exec(select(ExtractionRun)).all()
    assert [r.api_key_name for r in runs] == (["newsroom"] if case.status == 201 else [])


def test_without_keys_the_service_is_open_and_runs_have_no_key(
    make_client: ClientFactory, settings: Settings, engine: Engine
) -> None:
    client = make_client(settings)
    assert client.post("/articles", json=ARTICLE).status_code == 201
    assert client.get("/claims", headers=bearer(WRONG_KEY)).status_code == 200
    with Session(engine) as session:
        assert [r.api_key_name for r in session.exec(select(ExtractionRun))] == [None]


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_rate_limit_refuses_with_retry_after_then_recovers(make_client: ClientFactory) -> None:
    limited = [
        ApiKey(name="newsroom", key=WRITE_KEY, scope=ApiKeyScope.write, rpm=2),
        KEYS[1],
    ]
    client = make_client(keyed(keys=limited))
    clock = FakeClock()
    limiter = RateLimiter(clock=clock)
    app.dependency_overrides[get_rate_limiter] = lambda: limiter
    refusal = "rate limit of 2 requests per minute exceeded for key 'newsroom'; retry in 30 s"

    assert [client.get("/claims", headers=bearer(WRITE_KEY)).status_code for _ in "ab"] == [
        200,
        200,
    ]
    third = client.get("/claims", headers=bearer(WRITE_KEY))
    assert (third.status_code, third.json()) == (429, {"detail": refusal, "reason": "rate_limited"})
    assert third.headers["Retry-After"] == "30"
    # Another key has its own limit (none), and a refused request is not counted.
    assert client.get("/claims", headers=bearer(READ_KEY)).status_code == 200
    clock.now += 10
    assert client.get("/claims", headers=bearer(WRITE_KEY)).headers["Retry-After"] == "20"
    clock.now += 20
    assert client.get("/claims", headers=bearer(WRITE_KEY)).status_code == 200
    assert client.get("/claims", headers=bearer(WRITE_KEY)).status_code == 429


def test_token_bucket_refills_at_rpm_per_minute() -> None:
    clock = FakeClock()
    limiter = RateLimiter(clock=clock)
    assert [limiter.acquire("k", 120) for _ in range(120)] == [0] * 120
    assert limiter.acquire("k", 120) == 1  # one more every half second
    clock.now += 0.5
    assert (limiter.acquire("k", 120), limiter.acquire("k", 120)) == (0, 1)
    assert limiter.acquire("slow", 1) == 0 and limiter.acquire("slow", 1) == 60


def test_cors_is_off_by_default(make_client: ClientFactory, settings: Settings) -> None:
    client = make_client(settings)
    response = client.get("/healthz", headers={"Origin": ORIGIN})
    assert response.status_code == 200
    assert "access-control-allow-origin" not in response.headers
    preflight = client.options(
        "/articles", headers={"Origin": ORIGIN, "Access-Control-Request-Method": "POST"}
    )
    assert "access-control-allow-origin" not in preflight.headers


def test_cors_allows_the_configured_origins(make_client: ClientFactory) -> None:
    client = make_client(keyed(cors_origins=[ORIGIN]))
    simple = client.get("/claims", headers={"Origin": ORIGIN, **bearer(READ_KEY)})
    assert simple.headers["access-control-allow-origin"] == ORIGIN
    other = client.get("/claims", headers={"Origin": "https://elsewhere.example"})
    assert "access-control-allow-origin" not in other.headers
    # A browser's preflight carries no key: it is answered before access control.
    preflight = client.options(
        "/articles",
        headers={
            "Origin": ORIGIN,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization, content-type",
        },
    )
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == ORIGIN
    assert "POST" in preflight.headers["access-control-allow-methods"]
    assert "Authorization" in preflight.headers["access-control-allow-headers"]


def test_openapi_declares_both_schemes_on_protected_routes_only(
    make_client: ClientFactory, settings: Settings
) -> None:
    spec = make_client(settings).get("/openapi.json").json()
    assert spec["components"]["securitySchemes"] == {
        "HTTPBearer": {
            "type": "http",
            "scheme": "bearer",
            "description": "An API key of FACTDIFF_API_KEYS, as a bearer token",
        },
        "APIKeyHeader": {
            "type": "apiKey",
            "in": "header",
            "name": "X-API-Key",
            "description": "An API key of FACTDIFF_API_KEYS",
        },
    }
    either: list[dict[str, list[str]]] = [{"HTTPBearer": []}, {"APIKeyHeader": []}]
    assert spec["paths"]["/articles"]["post"]["security"] == either
    assert spec["paths"]["/claims"]["get"]["security"] == either
    assert "401" in spec["paths"]["/claims"]["get"]["responses"]
    assert "security" not in spec["paths"]["/healthz"]["get"]


def test_start_up_log_says_whether_keys_are_required(
    make_client: ClientFactory, settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="factdiff")
    with make_client(settings.model_copy(update={"worker_concurrency": 0})):
        pass
    with make_client(keyed(worker_concurrency=0)):
        pass
    lines = [r.getMessage() for r in caplog.records if "API key" in r.getMessage()]
    assert lines == [
        "No API keys configured (FACTDIFF_API_KEYS): the API is open to anyone who can reach it.",
        "API keys required; 2 configured: newsroom (write), archive (read)",
    ]
    assert WRITE_KEY not in caplog.text and READ_KEY not in caplog.text
