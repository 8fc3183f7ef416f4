"""Inputs a hostile client sent that reached a 500: each is now a 4xx with a reason, and
nothing is stored, alike on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

import pytest
import respx
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, select

from app.api.deps import get_engine
from app.api.main import app
from app.core.config import Settings
from app.store.models import Article, ExtractionRun
from tests.conftest import LIVE_BASE_URL, ClientFactory
from tests.llm_stub import claim, ok, tool_completion

TEXT = "Kenya deployed an additional 217 police officers to Haiti next year."
NEXT_YEAR = claim(
    "Kenya will deploy 217 police officers to Haiti next year.",
    "217 police officers to Haiti next year",
    value=217,
    time="next year",
)


@pytest.fixture
def client(
    backend: Engine, make_client: ClientFactory, live_settings: Settings
) -> Iterator[TestClient]:
    """The live client over a mocked endpoint that finds one dated claim in any article."""
    with respx.mock(base_url=LIVE_BASE_URL, assert_all_called=False) as mock:
        mock.post("/chat/completions").mock(return_value=ok(tool_completion([NEXT_YEAR])))
        http = make_client(live_settings)
        app.dependency_overrides[get_engine] = lambda: backend
        yield http


def stored(engine: Engine) -> tuple[int, int]:
    with Session(engine) as session:
        return len(session.exec(select(Article)).all()), len(
            session.exec(select(ExtractionRun)).all()
        )


SURROGATE = "contains a lone surrogate (\\ud800 to \\udfff), which is not a character"
SURROGATES = {
    "text": ('{"text": "Kenya \\ud800 sent officers."}', ["body", "text"]),
    "title": ('{"text": "Kenya sent officers.", "title": "\\udfff"}', ["body", "title"]),
    "outlet": ('{"text": "Kenya sent officers.", "outlet": "a\\uDBFFb"}', ["body", "outlet"]),
    "low-before-high": ('{"text": "Kenya \\udc00\\ud800 sent."}', ["body", "text"]),
    "unknown-key": ('{"text": "Kenya sent.", "\\ud800": 1}', ["body"]),
}


@pytest.mark.parametrize(("raw", "loc"), SURROGATES.values(), ids=SURROGATES.keys())
def test_a_lone_surrogate_is_refused(
    client: TestClient, backend: Engine, raw: str, loc: list[str]
) -> None:
    response = client.post("/articles", content=raw, headers={"content-type": "application/json"})

    assert response.status_code == 422, response.text
    assert response.json() == {
        "detail": [{"loc": loc, "msg": SURROGATE, "type": "lone_surrogate"}],
        "reason": "invalid_request",
    }
    assert stored(backend) == (0, 0)


def test_a_surrogate_pair_is_one_character_and_stored(client: TestClient) -> None:
    raw = '{"text": "Kenya sent 217 police officers to Haiti next year \\ud83d\\ude94."}'
    response = client.post("/articles", content=raw, headers={"content-type": "application/json"})

    assert response.status_code == 201, response.text
    text = "Kenya sent 217 police officers to Haiti next year \U0001f694."
    assert response.json()["article"]["chars"] == len(text) == 52


OUT_OF_RANGE = (
    "published_at is outside the range of dates once converted to UTC (0001-01-01 to 9999-12-31)"
)


@pytest.mark.parametrize("published_at", ["0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00"])
def test_published_at_past_the_datetime_range_in_utc_is_refused(
    client: TestClient, backend: Engine, published_at: str
) -> None:
    response = client.post("/articles", json={"text": TEXT, "published_at": published_at})

    assert response.status_code == 422, response.text
    assert response.json()["detail"] == [
        {"loc": ["body", "published_at"], "msg": OUT_OF_RANGE, "type": "value_error"}
    ]
    assert stored(backend) == (0, 0)


@pytest.mark.parametrize(
    ("published_at", "stored_as"),
    [
        ("0001-01-01T00:00:00Z", "0001-01-01T00:00:00Z"),
        ("0001-01-01T00:00:00-01:00", "0001-01-01T01:00:00Z"),
        ("9999-12-31T23:59:59Z", "9999-12-31T23:59:59Z"),
        ("9999-12-31T23:59:59+01:00", "9999-12-31T22:59:59Z"),
    ],
)
def test_published_at_at_the_edges_of_the_range_is_stored(
    client: TestClient, published_at: str, stored_as: str
) -> None:
    """At the edges, "next year" has no date to resolve to: the claim keeps its text."""
    response = client.post("/articles", json={"text": TEXT, "published_at": published_at})

    assert response.status_code == 201, response.text
    assert response.json()["article"]["published_at"] == stored_as
    (found,) = response.json()["claims"]
    assert found["time"]["text"] == "next year"


@pytest.mark.parametrize("side", ["article:١٢", "article:²", "run:୩", "article:１２", "run:1²"])
def test_a_source_id_in_other_digits_is_refused(client: TestClient, side: str) -> None:
    response = client.get("/diff", params={"left": side, "right": "article:1"})

    assert response.status_code == 400, response.text
    kind = side.split(":")[0]
    assert response.json() == {
        "detail": f"cannot read {side!r}: {kind} ids are positive integers",
        "reason": "invalid",
    }


def nested(depth: int, leaf: str) -> str:
    return '{"a": ' * depth + leaf + "}" * depth


@pytest.mark.parametrize("leaf", ['"x\\u0000y"', '"\\ud800"', '"plain"'])
def test_a_deeply_nested_body_is_a_400(client: TestClient, backend: Engine, leaf: str) -> None:
    response = client.post(
        "/articles",
        content=nested(100_000, leaf),
        headers={"content-type": "application/json"},
    )

    assert response.status_code == 400, response.text
    assert response.json() == {
        "detail": "the JSON body is nested too deeply",
        "reason": "malformed_json",
    }
    assert stored(backend) == (0, 0)


def test_a_nested_nul_within_parsing_depth_is_located(client: TestClient) -> None:
    response = client.post(
        "/articles",
        content='{"text": "ok", "url": ' + nested(50, '"x\\u0000"') + "}",
        headers={"content-type": "application/json"},
    )

    assert response.status_code == 422, response.text
    (error,) = response.json()["detail"]
    assert error["loc"] == ["body", "url", *["a"] * 50]
    assert error["type"] == "nul_character"


def test_100k_unknown_keys_get_a_short_422(client: TestClient, backend: Engine) -> None:
    body = {"text": TEXT, **{f"unknown_field_{i:06d}": i for i in range(100_000)}}
    raw = json.dumps(body)
    assert len(raw) > 1_400_000

    started = time.monotonic()
    response = client.post("/articles", content=raw, headers={"content-type": "application/json"})

    assert response.status_code == 422
    assert len(response.content) < 5_000
    answer = response.json()
    assert (answer["reason"], answer["errors_omitted"]) == ("invalid_request", 100_000 - 20)
    assert answer["detail"][0] == {
        "loc": ["body", "unknown_field_000000"],
        "msg": "Extra inputs are not permitted",
        "type": "extra_forbidden",
    }
    assert len(answer["detail"]) == 20
    assert time.monotonic() - started < 30
    assert stored(backend) == (0, 0)


@pytest.mark.parametrize("length", [b"\xb2", b"\xb9\xb2", b"\xb3\xb3\xb3\xb3\xb3\xb3\xb3"])
def test_a_content_length_in_superscript_digits_is_no_500(
    client: TestClient, length: bytes
) -> None:
    """Latin-1 superscripts pass str.isdigit(), and int() refuses them."""
    response = client.post(
        "/articles",
        content=b'{"text": "x"}',
        headers={"content-type": "application/json", "content-length": length},
    )

    assert response.status_code == 400, response.text
    assert response.json() == {
        "detail": "the Content-Length header is not a number of bytes",
        "reason": "bad_request",
    }
