"""Request limits (app/api/limits.py) and text edge cases, alike on SQLite and PostgreSQL."""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator

import pytest
import respx
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, select

from app.api.deps import get_engine
from app.api.main import app
from app.core.config import Settings
from app.extract.chunking import split_text
from app.store.models import Article, ExtractionRun
from tests.conftest import LIVE_BASE_URL, ClientFactory
from tests.llm_stub import ok, tool_completion


@pytest.fixture
def client(
    backend: Engine, make_client: ClientFactory, live_settings: Settings
) -> Iterator[TestClient]:
    """The live client over a mocked endpoint that finds no claim in any article."""
    with respx.mock(base_url=LIVE_BASE_URL, assert_all_called=False) as mock:
        mock.post("/chat/completions").mock(return_value=ok(tool_completion([])))
        http = make_client(live_settings)
        app.dependency_overrides[get_engine] = lambda: backend
        yield http


def stored(engine: Engine) -> tuple[list[Article], list[ExtractionRun]]:
    with Session(engine) as session:
        return list(session.exec(select(Article)).all()), list(
            session.exec(select(ExtractionRun)).all()
        )


def test_a_chunked_10_mb_body_is_refused_while_it_streams(
    client: TestClient, backend: Engine
) -> None:
    sent = 0

    def body() -> Iterator[bytes]:
        nonlocal sent
        yield b'{"text": "'
        for _ in range(100):
            sent += 100_000
            yield b"x" * 100_000
        yield b'"}'

    # No Content-Length: the size is only known by counting.
    response = client.post(
        "/articles", content=body(), headers={"content-type": "application/json"}
    )

    assert response.status_code == 413
    assert response.json() == {
        "detail": "the request body is over 5065536 bytes (FACTDIFF_MAX_BODY_BYTES)",
        "reason": "too_large",
    }
    assert stored(backend) == ([], [])


def test_nul_is_refused_on_both_backends(client: TestClient, backend: Engine) -> None:
    response = client.post("/articles", json={"text": "Kenya sent\x00 217 officers."})

    assert response.status_code == 422
    assert response.json()["detail"] == [
        {
            "loc": ["body", "text"],
            "msg": "contains NUL characters, which cannot be stored",
            "type": "nul_character",
        }
    ]
    assert stored(backend) == ([], [])


def test_other_control_characters_are_stored_as_sent(client: TestClient) -> None:
    text = "Kenya sent 217 officers.\x07\x1b[31m\tHaiti\x7f\r\nEnd."

    response = client.post("/articles", json={"text": text})

    assert response.status_code == 201, response.text
    article_id = response.json()["article"]["id"]
    assert client.get(f"/articles/{article_id}").json()["text"] == text


def test_a_200000_character_single_line_is_accepted_and_chunked(client: TestClient) -> None:
    sentence = "Kenya sent 217 police officers to Haiti on Saturday. "
    text = (sentence * 4000)[:200_000]
    assert "\n" not in text

    response = client.post("/articles", json={"text": text})

    assert response.status_code == 201, response.text
    body = response.json()
    assert body["article"]["chars"] == 200_000
    assert body["run"]["chunks"] == len(split_text(text, token_budget=3000, overlap_tokens=200))


def test_a_line_without_any_break_is_cut_into_overlapping_chunks() -> None:
    chunks = split_text("x" * 200_000, token_budget=3000, overlap_tokens=200)

    assert [len(c.text) for c in chunks[:2]] == [12_000, 12_000]
    assert chunks[1].start == 12_000 - 800  # the overlap, with no boundary to move to
    assert chunks[-1].end == 200_000
    assert all(b.start < a.end for a, b in itertools.pairwise(chunks))


def test_the_body_limit_admits_the_largest_article_escaped_to_ascii(
    client: TestClient, backend: Engine
) -> None:
    # 200,000 characters outside the BMP: JSON escapes each as a \\uXXXX surrogate pair.
    text = "𝐀" * 200_000
    content = json.dumps({"text": text}).encode("ascii")
    assert len(content) == 2_400_012

    response = client.post(
        "/articles", content=content, headers={"content-type": "application/json"}
    )

    assert response.status_code == 201, response.text
    assert response.json()["article"]["chars"] == 200_000
    assert len(stored(backend)[0]) == 1


def test_max_body_bytes_overrides_the_derived_limit() -> None:
    derived = Settings(_env_file=None)  # type: ignore[call-arg]
    assert derived.body_limit == 5_065_536  # fetch_max_bytes of HTML, plus 64 KiB
    small = Settings(max_body_bytes=1000, _env_file=None)  # type: ignore[call-arg]
    assert small.body_limit == 1000
