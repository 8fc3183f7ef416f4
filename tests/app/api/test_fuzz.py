"""Schemathesis over the live OpenAPI schema, on SQLite and on PostgreSQL.

Every operation gets generated requests, valid and invalid; every answer must be no 5xx, a
documented status code and content type, and a body matching its documented schema.
PostgreSQL refuses NUL characters that SQLite stores, and 64-bit ids overflow both, so a
SQLite-only run would hide 500s. The run is summarised in reports/schemathesis.md.

The schema is loaded with ``from_dict`` from the app's own /openapi.json rather than with
``from_asgi``: schemathesis' ASGI client starts the app's lifespan once per process, with
the default settings and database, which a test must not touch. Requests go through the
test's own client (its engine, settings, LLM) and are checked with ``validate_response``.

The LLM is the real openai + instructor client against a respx mock that answers any
article with one claim quoting its first words, so generated articles reach grounding and
storage (replay mode would stop every new article at a 503 "no fixture"). The url fetcher
is a stub: no network.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import respx
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from pydantic import SecretStr
from schemathesis.checks import CHECKS as CHECK_REGISTRY
from schemathesis.checks import load_all_checks
from sqlalchemy import Engine

from app.api.deps import get_engine, get_fetcher
from app.api.main import app
from app.core.config import PROJECT_ROOT, ApiKey, ApiKeyScope, Settings
from app.ingest.fetch import FetchedPage, Fetcher
from app.store.db import migrate
from tests.app.store.test_db import postgres_engine  # noqa: F401  (fixture)
from tests.conftest import LIVE_BASE_URL, ClientFactory
from tests.llm_stub import claim, ok, request_article, tool_completion

# schemathesis sends generated bodies and cookies through the test client in ways httpx
# deprecates; thousands of those warnings would bury the suite's own.
pytestmark = [
    pytest.mark.filterwarnings("ignore:Use 'content=<...>':DeprecationWarning"),
    pytest.mark.filterwarnings("ignore:Setting per-request cookies:DeprecationWarning"),
]

MAX_EXAMPLES = 30  # per operation and backend: the suite runs on 2 cores in CI
# Every check schemathesis has, the stateful ones (which send further requests of their own
# through the test's app) included.
load_all_checks()  # the OpenAPI checks register themselves when loaded
CHECKS = CHECK_REGISTRY.get_all()
REPORT = PROJECT_ROOT / "reports" / "schemathesis.md"
FUZZ_SECRET = "fuzz-key-0123456789abcdef"
FUZZ_KEY = ApiKey(name="fuzz", key=SecretStr(FUZZ_SECRET), scope=ApiKeyScope.write)

schema = schemathesis.openapi.from_dict(TestClient(app).get("/openapi.json").json())
# What from_asgi would set: the checks that send requests of their own send them to the app,
# through the test's client (``session`` below), never over the network.
schema.app = app
schema.config.generation.update(max_examples=MAX_EXAMPLES, deterministic=True)
# A request valid by the schema may still be refused for what no schema can say: date_to
# before date_from, evidence not found in the article, a claim already retracted, a per-article
# limit. Those refusals are documented 4xx; a 3xx or a 5xx is never right.
schema.config.checks.positive_data_acceptance.expected_statuses = [
    "2xx", "400", "401", "403", "404", "409", "413", "422", "429"
]  # fmt: skip
fuzz = hypothesis_settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    # The database fixture is per test, not per example, on purpose: later examples meet
    # what earlier ones stored.
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


class StubFetcher(Fetcher):
    """Any url is a page with the same short text; nothing leaves the process."""

    async def fetch(self, url: str) -> FetchedPage:
        return FetchedPage(url=url, text="Kenya sent 400 police officers to Haiti on Friday.")


def answer(request: httpx.Request) -> httpx.Response:
    """One claim quoting the article's first words: grounded or rejected, it is stored."""
    words = " ".join(request_article(request).split()[:8])[:120]
    if len(words) < 3:  # the schema's shortest quote
        return ok(tool_completion([]))
    return ok(tool_completion([claim("The article says something.", words)]))


