"""GET /claims: filters across articles, and cursor pagination."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.app.api.routes.test_articles import SAMPLES, post_sample

Claim = dict[str, Any]


@pytest.fixture
def corpus(client: TestClient) -> dict[str, dict[str, Any]]:
    """Every sample article extracted: stem → POST /articles body."""
    return {stem: post_sample(client, stem) for stem in SAMPLES}


def all_claims(corpus: dict[str, dict[str, Any]]) -> list[Claim]:
    return [claim for body in corpus.values() for claim in body["claims"]]


def search(client: TestClient, **params: Any) -> list[Claim]:
    """One page of GET /claims, big enough for the whole corpus."""
    response = client.get("/claims", params={"limit": 500, **params})
    assert response.status_code == 200, response.text
    page = response.json()
    assert page["next_cursor"] is None
    assert page["count"] == len(page["data"])
    data: list[Claim] = page["data"]
    return data


def ids(claims: list[Claim]) -> set[int]:
    return {c["id"] for c in claims}


def ids_where(corpus: dict[str, dict[str, Any]], keep: Callable[[Claim], bool]) -> set[int]:
    return {c["id"] for c in all_claims(corpus) if keep(c)}


def walk(client: TestClient, **params: Any) -> list[list[Claim]]:
    """Follow next_cursor from the first page to the last; the pages."""
    pages: list[list[Claim]] = []
    cursor = None
    while True:
        query = {**params, **({"cursor": cursor} if cursor else {})}
        response = client.get("/claims", params=query)
        assert response.status_code == 200, response.text
        page = response.json()
        pages.append(page["data"])
        cursor = page["next_cursor"]
        if cursor is None:
            return pages
        assert len(pages) < 1000, "pagination does not end"


def test_no_filter_lists_every_claim(client: TestClient, corpus: dict[str, dict[str, Any]]) -> None:
    assert ids(search(client)) == ids(all_claims(corpus))


def test_filter_by_article_id(client: TestClient, corpus: dict[str, dict[str, Any]]) -> None:
    body = corpus["kenya-haiti-270"]

    found = search(client, article_id=body["article"]["id"])

    assert ids(found) == ids(body["claims"])
    assert len(found) == 11


def test_filter_by_run_id(client: TestClient, corpus: dict[str, dict[str, Any]]) -> None:
    body = corpus["kenya-haiti-fr"]

    assert ids(search(client, run_id=body["run"]["id"])) == ids(body["claims"])


def test_filter_by_outlet(client: TestClient, corpus: dict[str, dict[str, Any]]) -> None:
    found = search(client, outlet="Nairobi Ledger")

    assert ids(found) == ids(corpus["kenya-haiti-270"]["claims"])
    assert search(client, outlet="No Such Outlet") == []


def test_filter_by_entity_name(client: TestClient, corpus: dict[str, dict[str, Any]]) -> None:
    expected = ids_where(corpus, lambda c: c["subject"]["name"].casefold() == "kenya")

    found = search(client, entity="Kenya")

    assert ids(found) == expected
    # Across outlets and languages: the English, French and wire stories all name Kenya.
    assert {c["article_id"] for c in found} >= {
        corpus[s]["article"]["id"]
        for s in ("kenya-haiti-217", "kenya-haiti-270", "kenya-haiti-fr", "kenya-haiti-wire")
    }
    assert ids(search(client, entity="  kenya ")) == expected  # any case, any spacing


def test_filter_by_entity_alias(client: TestClient, corpus: dict[str, dict[str, Any]]) -> None:
    # The 217 article's pledge names Kenya as "Nairobi" (subject.mention): an alias of Kenya.
    [pledge] = [
        c for c in corpus["kenya-haiti-217"]["claims"] if c["subject"]["mention"] == "Nairobi"
    ]
    assert pledge["subject"]["name"] == "Kenya"
    kenya = pledge["subject"]["entity_id"]

    found = search(client, entity="Nairobi")

    assert pledge["id"] in ids(found)
    assert ids(found) == ids_where(corpus, lambda c: c["subject"]["entity_id"] == kenya)
    assert all(c["subject"]["name"] == "Kenya" for c in found)


def test_filter_by_unknown_entity_is_empty(
    client: TestClient, corpus: dict[str, dict[str, Any]]
) -> None:
    assert search(client, entity="Atlantis") == []


@pytest.mark.parametrize("claim_type", ["event", "quantity", "statement", "pledge", "status"])
def test_filter_by_claim_type(
    client: TestClient, corpus: dict[str, dict[str, Any]], claim_type: str
) -> None:
    found = search(client, claim_type=claim_type)

    assert found
    assert ids(found) == ids_where(corpus, lambda c: c["claim_type"] == claim_type)


@pytest.mark.parametrize("q", ["DISPATCHED", "reuters", "Tannery Bridge", "$300 million"])
def test_text_search_is_case_insensitive(
    client: TestClient, corpus: dict[str, dict[str, Any]], q: str
) -> None:
    wanted = q.casefold()

    found = search(client, q=q)

    assert found
    assert ids(found) == ids_where(
        corpus,
        lambda c: (
            wanted in c["statement"].casefold() or wanted in c["evidence"]["quote"].casefold()
        ),
    )


def test_text_search_finds_the_217_claim(
    client: TestClient, corpus: dict[str, dict[str, Any]]
) -> None:
    found = search(client, q="Kenya DISPATCHED 217")

    assert [(c["evidence"]["char_start"], c["evidence"]["char_end"]) for c in found] == [(17, 79)]


@pytest.mark.parametrize(
    "q",
    [
        "KÉNYANS",  # non-ASCII case folding, which SQLite's lower() does not do
        "US",  # under three characters: scanned, not served by the trigram index
        '217 "',  # FTS5 query syntax in the search text is plain text
        "Kenya AND Haiti",
        "NEAR(officers",
        "217*",
    ],
)
def test_text_search_is_a_plain_substring_match(
    client: TestClient, corpus: dict[str, dict[str, Any]], q: str
) -> None:
    wanted = q.casefold()

    found = search(client, q=q)

    assert ids(found) == ids_where(
        corpus,
        lambda c: (
            wanted in c["statement"].casefold() or wanted in c["evidence"]["quote"].casefold()
        ),
    )


def test_text_search_after_a_correction_finds_the_new_words(
    client: TestClient, corpus: dict[str, dict[str, Any]]
) -> None:
    claim = search(client, q="Kenya DISPATCHED 217")[0]
    response = client.patch(
        f"/claims/{claim['id']}",
        json={
            "actor": "desk editor",
            "reason": "figure checked with the ministry",
            "statement": "Kenya sent a reinforcement contingent of 217 police to Haiti.",
        },
    )
    assert response.status_code == 200, response.text

    new_id = response.json()["id"]
    assert [c["id"] for c in search(client, q="reinforcement contingent")] == [new_id]
    # The evidence is unchanged; the superseded original no longer answers.
    assert [c["id"] for c in search(client, q="Kenya DISPATCHED 217")] == [new_id]


@pytest.mark.parametrize("q", ["_", "%"])
def test_text_search_treats_like_wildcards_literally(
    client: TestClient, corpus: dict[str, dict[str, Any]], q: str
) -> None:
    expected = ids_where(corpus, lambda c: q in c["statement"] or q in c["evidence"]["quote"])
    assert expected == set()  # no sample claim contains either character

    assert search(client, q=q) == []


def quantities(claims: list[Claim]) -> set[float]:
    return {c["quantity"]["value"] for c in claims if c["quantity"]}


@pytest.fixture
def two_days(client: TestClient) -> dict[str, Claim]:
    """The Friday-night 270 deployment (2025-01-17) and the Saturday 217 one (2025-01-18)."""
    friday = post_sample(client, "kenya-haiti-270")["claims"]
    saturday = post_sample(client, "kenya-haiti-217")["claims"]
    [friday_claim] = [c for c in friday if c["quantity"] and c["quantity"]["value"] == 270]
    [saturday_claim] = [c for c in saturday if c["quantity"] and c["quantity"]["value"] == 217]
    assert friday_claim["time"]["start"] == "2025-01-17"
    assert saturday_claim["time"]["start"] == "2025-01-18"
    return {"friday": friday_claim, "saturday": saturday_claim}


def test_date_range_of_one_day_picks_friday_night(
    client: TestClient, two_days: dict[str, Claim]
) -> None:
    found = search(client, date_from="2025-01-17", date_to="2025-01-17")

    # Both articles were published on the 18th, so only the dated Friday claim is in range.
    assert [c["id"] for c in found] == [two_days["friday"]["id"]]


def test_date_range_of_saturday_excludes_friday_night(
    client: TestClient, two_days: dict[str, Claim]
) -> None:
    found = search(client, date_from="2025-01-18", date_to="2025-01-18")

    assert two_days["saturday"]["id"] in ids(found)
    assert two_days["friday"]["id"] not in ids(found)
    assert 217 in quantities(found) and 270 not in quantities(found)
    # Claims without a time of their own fall on their article's publication day.
    assert any(c["time"] is None for c in found)


def test_open_ended_date_ranges(client: TestClient, two_days: dict[str, Claim]) -> None:
    until_friday = search(client, date_to="2025-01-17")
    from_saturday = search(client, date_from="2025-01-18")

    assert two_days["friday"]["id"] in ids(until_friday)
    assert two_days["saturday"]["id"] not in ids(until_friday)
    assert 400 in quantities(until_friday)  # June 2024
    assert two_days["saturday"]["id"] in ids(from_saturday)
    assert two_days["friday"]["id"] not in ids(from_saturday)
    assert 400 not in quantities(from_saturday)
    assert ids(until_friday).isdisjoint(ids(from_saturday))


def test_filters_combine(client: TestClient, corpus: dict[str, dict[str, Any]]) -> None:
    found = search(client, entity="Kenya", claim_type="pledge", outlet="Harbor Wire")

    assert [(c["quantity"]["value"], c["subject"]["mention"]) for c in found] == [(1000, "Nairobi")]


def test_cursor_pagination_yields_every_claim_once(
    client: TestClient, corpus: dict[str, dict[str, Any]]
) -> None:
    expected = sorted(ids(all_claims(corpus)))

    pages = walk(client, limit=3)

    walked = [c["id"] for page in pages for c in page]
    assert walked == expected  # every claim, once, in id order
    assert all(len(page) == 3 for page in pages[:-1])
    assert 1 <= len(pages[-1]) <= 3


def test_last_page_has_no_cursor(client: TestClient, corpus: dict[str, dict[str, Any]]) -> None:
    total = len(all_claims(corpus))

    first = client.get("/claims", params={"limit": 3}).json()
    everything = client.get("/claims", params={"limit": total}).json()

    assert first["count"] == 3 and first["next_cursor"] is not None
    assert everything["count"] == total and everything["next_cursor"] is None


def test_cursor_pagination_keeps_the_filters(
    client: TestClient, corpus: dict[str, dict[str, Any]]
) -> None:
    expected = [c["id"] for c in search(client, entity="Kenya")]
    assert len(expected) > 2

    pages = walk(client, entity="Kenya", limit=2)

    assert [c["id"] for page in pages for c in page] == expected
