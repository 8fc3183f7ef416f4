"""POST /articles with a url (fetched from a local test server), and with HTML as its text.

The service's own fetcher refuses every private address; tests that need a page replace it
with one allowed to reach the local test server's address and port, and nothing else.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pytest_httpserver import HTTPServer
from sqlmodel import Session, select

from app.api.deps import get_fetcher
from app.api.main import app
from app.core.config import Settings
from app.ingest.fetch import Fetcher
from app.store.models import Article, ExtractionRun
from tests.conftest import ClientFactory, load_article
from tests.pages import STORY_HTML

SMALL_PAGE_LIMIT = 1000


def page_url(server: HTTPServer, path: str) -> str:
    return f"http://127.0.0.1:{server.port}{path}"


def allowed_client(
    make_client: ClientFactory, settings: Settings, server: HTTPServer
) -> TestClient:
    """A client whose fetcher may reach the local test server (its address and port only)."""
    client = make_client(settings)
    allowed = Fetcher(
        timeout_s=settings.fetch_timeout_s,
        max_bytes=settings.fetch_max_bytes,
        max_redirects=settings.fetch_max_redirects,
        allow=frozenset({("127.0.0.1", server.port)}),
    )
    app.dependency_overrides[get_fetcher] = lambda: allowed
    return client


def message(response: Any) -> str:
    detail = response.json()["detail"]
    if isinstance(detail, list):
        return "; ".join(e["msg"] for e in detail)
    return str(detail if isinstance(detail, str) else detail.get("message", detail))


def assert_grounded(text: str, claims: list[dict[str, Any]]) -> None:
    assert claims
    for claim in claims:
        evidence = claim["evidence"]
        assert text[evidence["char_start"] : evidence["char_end"]] == evidence["quote"], claim


def metadata_of(stem: str) -> dict[str, Any]:
    return {k: v for k, v in load_article(stem).items() if k != "text"}


# --- a url ---------------------------------------------------------------------------------


def test_a_fetched_article_is_stored_with_claims_that_index_its_text(
    make_client: ClientFactory, settings: Settings, server: HTTPServer
) -> None:
    article = load_article("kenya-haiti-217")
    server.expect_request("/harbor-wire/217").respond_with_data(
        article["text"].encode(), content_type="text/plain; charset=utf-8"
    )
    url = page_url(server, "/harbor-wire/217")
    client = allowed_client(make_client, settings, server)

    response = client.post("/articles", json={**metadata_of("kenya-haiti-217"), "url": url})

    assert response.status_code == 201, response.text
    body = response.json()
    stored = client.get(f"/articles/{body['article']['id']}").json()
    assert stored["text"] == article["text"]
    assert stored["url"] == url
    assert stored["title"] == article["title"]
    assert_grounded(stored["text"], body["claims"])
    assert any(c["quantity"] and c["quantity"]["value"] == 217 for c in body["claims"])


def test_a_fetched_page_gives_its_main_text_and_its_own_metadata(
    make_client: ClientFactory, settings: Settings, session: Session, server: HTTPServer
) -> None:
    server.expect_request("/story").respond_with_data(STORY_HTML, content_type="text/html")
    client = allowed_client(make_client, settings, server)

    response = client.post("/articles", json={"url": page_url(server, "/story")})

    # Extracted and stored; replay mode has no answer for this text, so the run fails.
    assert response.status_code == 503, response.text
    assert response.json()["detail"]["reason"] == "llm_unavailable"
    stored = client.get(f"/articles/{response.json()['detail']['article_id']}").json()
    assert stored["text"].startswith("Kenya reinforces Haiti mission\n")
    assert "officials in Nairobi said." in stored["text"]
    assert "Copyright" not in stored["text"]
    assert "Home" not in stored["text"]
    assert stored["title"] == "Kenya reinforces Haiti mission"
    assert stored["outlet"] == "Example Daily"
    assert stored["published_at"] == "2025-01-18T00:00:00Z"
    assert len(session.exec(select(Article)).all()) == 1


def test_the_requests_metadata_wins_over_the_pages(
    make_client: ClientFactory, settings: Settings, server: HTTPServer
) -> None:
    server.expect_request("/story").respond_with_data(STORY_HTML, content_type="text/html")
    client = allowed_client(make_client, settings, server)

    response = client.post(
        "/articles",
        json={"url": page_url(server, "/story"), "title": "Our title", "outlet": "Our desk"},
    )

    stored = client.get(f"/articles/{response.json()['detail']['article_id']}").json()
    assert (stored["title"], stored["outlet"]) == ("Our title", "Our desk")


def test_with_text_the_url_is_metadata_and_is_not_fetched(
    make_client: ClientFactory, settings: Settings, server: HTTPServer
) -> None:
    url = page_url(server, "/never-fetched")
    client = allowed_client(make_client, settings, server)

    response = client.post("/articles", json={**load_article("kenya-haiti-217"), "url": url})

    assert response.status_code == 201, response.text
    assert response.json()["article"]["url"] == url
    assert server.log == []


# --- HTML as text --------------------------------------------------------------------------


def test_html_sent_as_text_is_stored_as_plain_text_with_offsets_into_it(
    client: TestClient,
) -> None:
    article = load_article("kenya-haiti-217")
    markup = "\n".join(f"<p>{html.escape(p)}</p>" for p in article["text"].split("\n\n"))

    response = client.post("/articles", json={**article, "text": markup})

    assert response.status_code == 201, response.text
    body = response.json()
    stored = client.get(f"/articles/{body['article']['id']}").json()["text"]
    assert stored == article["text"]
    assert_grounded(stored, body["claims"])
    # The same words as plain text are the same article.
    again = client.post("/articles", json=article).json()
    assert (again["article"]["id"], again["reused"]) == (body["article"]["id"], True)


@pytest.mark.parametrize(
    "text",
    ["Turnout was 40% < 45% predicted, officials said.", "<3 from the <b>Kenyan</b> desk"],
)
def test_plain_text_with_angle_brackets_is_stored_as_sent(client: TestClient, text: str) -> None:
    response = client.post("/articles", json={"text": text})

    assert response.status_code == 503, response.text  # no fixture: stored, then 503
    stored = client.get(f"/articles/{response.json()['detail']['article_id']}").json()
    assert stored["text"] == text


# --- bad input: a clear 4xx or 502, and nothing stored -------------------------------------


@dataclass(frozen=True)
class Case:
    body: dict[str, Any]
    status: int
    message: str
    page: tuple[str, bytes, str, int] | None = None  # path, body, content type, status
    redirect_to: str | None = None


CASES = [
    pytest.param(
        Case({"title": "No text"}, 422, "Field required: send the article's text or a url"),
        id="neither-text-nor-url",
    ),
    pytest.param(
        Case({"url": "  "}, 422, "Field required: send the article's text or a url"),
        id="blank-url",
    ),
    pytest.param(
        Case({"text": "", "url": "https://example.org/a"}, 422, "text is empty"),
        id="empty-text-with-url",
    ),
    pytest.param(
        Case(
            {"url": "http://127.0.0.1:8000/admin"},
            400,
            "url refused: 127.0.0.1 is a loopback address",
        ),
        id="loopback",
    ),
    pytest.param(
        Case(
            {"url": "http://169.254.169.254/latest/meta-data/iam/"},
            400,
            "url refused: 169.254.169.254 is a cloud metadata address",
        ),
        id="cloud-metadata",
    ),
    pytest.param(
        Case(
            {"url": "http://[::ffff:10.0.0.1]/"},
            400,
            "url refused: ::ffff:10.0.0.1 is a private address",
        ),
        id="ipv4-mapped-private",
    ),
    pytest.param(
        Case({"url": "http://localhost/"}, 400, "url refused: localhost resolves to "),
        id="localhost",
    ),
    pytest.param(
        Case(
            {"url": "file:///etc/passwd"},
            400,
            "url refused: only http and https urls are fetched, not 'file'",
        ),
        id="file-scheme",
    ),
    pytest.param(
        Case(
            {"url": "/redirect"},
            400,
            "url refused: 169.254.169.254 is a cloud metadata address",
            redirect_to="http://169.254.169.254/latest/meta-data/",
        ),
        id="redirect-to-metadata",
    ),
    pytest.param(
        Case(
            {"url": "/report.pdf"},
            415,
            "unsupported content type 'application/pdf': the url must serve an HTML or "
            "plain-text page",
            page=("/report.pdf", b"%PDF-1.7", "application/pdf", 200),
        ),
        id="pdf",
    ),
    pytest.param(
        Case(
            {"url": "/big"},
            413,
            f"the page is larger than {SMALL_PAGE_LIMIT} bytes (FACTDIFF_FETCH_MAX_BYTES)",
            page=("/big", b"x" * (SMALL_PAGE_LIMIT + 1), "text/plain", 200),
        ),
        id="page-too-large",
    ),
    pytest.param(
        Case(
            {"url": "/empty"},
            422,
            "no article text found on the page",
            page=("/empty", b"<html><body></body></html>", "text/html", 200),
        ),
        id="no-text-on-page",
    ),
    pytest.param(
        Case(
            {"url": "/gone"},
            502,
            "could not fetch the page: the server answered 404",
            page=("/gone", b"not here", "text/html", 404),
        ),
        id="page-404",
    ),
    pytest.param(
        Case(
            {"text": "<div>" + "x" * SMALL_PAGE_LIMIT + "</div>"},
            413,
            f"the HTML sent as text is {SMALL_PAGE_LIMIT + 11} characters; the limit is "
            f"{SMALL_PAGE_LIMIT} (FACTDIFF_FETCH_MAX_BYTES)",
        ),
        id="html-text-too-large",
    ),
    pytest.param(
        Case(
            {"text": "<div><script>render()</script></div>"},
            422,
            "no article text found in the HTML sent as text",
        ),
        id="html-text-without-text",
    ),
]


@pytest.mark.parametrize("case", CASES)
def test_bad_url_input_is_a_clear_answer_and_stores_nothing(
    make_client: ClientFactory, session: Session, server: HTTPServer, case: Case
) -> None:
    settings = Settings(  # type: ignore[call-arg]
        llm_mode="replay",
        database_url="sqlite://",
        fetch_max_bytes=SMALL_PAGE_LIMIT,
        _env_file=None,
    )
    body = dict(case.body)
    if case.page or case.redirect_to:
        # The local server is allowed; what it answers is refused on its own merits.
        client = allowed_client(make_client, settings, server)
        body["url"] = page_url(server, body["url"])
        if case.page:
            path, content, content_type, status = case.page
            server.expect_request(path).respond_with_data(
                content, status=status, content_type=content_type
            )
        else:
            server.expect_request(case.body["url"]).respond_with_data(
                "", status=302, headers={"Location": case.redirect_to}
            )
    else:
        client = make_client(settings)  # the service's own fetcher: nothing allowed

    response = client.post("/articles", json=body)

    assert response.status_code == case.status, response.text
    assert message(response).startswith(case.message), message(response)
    assert session.exec(select(Article)).all() == []
    assert session.exec(select(ExtractionRun)).all() == []
