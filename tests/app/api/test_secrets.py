"""Credentials written into a url are never served nor stored: FACTDIFF_LLM_BASE_URL with
user:password@ or ?api_key= in /healthz, in runs and in POST /articles answers; an article's
url; and the endpoints runs stored before, scrubbed by a migration. /healthz shows an
anonymous caller only whether the service is up."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import respx
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text
from sqlmodel import Session

from alembic import command
from app.api.deps import get_engine
from app.api.main import app
from app.core.config import ApiKey, Settings
from app.core.redaction import strip_credentials
from app.store.db import alembic_config, make_engine, migrate
from app.store.models import ExtractionRun
from tests.conftest import ClientFactory
from tests.llm_stub import ok, tool_completion

SECRET_URL = "https://proxyuser:hunter2-secret@llm.example.org:8443/v1"
SHOWN_URL = "https://llm.example.org:8443/v1"
# A query in the base url does not survive the SDK's joining of paths, but a run may have
# stored one all the same.
SECRET_QUERY_URL = "https://proxyuser:hunter2-secret@llm.example.org:8443/v1?api_key=sk-leak&r=eu"
SHOWN_QUERY_URL = "https://llm.example.org:8443/v1?r=eu"
TEXT = "Kenya deployed an additional 217 police officers to Haiti on Saturday."
KEY = "newsroom-key-0123456789"


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        (SECRET_URL, SHOWN_URL),
        (SECRET_QUERY_URL, SHOWN_QUERY_URL),
        ("http://user@10.0.0.5:11434/v1", "http://10.0.0.5:11434/v1"),
        ("http://a:b@[::1]:8000/v1", "http://[::1]:8000/v1"),
        ("https://h.example/v1?sig=x&se=2030&sp=r", "https://h.example/v1?se=2030&sp=r"),
        ("https://h.example/v1?access_token=x&X-Api-Key=y", "https://h.example/v1"),
        ("https://h.example/v1?api-version=2024-10-21", "https://h.example/v1?api-version=2024-10-21"),
        ("https://h.example/a%20b?q=a%20b", "https://h.example/a%20b?q=a%20b"),
        ("replay:/srv/fixtures", "replay:/srv/fixtures"),
    ],
)  # fmt: skip
def test_strip_credentials(url: str, shown: str) -> None:
    assert strip_credentials(url) == shown


@pytest.fixture
def secret_settings() -> Settings:
    return Settings(  # type: ignore[call-arg]
        llm_mode="live",
        llm_base_url=SECRET_URL,
        llm_api_key="sk-test",
        database_url="sqlite://",
        _env_file=None,
    )


@pytest.fixture
def secret_client(
    make_client: ClientFactory, secret_settings: Settings, backend: Engine
) -> Iterator[TestClient]:
    with respx.mock(assert_all_called=False) as mock:
        mock.post(host="llm.example.org", path="/v1/chat/completions").mock(
            return_value=ok(tool_completion([]))
        )
        client = make_client(secret_settings)
        app.dependency_overrides[get_engine] = lambda: backend
        yield client


def assert_no_secret(response: httpx.Response) -> None:
    for secret in ("hunter2", "proxyuser", "sk-leak", "api_key"):
        assert secret not in response.text


def test_the_llm_url_is_shown_and_stored_without_credentials(
    secret_client: TestClient, backend: Engine
) -> None:
    health = secret_client.get("/healthz")
    submitted = secret_client.post("/articles", json={"text": TEXT})
    run_id = submitted.json()["run"]["id"]
    run = secret_client.get(f"/runs/{run_id}")

    assert health.json()["llm_endpoint"] == SHOWN_URL
    assert submitted.status_code == 201, submitted.text
    assert submitted.json()["run"]["endpoint"] == SHOWN_URL
    assert run.json()["endpoint"] == SHOWN_URL
    for response in (health, submitted, run):
        assert_no_secret(response)
    with Session(backend) as session:
        stored = session.get(ExtractionRun, run_id)
        assert stored is not None and stored.endpoint == SHOWN_URL


def test_the_credentials_still_reach_the_endpoint(
    make_client: ClientFactory, secret_settings: Settings
) -> None:
    """Stripped from what is shown, not from what is sent: the proxy still sees them."""
    client = make_client(secret_settings)
    with respx.mock(assert_all_called=True) as mock:
        route = mock.post(host="llm.example.org", path="/v1/chat/completions").mock(
            return_value=ok(tool_completion([]))
        )
        client.post("/articles", json={"text": TEXT})

    sent = route.calls[0].request
    assert (sent.url.host, sent.url.port) == ("llm.example.org", 8443)
    # httpx sends a url's userinfo as basic auth.
    basic = base64.b64encode(b"proxyuser:hunter2-secret").decode()
    assert sent.headers["authorization"] == f"Basic {basic}"


def test_an_article_url_is_stored_without_credentials(
    secret_client: TestClient, backend: Engine
) -> None:
    url = "https://editor:pw123@news.example/story?id=7&token=abc"
    response = secret_client.post("/articles", json={"text": TEXT, "url": url})

    assert response.status_code == 201, response.text
    article = response.json()["article"]
    assert article["url"] == "https://news.example/story?id=7"
    assert secret_client.get(f"/articles/{article['id']}").json()["url"] == (
        "https://news.example/story?id=7"
    )


def keyed(settings: Settings) -> Settings:
    key = ApiKey(name="newsroom", key=KEY, scope="write")  # type: ignore[arg-type]
    return settings.model_copy(update={"api_keys": [key]})


@pytest.mark.parametrize(
    ("headers", "full"),
    [
        ({}, False),
        ({"Authorization": "Bearer wrong-key-0123456789"}, False),
        ({"X-API-Key": "wrong-key-0123456789"}, False),
        ({"Authorization": f"Bearer {KEY}"}, True),
        ({"X-API-Key": KEY}, True),
    ],
)
def test_healthz_shows_an_anonymous_caller_only_whether_the_service_is_up(
    make_client: ClientFactory, secret_settings: Settings, headers: dict[str, str], full: bool
) -> None:
    client = make_client(keyed(secret_settings))

    response = client.get("/healthz", headers=headers)

    assert response.status_code == 200
    if full:
        assert response.json() == {
            "status": "ok",
            "database": "ok",
            "llm_mode": "live",
            "llm_endpoint": SHOWN_URL,
            "model": "gpt-4.1-mini",
        }
    else:
        assert response.json() == {"status": "ok", "database": "ok"}
    assert_no_secret(response)


def test_the_migration_scrubs_endpoints_runs_stored(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "1a1242f10c35")  # the revision before the scrub
    endpoints = [SECRET_QUERY_URL, "http://localhost:11434/v1", "replay:/srv/fixtures/llm"]
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO article (id, content_hash, text, created_at) "
                "VALUES (1, :hash, 'x', '2026-11-27 00:00:00')"
            ),
            {"hash": "0" * 64},
        )
        for i, endpoint in enumerate(endpoints, start=1):
            connection.execute(
                text(
                    "INSERT INTO extraction_run (id, article_id, cache_key, schema_name, "
                    "schema_version, prompt_version, model, endpoint, llm_mode, "
                    "instructor_mode, status, llm_calls, http_requests, prompt_tokens, "
                    "completion_tokens, cached_tokens, usage_by_attempt, chunks, "
                    "claims_count, rejected_count, attempts, created_at) VALUES (:id, 1, "
                    ":key, 'news_claims', 'v1', 'p', 'm', :endpoint, 'live', 'tools', "
                    "'SUCCEEDED', 1, 1, 1, 1, 0, '[]', 1, 0, 0, 1, '2026-11-27 00:00:00')"
                ),
                {"id": i, "key": str(i) * 64, "endpoint": endpoint},
            )

    migrate(engine)

    with engine.connect() as connection:
        stored = connection.execute(
            text("SELECT endpoint FROM extraction_run ORDER BY id")
        ).scalars()
        assert list(stored) == [
            SHOWN_QUERY_URL,
            "http://localhost:11434/v1",
            "replay:/srv/fixtures/llm",
        ]
    engine.dispose()
