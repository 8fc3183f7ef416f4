"""Bad requests: each gets a 4xx with a message that says what is wrong, and stores nothing."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.core.config import Settings
from app.store.models import Article, ExtractionRun
from tests.conftest import ClientFactory

SMALL_LIMIT = 100
LONG_TITLE = "T" * 600  # over ArticleCreate.title's 500 characters


@dataclass(frozen=True)
class Case:
    method: str
    path: str
    status: int
    fragment: str
    json: Any = None
    content: bytes | None = None
    headers: dict[str, str] = field(default_factory=dict)
    params: dict[str, Any] = field(default_factory=dict)
    small_limit: bool = False  # use a Settings with max_article_chars=SMALL_LIMIT
    limits: dict[str, int] = field(default_factory=dict)  # other Settings overrides


def post(
    status: int,
    fragment: str,
    *,
    small_limit: bool = False,
    limits: dict[str, int] | None = None,
    **body: Any,
) -> Case:
    return Case(
        "POST", "/articles", status, fragment, small_limit=small_limit, limits=limits or {}, **body
    )


def raw(status: int, fragment: str, content: bytes) -> Case:
    headers = {"content-type": "application/json"}
    return Case("POST", "/articles", status, fragment, content=content, headers=headers)


def get(path: str, status: int, fragment: str, **params: Any) -> Case:
    return Case("GET", path, status, fragment, params=params)


BIG = 2**63
CASES = [
    pytest.param(post(422, "text is empty", json={"text": ""}), id="empty-text"),
    pytest.param(post(422, "text is empty", json={"text": " \n\t\u3000 "}), id="whitespace-text"),
    pytest.param(
        post(
            413,
            f"article text is {SMALL_LIMIT + 1} characters; the limit is {SMALL_LIMIT} "
            "(FACTDIFF_MAX_ARTICLE_CHARS)",
            json={"text": "x" * (SMALL_LIMIT + 1)},
            small_limit=True,
        ),
        id="text-over-limit",
    ),
    pytest.param(
        raw(400, "could not be decoded: send JSON encoded as UTF-8", b'{"text": "caf\xe9 \xff"}'),
        id="non-utf8-bytes",
    ),
    pytest.param(raw(400, "malformed JSON body", b'{"text": "unterminated'), id="malformed-json"),
    pytest.param(raw(422, "Field required", b""), id="empty-body"),
    pytest.param(
        post(422, "Input should be a valid dictionary", json=["text", "Kenya"]), id="json-list"
    ),
    pytest.param(post(422, "Field required", json={"title": "No text"}), id="missing-text"),
    pytest.param(post(422, "Input should be a valid string", json={"text": 217}), id="text-number"),
    pytest.param(
        post(422, "Extra inputs are not permitted", json={"text": "Kenya.", "author": "x"}),
        id="unknown-field",
    ),
    pytest.param(
        post(
            400,
            "unknown schema 'no_such_schema'; available: news_claims@v1, news_claims@v2, "
            "quantities@v1",
            json={"text": "Kenya.", "schema": "no_such_schema"},
        ),
        id="unknown-schema",
    ),
    pytest.param(
        post(
            400,
            "unknown schema 'news_claims@v9'",
            json={"text": "Kenya.", "schema": "news_claims@v9"},
        ),
        id="unknown-schema-version",
    ),
    pytest.param(
        post(422, "at most 500 characters", json={"text": "Kenya.", "title": LONG_TITLE}),
        id="title-too-long",
    ),
    pytest.param(
        post(422, "valid datetime", json={"text": "Kenya.", "published_at": "last Saturday"}),
        id="bad-published-at",
    ),
    pytest.param(
        Case(
            "POST",
            "/articles",
            422,
            "valid boolean",
            json={"text": "Kenya."},
            params={"wait": "maybe"},
        ),
        id="bad-wait-flag",
    ),
    pytest.param(get("/articles/999", 404, "article 999 not found"), id="unknown-article"),
    pytest.param(
        get("/articles/999/claims", 404, "article 999 not found"), id="unknown-article-claims"
    ),
    pytest.param(
        get("/articles/999/rejected", 404, "article 999 not found"), id="unknown-article-rejected"
    ),
    pytest.param(get("/runs/999", 404, "run 999 not found"), id="unknown-run"),
    pytest.param(get("/runs/999/rejected", 404, "run 999 not found"), id="unknown-run-rejected"),
    pytest.param(get("/articles/0", 422, "greater than or equal to 1"), id="article-id-0"),
    pytest.param(get("/runs/0", 422, "greater than or equal to 1"), id="run-id-0"),
    pytest.param(
        get(f"/articles/{BIG}", 422, "less than or equal to 2147483647"),
        id="article-id-over-2**63",
    ),
    pytest.param(
        get(f"/runs/{BIG}", 422, "less than or equal to 2147483647"),
        id="run-id-over-2**63",
    ),
    pytest.param(
        get("/claims", 422, "less than or equal to 2147483647", article_id=BIG),
        id="claims-article-id-over-2**63",
    ),
    pytest.param(
        # Ids are 32-bit INTEGER columns on PostgreSQL.
        get(f"/articles/{2**31}", 422, "less than or equal to 2147483647"),
        id="article-id-over-2**31",
    ),
    pytest.param(get("/articles/abc", 422, "valid integer"), id="article-id-not-a-number"),
    pytest.param(
        get("/claims", 400, "malformed cursor: pass the next_cursor", cursor="not-a-cursor"),
        id="malformed-cursor",
    ),
    pytest.param(
        # base64url of {"after": -1}: well-formed, but not an id.
        get("/claims", 400, "malformed cursor", cursor="eyJhZnRlciI6IC0xfQ"),
        id="cursor-negative-id",
    ),
    pytest.param(get("/claims", 422, "greater than or equal to 1", limit=-1), id="negative-limit"),
    pytest.param(get("/claims", 422, "greater than or equal to 1", limit=0), id="limit-0"),
    pytest.param(get("/claims", 422, "less than or equal to 500", limit=10**6), id="limit-huge"),
    pytest.param(
        get("/articles", 422, "greater than or equal to 1", limit=0), id="articles-limit-0"
    ),
    pytest.param(
        get("/articles", 422, "greater than or equal to 0", offset=-1), id="articles-offset-neg"
    ),
    pytest.param(
        get(
            "/claims",
            400,
            "date_to is before date_from",
            date_from="2025-01-18",
            date_to="2025-01-17",
        ),
        id="date-to-before-date-from",
    ),
    pytest.param(get("/claims", 422, "valid date", date_from="2025-13-01"), id="bad-date"),
    pytest.param(
        get("/claims", 422, "Input should be 'event', 'quantity'", claim_type="rumour"),
        id="invalid-claim-type",
    ),
    pytest.param(
        post(
            413,
            "article needs up to 12 LLM calls (4 chunk(s) × 3 attempt(s)); the limit is 8 "
            "(FACTDIFF_MAX_LLM_CALLS_PER_ARTICLE)",
            json={"text": "Kenya sent 217 more officers to Haiti. " * 70},
            limits={
                "chunk_token_budget": 200,
                "chunk_overlap_tokens": 0,
                "llm_validation_retries": 2,
                "max_llm_calls_per_article": 8,
            },
        ),
        id="llm-calls-over-limit",
    ),
    pytest.param(
        post(
            413,
            "input tokens (1 chunk(s) × 2 attempt(s)); the limit is 1000 "
            "(FACTDIFF_MAX_INPUT_TOKENS_PER_ARTICLE)",
            json={"text": "Kenya sent 217 more officers to Haiti."},
            limits={"max_input_tokens_per_article": 1000},
        ),
        id="input-tokens-over-limit",
    ),
    pytest.param(
        raw(
            413,
            "the request body is over 5065536 bytes (FACTDIFF_MAX_BODY_BYTES)",
            b'{"text": "' + b"x" * 10_000_000 + b'"}',
        ),
        id="10-mb-body",
    ),
    pytest.param(
        post(
            413,
            "article text is 200001 characters; the limit is 200000 (FACTDIFF_MAX_ARTICLE_CHARS)",
            json={"text": "x" * 200_001},  # one line, no space
        ),
        id="single-line-over-limit",
    ),
    pytest.param(
        post(
            422,
            "body.text: contains NUL characters, which cannot be stored",
            json={"text": "Kenya sent 217\x00 officers."},
        ),
        id="nul-in-text",
    ),
    pytest.param(
        post(
            422,
            "body.title: contains NUL characters",
            json={"text": "Kenya sent 217 officers.", "title": "Kenya\x00"},
        ),
        id="nul-in-title",
    ),
    pytest.param(
        get("/claims", 422, "query.q: contains NUL characters", q="Kenya\x00"), id="nul-in-query"
    ),
    pytest.param(
        get("/diff", 422, "query.left: contains NUL", left="outlet:A\x00", right="outlet:B"),
        id="nul-in-diff-side",
    ),
]


def small_limit_settings() -> Settings:
    return Settings(
        llm_mode="replay",
        database_url="sqlite://",
        max_article_chars=SMALL_LIMIT,
        _env_file=None,
    )


def message(response: Any) -> str:
    """The error's words, however the detail is shaped (string, list of errors, object)."""
    detail = response.json()["detail"]
    if isinstance(detail, str):
        return detail
    if isinstance(detail, list):
        return "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in detail)
    return str(detail.get("message", detail))


