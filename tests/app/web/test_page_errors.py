"""A page address that cannot be read answers a page that says so; the API keeps its JSON."""

from __future__ import annotations

from fastapi.testclient import TestClient


def test_a_malformed_article_id_is_a_page_saying_so(client: TestClient) -> None:
    response = client.get("/pages/articles/abc")

    assert response.status_code == 422
    assert response.headers["content-type"].startswith("text/html")
    assert "This page&#39;s address cannot be read: article id: " in response.text
    assert "Check the link, or start again from the stories." in response.text


def test_the_api_keeps_its_json_422(client: TestClient) -> None:
    response = client.get("/articles/abc")

    assert response.status_code == 422
    assert response.headers["content-type"] == "application/json"
    assert response.json()["reason"] == "invalid_request"
    assert response.json()["detail"][0]["loc"] == ["path", "article_id"]
