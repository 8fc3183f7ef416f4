"""Each error body /docs shows is the one the service sends, word for word.

For each documented example the test makes the error happen and compares the body with the
example read from /openapi.json. Where a body names ids or a fixture's hash that the test's
database numbers its own way, digits are set aside ("fact 74" reads as "fact #").
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pytest_httpserver import HTTPServer

from app.core.config import ApiKey, ApiKeyScope, Settings
from tests.app.api.routes.test_articles_url import allowed_client, page_url
from tests.app.api.routes.test_diff import load_samples
from tests.app.api.test_auth import READ_KEY, WRITE_KEY, bearer
from tests.conftest import ClientFactory, load_article

CURATOR = {"actor": "desk@example.org", "reason": "checking the documented refusals"}


@dataclass(frozen=True)
class Case:
    name: str
    method: str
    path: str
    status: int
    request: dict[str, Any] = field(default_factory=dict)
    numbered: bool = False  # ids differ from a `make run` database's

    @property
    def template(self) -> str:
        name = PARAMS.get(self.path.split("/")[1], "")
        return re.sub(r"/\d+", lambda _: "/{" + name + "}", self.path, count=1)


PARAMS = {"articles": "article_id", "claims": "claim_id", "runs": "run_id", "facts": "fact_id",
          "entities": "entity_id"}  # fmt: skip
NOT_GROUNDED = {
    "statement": "Kenya sent 300 officers to Haiti today.",
    "claim_type": "event",
    "subject": {"name": "Kenya", "type": "country"},
    "predicate": "sent",
    "quantity": {"value": 300, "unit": "officers", "qualifier": "exact"},
    "modality": "asserted",
    "evidence": "Kenya sent 300 officers",
    **CURATOR,
}
# On the samples as `make run` loads them (claim 26: Nairobi Ledger's 270; 12: Harbor Wire's 217).
SEEDED = [
    Case("dates_out_of_order", "GET", "/claims", 400,
         {"params": {"date_from": "2025-02-01", "date_to": "2025-01-01"}}),
    Case("bad_cursor", "GET", "/claims", 400, {"params": {"cursor": "abc"}}),
    Case("unknown_schema", "POST", "/articles", 400, {"json": {"text": "x", "schema": "nope"}}),
    Case("url_refused", "POST", "/articles", 400, {"json": {"url": "http://127.0.0.1/x"}}),
    Case("no_text_or_url", "POST", "/articles", 422, {"json": {"title": "x"}}),
    Case("article_too_long", "POST", "/articles", 413, {"json": {"text": "a" * 250_001}}),
    Case("side_unreadable", "GET", "/diff", 400, {"params": {"left": "foo", "right": "article:4"}}),
    Case("article_404", "GET", "/articles/999", 404),
    Case("article_404", "GET", "/diff", 404,
         {"params": {"left": "article:999", "right": "article:4"}}),
    Case("claim_404", "GET", "/claims/999", 404),
    Case("run_404", "GET", "/runs/999", 404),
    Case("entity_404", "POST", "/entities/999/aliases", 404,
         {"json": {"alias": "Kenyan government", "actor": "desk"}}),
    Case("entity_404", "GET", "/entities/999/audit", 404),
    Case("fact_404", "GET", "/facts/999", 404),
    Case("not_grounded", "POST", "/articles/4/claims", 422, {"json": NOT_GROUNDED}),
    Case("unknown_fact_kind", "POST", "/articles/4/claims", 422,
         {"json": {**NOT_GROUNDED, "fact_kind": "troops"}}),
    Case("nothing_to_change", "PATCH", "/claims/12", 422, {"json": CURATOR}),
    Case("merge_into_itself", "POST", "/facts/1/merge", 422,
         {"json": {"other_fact_id": 1, **CURATOR}}),
]  # fmt: skip


def documented(client: TestClient, case: Case) -> Any:
    operation = client.get("/openapi.json").json()["paths"][case.template][case.method.lower()]
    media = operation["responses"][str(case.status)]["content"]["application/json"]
    return media["examples"][case.name]["value"]


def sent(client: TestClient, case: Case, **headers: str) -> Any:
    request = {**case.request, "headers": {**case.request.get("headers", {}), **headers}}
    response = client.request(case.method, case.path, **request)
    assert response.status_code == case.status, response.text
    return response.json()


def numbers_aside(body: Any) -> str:
    text = body if isinstance(body, str) else json.dumps(body, sort_keys=True)
    return re.sub(r"\d+", "#", text)


@pytest.mark.parametrize("case", SEEDED, ids=lambda c: f"{c.name}-{c.method}-{c.path}")
def test_a_refusal_is_sent_as_documented(client: TestClient, case: Case) -> None:
    load_samples(client)
    assert sent(client, case) == documented(client, case)


def test_refusals_of_curated_claims_and_facts_are_sent_as_documented(client: TestClient) -> None:
    load_samples(client)
    retract = {"params": {"actor": "desk", "reason": "a test"}}
    assert client.delete("/claims/26", params=retract["params"]).status_code == 200
    again = Case("claim_not_active", "DELETE", "/claims/26", 409, retract)
    assert sent(client, again) == documented(client, again)

    (fact,) = client.get("/facts", params={"entity": "Kenya"}).json()["data"][:1]
    meridian = next(s["id"] for s in fact["sources"] if s["outlet"] == "Meridian Newswire")
    split = client.post(f"/facts/{fact['id']}/split", json={"claim_id": meridian, **CURATOR})
    alone = split.json()["fact"]["id"]
    only = Case("only_claim", "POST", f"/facts/{alone}/split", 409,
                {"json": {"claim_id": meridian, **CURATOR}})  # fmt: skip
    stranger = Case("claim_not_in_fact", "POST", f"/facts/{alone}/split", 422,
                    {"json": {"claim_id": 12, **CURATOR}})  # fmt: skip
    for case in (only, stranger):
        assert numbers_aside(sent(client, case)) == numbers_aside(documented(client, case))
    merge = {"other_fact_id": alone, **CURATOR}
    assert client.post(f"/facts/{fact['id']}/merge", json=merge).status_code == 200
    merged = Case("fact_merged", "POST", f"/facts/{alone}/merge", 409,
                  {"json": {"other_fact_id": fact["id"], **CURATOR}})  # fmt: skip
    assert numbers_aside(sent(client, merged)) == numbers_aside(documented(client, merged))


def test_a_fact_with_every_claim_retracted_answers_as_documented(client: TestClient) -> None:
    assert client.post("/articles", json=load_article("docs-example")).status_code == 201
    (fact,) = client.get("/facts").json()["data"]
    (source,) = fact["sources"]
    client.delete(f"/claims/{source['id']}", params={"actor": "desk", "reason": "a test"})
    case = Case("fact_retracted", "GET", f"/facts/{fact['id']}", 404)
    assert sent(client, case) == documented(client, case)


def test_an_article_without_an_llm_answer_is_refused_as_documented(
    client: TestClient, fixtures_root: Any
) -> None:
    text = {"text": "A text that has no fixture at all in replay mode."}
    case = Case("llm_unavailable", "POST", "/articles", 503, {"json": text})
    body = json.dumps(sent(client, case)).replace(str(fixtures_root), "FIXTURES")
    example = json.dumps(documented(client, case)).replace("/srv/factdiff/fixtures/llm", "FIXTURES")
    hashed = re.compile(r"sha256 [0-9a-f]{12}")
    assert numbers_aside(hashed.sub("sha256 #", body)) == numbers_aside(
        hashed.sub("sha256 #", example)
    )


@pytest.mark.parametrize(
    ("name", "path", "status", "served"),
    [
        ("not_html", "/report.pdf", 415, (b"%PDF-1.7", "application/pdf")),
        ("no_text", "/empty", 422, (b"<html><body></body></html>", "text/html")),
    ],
)
def test_a_url_that_gives_no_article_is_refused_as_documented(
    make_client: ClientFactory,
    settings: Settings,
    server: HTTPServer,
    name: str,
    path: str,
    status: int,
    served: tuple[bytes, str],
) -> None:
    server.expect_request(path).respond_with_data(served[0], content_type=served[1])
    client = allowed_client(make_client, settings, server)
    case = Case(name, "POST", "/articles", status, {"json": {"url": page_url(server, path)}})
    assert sent(client, case) == documented(client, case)


def test_key_refusals_are_sent_as_documented(make_client: ClientFactory) -> None:
    keys = [
        ApiKey(name="desk", key=WRITE_KEY, scope=ApiKeyScope.write, daily_tokens=1),
        ApiKey(name="reader", key=READ_KEY, scope=ApiKeyScope.read, rpm=1),
    ]
    client = make_client(Settings(llm_mode="replay", database_url="sqlite://", _env_file=None,
                                  api_keys=keys))  # type: ignore[call-arg]  # fmt: skip
    missing = Case("missing_key", "GET", "/claims", 401)
    invalid = Case("invalid_key", "GET", "/claims", 401)
    assert sent(client, missing) == documented(client, missing)
    assert sent(client, invalid, **bearer("not-a-key")) == documented(client, invalid)
    scope = Case("read_scope", "PATCH", "/claims/26", 403, {"json": {"actor": "a", "reason": "b"}})
    assert sent(client, scope, **bearer(READ_KEY)) == documented(client, scope)
    # The reader's one request of the minute was the PATCH above.
    rate = Case("rate_limited", "GET", "/claims", 429)
    assert numbers_aside(sent(client, rate, **bearer(READ_KEY))) == numbers_aside(
        documented(client, rate)
    )
    first = client.post("/articles", json=load_article("docs-example"), headers=bearer(WRITE_KEY))
    assert first.status_code == 201, first.text
    budget = Case("budget_spent", "POST", "/articles", 429, {"json": {"text": "Another text."}})
    assert numbers_aside(sent(client, budget, **bearer(WRITE_KEY))) == numbers_aside(
        documented(client, budget)
    )


def test_body_and_parameter_refusals_are_sent_as_documented(client: TestClient) -> None:
    malformed = Case("malformed_json", "POST", "/articles", 400,
                     {"content": b'{"text": "a" "b"}',
                      "headers": {"content-type": "application/json"}})  # fmt: skip
    assert sent(client, malformed) == documented(client, malformed)
    for case in (
        Case("invalid_request", "GET", "/articles/abc", 422),
        Case("invalid_request", "GET", "/claims", 422, {"params": {"outlet": "Ha\x00rbor"}}),
        Case("invalid_request", "POST", "/facts/1/merge", 422,
             {"json": {"other_fact_id": 2, "reason": "no actor"}}),
    ):  # fmt: skip
        documented_at = Case(case.name, case.method, case.path.replace("abc", "4"), case.status)
        assert sent(client, case) == documented(client, documented_at)