def send(client: TestClient, case: Case) -> Any:
    return client.request(
        case.method,
        case.path,
        json=case.json,
        content=case.content,
        headers=case.headers,
        params=case.params,
    )


@pytest.mark.parametrize("case", CASES)
def test_bad_input_is_a_clear_4xx_and_stores_nothing(
    make_client: ClientFactory, settings: Settings, session: Session, case: Case
) -> None:
    limited = settings.model_copy(update=case.limits)
    client = make_client(small_limit_settings() if case.small_limit else limited)

    response = send(client, case)

    assert response.status_code == case.status, response.text
    assert 400 <= response.status_code < 500
    assert case.fragment in message(response)
    # Never echo the input back.
    assert LONG_TITLE not in response.text
    assert session.exec(select(Article)).all() == []
    assert session.exec(select(ExtractionRun)).all() == []


def test_validation_errors_point_at_the_field(client: TestClient) -> None:
    response = client.post("/articles", json={"text": 217, "extra": True})

    assert response.status_code == 422
    locs = {tuple(e["loc"]) for e in response.json()["detail"]}
    assert locs == {("body", "text"), ("body", "extra")}


def test_text_at_the_limit_passes_the_size_check(
    make_client: ClientFactory, session: Session
) -> None:
    client = make_client(small_limit_settings())

    response = client.post("/articles", json={"text": "x" * SMALL_LIMIT})

    # Past the size check it reaches the LLM, which has no fixture for it: 503, not 413.
    assert response.status_code == 503, response.text
    assert response.json()["detail"]["reason"] == "llm_unavailable"
    assert len(session.exec(select(Article)).all()) == 1


def test_unknown_ids_are_404_even_with_data_stored(client: TestClient) -> None:
    response = client.post("/articles", json={"text": "No fixture answers this one."})
    assert response.status_code == 503
    detail = response.json()["detail"]

    assert client.get(f"/articles/{detail['article_id'] + 1}").status_code == 404
    assert client.get(f"/runs/{detail['run_id'] + 1}").status_code == 404
    assert client.get(f"/articles/{detail['article_id']}").status_code == 200
    assert client.get(f"/runs/{detail['run_id']}").status_code == 200