class Tally:
    """What the run saw, per backend and operation, for the report."""

    def __init__(self) -> None:
        self.statuses: dict[tuple[str, str], Counter[int]] = defaultdict(Counter)
        self.failures: dict[tuple[str, str], set[str]] = defaultdict(set)

    def markdown(self) -> str:
        lines = [
            "# Schemathesis run",
            "",
            f"{MAX_EXAMPLES} generated cases at most per operation and backend; checks: "
            + ", ".join(c.__name__ for c in CHECKS)
            + ".",
            "",
            "| backend | operation | requests | statuses | failures |",
            "|---|---|---|---|---|",
        ]
        for key in sorted(self.statuses):
            statuses = self.statuses[key]
            codes = ", ".join(f"{code}×{n}" for code, n in sorted(statuses.items()))
            failures = "; ".join(sorted(self.failures.get(key, ()))) or "-"
            lines.append(f"| {key[0]} | {key[1]} | {statuses.total()} | {codes} | {failures} |")
        return "\n".join(lines) + "\n"

    def summary(self) -> str:
        requests = sum(c.total() for c in self.statuses.values())
        failed = sum(len(f) for f in self.failures.values())
        return (
            f"schemathesis: {requests} requests over {len(self.statuses)} operation runs, "
            f"{failed} failure(s); report in {REPORT.relative_to(PROJECT_ROOT)}"
        )


TALLY = Tally()


@pytest.fixture(scope="module", autouse=True)
def report(request: pytest.FixtureRequest) -> Iterator[None]:
    yield
    if not TALLY.statuses:
        return
    REPORT.parent.mkdir(exist_ok=True)
    REPORT.write_text(TALLY.markdown(), encoding="utf-8")
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    if reporter is not None and capture is not None:
        with capture.global_and_fixture_disabled():
            reporter.write_line("\n" + TALLY.summary())


@pytest.fixture
def fuzz_client(make_client: ClientFactory, live_settings: Settings) -> Iterator[TestClient]:
    settings = live_settings.model_copy(
        # No workers run here: a queued run that a request waits for would wait 300 s.
        # With a key configured, the ignored_auth check has authentication to leave out.
        update={"request_wait_s": 0.5, "llm_max_retries": 0, "api_keys": [FUZZ_KEY]}
    )
    with respx.mock(base_url=LIVE_BASE_URL, assert_all_called=False) as mock:
        mock.post("/chat/completions").mock(side_effect=answer)
        client = make_client(settings)
        app.dependency_overrides[get_fetcher] = lambda: StubFetcher(
            timeout_s=1, max_bytes=settings.fetch_max_bytes, max_redirects=0
        )
        yield client


def check(case: Any, client: TestClient, backend: str) -> None:
    case.headers = {**(case.headers or {}), "Authorization": f"Bearer {FUZZ_SECRET}"}
    kwargs = case.as_transport_kwargs(base_url=str(client.base_url))
    response = client.request(**kwargs)
    key = (backend, f"{case.operation.method.upper()} {case.operation.path}")
    TALLY.statuses[key][response.status_code] += 1
    try:
        case.validate_response(
            response,
            checks=CHECKS,
            headers=kwargs.get("headers"),
            transport_kwargs={"session": client},
        )
    except BaseExceptionGroup as group:
        for failure in group.exceptions:
            TALLY.failures[key].add(f"{response.status_code} {getattr(failure, 'title', failure)}")
        raise


@schema.parametrize()
@fuzz
def test_api_on_sqlite(case: Any, fuzz_client: TestClient) -> None:
    check(case, fuzz_client, "sqlite")


@pytest.fixture
def pg_client(
    postgres_engine: Engine,  # noqa: F811
    make_client: ClientFactory,
    live_settings: Settings,
    fuzz_client: TestClient,
) -> TestClient:
    migrate(postgres_engine)
    app.dependency_overrides[get_engine] = lambda: postgres_engine
    return fuzz_client


@pytest.mark.postgres
@schema.parametrize()
@fuzz
def test_api_on_postgres(case: Any, pg_client: TestClient) -> None:
    check(case, pg_client, "postgres")


def test_report_lists_what_ran() -> None:
    tally = Tally()
    tally.statuses[("sqlite", "GET /claims")].update([200, 200, 422])
    tally.failures[("sqlite", "GET /claims")].add("500 Server error")

    assert "| sqlite | GET /claims | 3 | 200×2, 422×1 | 500 Server error |" in tally.markdown()
    assert tally.summary().startswith("schemathesis: 3 requests over 1 operation runs, 1 failure")
