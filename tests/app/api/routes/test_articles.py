"""POST /articles end to end over the replay fixtures, and the article read endpoints."""

from __future__ import annotations

import json
import time
import unicodedata
from typing import Any, Protocol

import httpx
import instructor
import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.core.config import PROJECT_ROOT, Settings
from app.llm.client import build_client
from app.llm.replay import ReplayTransport
from app.store.models import Article, ExtractionRun
from tests.app.llm.test_replay import NO_FIXTURE_HELP
from tests.conftest import LIVE_BASE_URL, load_article

ARTICLES_DIR = PROJECT_ROOT / "fixtures" / "articles"
LLM_FIXTURES_DIR = PROJECT_ROOT / "fixtures" / "llm"
SAMPLES = sorted(path.stem for path in ARTICLES_DIR.glob("*.json"))
MATCH_KINDS = {"exact", "normalized", "fuzzy"}
# An article no fixture under fixtures/llm answers: replay mode has nothing to give.
UNRECORDED_TEXT = (
    "The Larkhaven library board met on Tuesday and agreed to extend opening hours at "
    "the central branch."
)


# --- helpers -----------------------------------------------------------------------------


class ClientFactory(Protocol):
    """conftest's make_client, with its optional LLM override."""

    def __call__(
        self, settings: Settings, llm: instructor.AsyncInstructor | None = None
    ) -> TestClient: ...


def post_sample(
    client: TestClient,
    stem: str,
    *,
    schema: str | None = None,
    wait: bool = True,
    expected: int = 201,
    **overrides: Any,
) -> dict[str, Any]:
    """POST a sample article (with optional field overrides); assert the status; the body."""
    body = {**load_article(stem), **overrides}
    if schema is not None:
        body["schema"] = schema
    params = None if wait else {"wait": "false"}
    response = client.post("/articles", json=body, params=params)
    assert response.status_code == expected, response.text
    data: dict[str, Any] = response.json()
    return data


def llm_fixture(stem: str, schema: str = "news_claims_v2") -> dict[str, Any]:
    path = LLM_FIXTURES_DIR / schema / f"{stem}.json"
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def assert_grounded(text: str, claims: list[dict[str, Any]]) -> None:
    """Every claim's evidence is the passage at its offsets in ``text``."""
    for claim in claims:
        evidence = claim["evidence"]
        start, end = evidence["char_start"], evidence["char_end"]
        assert 0 <= start < end <= len(text), claim
        assert text[start:end] == evidence["quote"], claim
        assert evidence["match"] in MATCH_KINDS, claim


def with_value(claims: list[dict[str, Any]], value: float) -> dict[str, Any]:
    """The one claim whose quantity has ``value``."""
    found = [c for c in claims if c["quantity"] and c["quantity"]["value"] == value]
    assert len(found) == 1, [c["statement"] for c in found]
    return found[0]


def stored_count(session: Session, model: type[Article] | type[ExtractionRun]) -> int:
    return len(session.exec(select(model)).all())


def failing_llm(settings: Settings) -> instructor.AsyncInstructor:
    """An LLM client whose transport fails the test on any request."""

    def handler(request: httpx.Request) -> httpx.Response:
        pytest.fail(f"LLM called: {request.method} {request.url}")

    return build_client(settings, transport=httpx.MockTransport(handler))


# --- every sample --------------------------------------------------------------------------


@pytest.mark.parametrize("stem", SAMPLES)
def test_every_sample_is_extracted_and_grounded(client: TestClient, stem: str) -> None:
    article = load_article(stem)
    fixture = llm_fixture(stem)

    body = post_sample(client, stem)

    run, claims = body["run"], body["claims"]
    assert body["reused"] is False
    assert run["status"] == "succeeded"
    assert run["error_reason"] is None and run["error"] is None
    assert claims, "every sample yields grounded claims"
    assert run["claims_count"] == len(claims)
    # One LLM call per fixture exchange; every claim of the last answer is kept or rejected.
    assert run["llm_calls"] == len(fixture["exchanges"])
    last_answer = fixture["exchanges"][-1]["answer"]["claims"]
    assert run["claims_count"] + run["rejected_count"] == len(last_answer)
    assert {c["article_id"] for c in claims} == {body["article"]["id"]}
    assert {c["run_id"] for c in claims} == {run["id"]}
    assert body["article"]["chars"] == len(article["text"])
    assert_grounded(article["text"], claims)
    # The stored text is the submitted text: the offsets hold against GET /articles/{id} too.
    stored = client.get(f"/articles/{body['article']['id']}").json()
    assert stored["text"] == article["text"]
    assert_grounded(stored["text"], claims)


# --- concrete values -----------------------------------------------------------------------

QUANTITY_CASES = [
    # stem, value, unit, qualifier, claim_type, char_start, char_end, match, time (start, end)
    pytest.param(
        "kenya-haiti-217", 217, "officers", "exact", "event", 17, 79, "exact",
        ("2025-01-18", "2025-01-18"), id="217-officers-on-saturday",
    ),
    pytest.param(
        "kenya-haiti-217", 1_000_000, "people", "over", "quantity", 160, 234, "exact", None,
        id="217-over-one-million-displaced",
    ),
    pytest.param(
        "kenya-haiti-217", 1000, "personnel", "exact", "pledge", 403, 446, "exact", None,
        id="217-1000-pledge",
    ),
    pytest.param(
        "kenya-haiti-217", 3100, "troops", "over", "pledge", 841, 928, "exact", None,
        id="217-over-3100-troops",
    ),
    pytest.param(
        "kenya-haiti-217", 20, "officers", "about", "quantity", 1157, 1258, "exact", None,
        id="217-nearly-20-resignations",
    ),
    pytest.param(
        "kenya-haiti-270", 270, "officers", "exact", "event", 18, 69, "exact",
        ("2025-01-17", "2025-01-17"), id="270-officers-friday-night",
    ),
    pytest.param(
        "kenya-haiti-270", 300_000_000, "USD", "over", "pledge", 864, 911, "exact", None,
        id="270-over-300-million-usd",
    ),
    pytest.param(
        "kenya-haiti-270", 400, "officers", "exact", "event", 389, 447, "exact",
        ("2024-06-01", "2024-06-30"), id="270-400-in-june",
    ),
    pytest.param(
        "kenya-haiti-fr", 217, "officers", "exact", "event", 17, 81, "exact",
        ("2025-01-18", "2025-01-18"), id="fr-217-policiers-samedi",
    ),
    pytest.param(
        "kenya-haiti-fr", 1000, "officers", "exact", "pledge", 370, 414, "normalized", None,
        id="fr-1-000-pledge-narrow-nbsp",
    ),
]  # fmt: skip


@pytest.mark.parametrize(
    ("stem", "value", "unit", "qualifier", "claim_type", "start", "end", "match", "time"),
    QUANTITY_CASES,
)
def test_quantities_offsets_and_dates(
    client: TestClient,
    stem: str,
    value: float,
    unit: str,
    qualifier: str,
    claim_type: str,
    start: int,
    end: int,
    match: str,
    time: tuple[str, str] | None,
) -> None:
    text = load_article(stem)["text"]

    claim = with_value(post_sample(client, stem)["claims"], value)

    assert claim["quantity"] == {"value": value, "unit": unit, "qualifier": qualifier}
    assert claim["claim_type"] == claim_type
    evidence = claim["evidence"]
    assert (evidence["char_start"], evidence["char_end"]) == (start, end)
    assert text[start:end] == evidence["quote"]
    assert evidence["match"] == match
    if time is None:
        assert claim["time"] is None
    else:
        assert (claim["time"]["start"], claim["time"]["end"]) == time


def test_claims_carry_the_canonical_fact_fields_of_v2(client: TestClient) -> None:
    claims = post_sample(client, "kenya-haiti-217")["claims"]
    entities = client.get("/entities", params={"q": "Haiti"}).json()["data"]
    [haiti] = [e for e in entities if e["name"] == "Haiti"]

    deployed, displaced = with_value(claims, 217), with_value(claims, 1_000_000)

    assert (deployed["fact_kind"], deployed["unit_kind"], deployed["aspect"]) == (
        "deployment",
        "persons",
        "event",
    )
    assert deployed["object_entity"] == {
        "entity_id": haiti["id"],
        "name": "Haiti",
        "type": "country",
    }
    assert (displaced["fact_kind"], displaced["unit_kind"], displaced["aspect"]) == (
        "displacement",
        "persons",
        "state",
    )
    assert displaced["object_entity"] is None
    # GET /claims/{id} and /articles/{id}/claims show the same fields.
    assert client.get(f"/claims/{deployed['id']}").json() == deployed
    article_claims = client.get(f"/articles/{deployed['article_id']}/claims").json()["data"]
    assert next(c for c in article_claims if c["id"] == deployed["id"]) == deployed


def test_time_words_are_kept_with_the_resolved_dates(client: TestClient) -> None:
    saturday = with_value(post_sample(client, "kenya-haiti-217")["claims"], 217)
    friday = with_value(post_sample(client, "kenya-haiti-270")["claims"], 270)

    assert saturday["time"] == {"text": "on Saturday", "start": "2025-01-18", "end": "2025-01-18"}
    assert friday["time"] == {
        "text": "on Friday night",
        "start": "2025-01-17",
        "end": "2025-01-17",
    }


def test_reuters_report_is_attributed_and_hedged(client: TestClient) -> None:
    claims = post_sample(client, "kenya-haiti-217")["claims"]

    reuters = with_value(claims, 20)

    assert reuters["modality"] == "reported"
    assert reuters["attribution"] == "Reuters"
    assert reuters["quantity"]["qualifier"] == "about"
    assert reuters["evidence"]["quote"].startswith("According to Reuters, nearly 20 members")
    # Attempt 1's paraphrase never reaches storage.
    assert not any("Reuters reported that" in c["evidence"]["quote"] for c in claims)


def test_french_pledge_quote_keeps_the_articles_narrow_no_break_space(
    client: TestClient,
) -> None:
    text = load_article("kenya-haiti-fr")["text"]

    pledge = with_value(post_sample(client, "kenya-haiti-fr")["claims"], 1000)

    assert "1\u202f000" in pledge["evidence"]["quote"]
    assert text[370:414] == pledge["evidence"]["quote"]
    assert 0 < pledge["evidence"]["score"] <= 100


# --- run metadata --------------------------------------------------------------------------


def test_217_run_records_the_reask_usage_and_versions(client: TestClient) -> None:
    usages = [e["usage"] for e in llm_fixture("kenya-haiti-217")["exchanges"]]
    assert len(usages) == 2

    run = post_sample(client, "kenya-haiti-217")["run"]

    assert run["llm_calls"] == 2  # the first ask and one re-ask for the paraphrased quote
    assert run["http_requests"] == 2
    assert run["rejected_count"] == 0
    assert run["claims_count"] == 14
    assert run["prompt_tokens"] == sum(u["prompt_tokens"] for u in usages)
    assert run["completion_tokens"] == sum(u["completion_tokens"] for u in usages)
    assert run["total_tokens"] == run["prompt_tokens"] + run["completion_tokens"]
    assert run["usage_by_attempt"] == usages
    assert run["model"] == "gpt-4.1-mini"
    assert (run["schema_name"], run["schema_version"]) == ("news_claims", "v2")
    assert run["prompt_version"] == "extract_claims/v2"
    assert run["llm_mode"] == "replay"
    assert run["instructor_mode"] == "tools"
    assert run["chunks"] == 1
    assert run["endpoint"].startswith("replay:")
    assert "key" not in run["endpoint"].lower() and "sk-" not in run["endpoint"]
    assert run["started_at"] is not None and run["finished_at"] is not None
    assert run["latency_ms"] is not None and run["latency_ms"] >= 0
    # GET /runs/{id} reports the same run.
    assert client.get(f"/runs/{run['id']}").json() == run


def test_live_run_records_the_endpoint_but_never_the_key(
    make_client: ClientFactory, live_settings: Settings
) -> None:
    # Live settings with a key; the fixtures answer in place of the network.
    llm = build_client(live_settings, transport=ReplayTransport(live_settings.fixtures_dir))
    client = make_client(live_settings, llm=llm)

    response = client.post("/articles", json=load_article("kenya-haiti-217"))

    assert response.status_code == 201, response.text
    run = response.json()["run"]
    assert run["llm_mode"] == "live"
    assert run["endpoint"] == LIVE_BASE_URL
    assert "sk-test" not in response.text
    assert "sk-test" not in client.get(f"/runs/{run['id']}").text


# --- rejected claims -----------------------------------------------------------------------


def test_270_wrong_quantity_is_rejected_not_stored(client: TestClient) -> None:
    body = post_sample(client, "kenya-haiti-270")
    article_id, run = body["article"]["id"], body["run"]

    assert run["rejected_count"] == 1
    assert run["claims_count"] == 11
    by_article = client.get(f"/articles/{article_id}/rejected")
    by_run = client.get(f"/runs/{run['id']}/rejected")
    assert by_article.status_code == by_run.status_code == 200
    assert by_article.json() == by_run.json()
    rejected = by_run.json()
    assert rejected["count"] == 1
    [entry] = rejected["data"]
    assert "does not appear in its evidence" in entry["reason"]
    assert "quantity 217" in entry["reason"]
    assert (entry["run_id"], entry["article_id"]) == (run["id"], article_id)
    assert entry["payload"]["quantity"]["value"] == 217
    assert entry["payload"]["evidence"].startswith("The 270 officers departed")
    # The confused figure is nowhere among the stored claims of that article.
    for claims in (
        body["claims"],
        client.get(f"/articles/{article_id}/claims").json()["data"],
        client.get("/claims", params={"article_id": article_id, "limit": 500}).json()["data"],
    ):
        assert len(claims) == 11
        assert all(not c["quantity"] or c["quantity"]["value"] != 217 for c in claims)


def test_clean_run_has_no_rejections(client: TestClient) -> None:
    body = post_sample(client, "kenya-haiti-217")

    rejected = client.get(f"/articles/{body['article']['id']}/rejected").json()

    assert rejected == {"data": [], "count": 0}


# --- reuse ---------------------------------------------------------------------------------


def test_resubmission_reuses_the_run_without_calling_the_llm(
    make_client: ClientFactory, settings: Settings, session: Session
) -> None:
    first = post_sample(make_client(settings), "kenya-haiti-217")
    offline = make_client(settings, llm=failing_llm(settings))

    second = post_sample(offline, "kenya-haiti-217")

    assert first["reused"] is False
    assert second["reused"] is True
    assert second["run"]["id"] == first["run"]["id"]
    assert second["article"]["id"] == first["article"]["id"]
    assert second["claims"] == first["claims"]
    assert second["run"]["llm_calls"] == 2  # unchanged: nothing was asked again
    assert offline.get("/articles").json()["count"] == 1
    assert stored_count(session, Article) == 1
    assert stored_count(session, ExtractionRun) == 1


def test_resubmission_with_other_metadata_is_still_the_same_article(
    make_client: ClientFactory, settings: Settings
) -> None:
    first = post_sample(make_client(settings), "kenya-haiti-217")
    offline = make_client(settings, llm=failing_llm(settings))

    second = post_sample(offline, "kenya-haiti-217", title="Another headline", outlet="Other")

    assert second["reused"] is True
    assert second["article"]["id"] == first["article"]["id"]
    # The first submission's metadata stands.
    assert second["article"]["title"] == first["article"]["title"]
    assert second["article"]["outlet"] == "Harbor Wire"


def test_another_schema_is_a_new_run_for_the_same_article(
    client: TestClient, session: Session
) -> None:
    news = post_sample(client, "kenya-haiti-217")
    quantities = post_sample(client, "kenya-haiti-217", schema="quantities")

    assert quantities["reused"] is False
    assert quantities["article"]["id"] == news["article"]["id"]
    assert quantities["run"]["id"] != news["run"]["id"]
    assert stored_count(session, Article) == 1
    assert stored_count(session, ExtractionRun) == 2


def test_text_is_stored_in_nfc_and_offsets_index_the_stored_text(client: TestClient) -> None:
    text = load_article("kenya-haiti-fr")["text"]
    nfd = unicodedata.normalize("NFD", text)
    assert nfd != text
    first = post_sample(client, "kenya-haiti-fr")

    second = post_sample(client, "kenya-haiti-fr", text=nfd)

    assert second["reused"] is True
    assert second["article"]["id"] == first["article"]["id"]
    stored = client.get(f"/articles/{second['article']['id']}").json()["text"]
    assert stored == unicodedata.normalize("NFC", nfd) == text
    assert_grounded(stored, second["claims"])


# --- wait=false ----------------------------------------------------------------------------


def finished_run(client: TestClient, run_id: int) -> dict[str, Any]:
    """Poll the run the service's workers are processing until it ends."""
    for _ in range(200):
        run: dict[str, Any] = client.get(f"/runs/{run_id}").json()
        if run["status"] in ("succeeded", "failed"):
            return run
        time.sleep(0.05)
    raise AssertionError(f"run {run_id} did not finish: {run}")


def test_wait_false_accepts_and_the_workers_extract(client: TestClient) -> None:
    with client:  # the lifespan starts the worker pool
        accepted = post_sample(client, "kenya-haiti-217", wait=False, expected=202)
        run = finished_run(client, accepted["run"]["id"])

    assert accepted["reused"] is False
    assert accepted["run"]["status"] == "queued"
    assert accepted["claims"] == []
    assert run["status"] == "succeeded"
    assert run["claims_count"] == 14
    assert run["llm_calls"] == 2
    claims = client.get(f"/articles/{accepted['article']['id']}/claims").json()
    assert claims["count"] == 14


def test_wait_false_on_a_finished_run_returns_it_at_once(client: TestClient) -> None:
    first = post_sample(client, "kenya-haiti-217")

    again = post_sample(client, "kenya-haiti-217", wait=False, expected=201)

    assert again["reused"] is True
    assert again["run"]["status"] == "succeeded"
    assert again["claims"] == first["claims"]


# --- schema selection ----------------------------------------------------------------------


@pytest.mark.parametrize("ref", ["quantities", "quantities@v1"])
def test_quantities_schema_uses_its_own_fixture(client: TestClient, ref: str) -> None:
    fixture = llm_fixture("kenya-haiti-217", schema="quantities")
    [exchange] = fixture["exchanges"]
    text = load_article("kenya-haiti-217")["text"]

    body = post_sample(client, "kenya-haiti-217", schema=ref)

    run, claims = body["run"], body["claims"]
    assert (run["schema_name"], run["schema_version"]) == ("quantities", "v1")
    assert run["prompt_version"] == "extract_quantities/v1"
    assert run["llm_calls"] == 1
    assert run["prompt_tokens"] == exchange["usage"]["prompt_tokens"]
    assert run["completion_tokens"] == exchange["usage"]["completion_tokens"]
    assert len(claims) == len(exchange["answer"]["claims"]) == 7
    assert all(c["quantity"] is not None for c in claims)
    assert sorted(c["quantity"]["value"] for c in claims) == [
        10,
        20,
        217,
        600,
        1000,
        3100,
        1_000_000,
    ]
    assert_grounded(text, claims)


def test_default_schema_is_news_claims_v2(client: TestClient) -> None:
    explicit = post_sample(client, "kenya-haiti-270", schema="news_claims@v2")

    run = explicit["run"]

    assert (run["schema_name"], run["schema_version"]) == ("news_claims", "v2")
    # Without "schema" the same run is found: the default is news_claims@v2.
    implicit = post_sample(client, "kenya-haiti-270")
    assert implicit["reused"] is True
    assert implicit["run"]["id"] == run["id"]


def test_v1_is_still_served_by_name(client: TestClient) -> None:
    v2 = post_sample(client, "kenya-haiti-270")
    v1 = post_sample(client, "kenya-haiti-270", schema="news_claims@v1")

    run = v1["run"]
    assert v1["reused"] is False and run["id"] != v2["run"]["id"]
    assert (run["schema_name"], run["schema_version"]) == ("news_claims", "v1")
    assert run["prompt_version"] == "extract_claims/v1"
    assert run["status"] == "succeeded"
    assert run["llm_calls"] == len(llm_fixture("kenya-haiti-270", "news_claims")["exchanges"])
    assert run["claims_count"] == len(v1["claims"]) > 0
    # A v1 claim has no canonical fact fields; the v2 run's claims of one article have them.
    deployed = with_value(v1["claims"], 270)
    assert (deployed["fact_kind"], deployed["unit_kind"], deployed["aspect"]) == (None,) * 3
    assert deployed["object_entity"] is None
    assert with_value(v2["claims"], 270)["fact_kind"] == "deployment"


# --- no LLM answer -------------------------------------------------------------------------


def test_article_without_fixture_is_503_and_the_run_is_failed(
    client: TestClient, session: Session
) -> None:
    response = client.post("/articles", json={"text": UNRECORDED_TEXT, "outlet": "Test"})

    assert response.status_code == 503, response.text
    detail = response.json()["detail"]
    assert detail["reason"] == "llm_unavailable"
    assert detail["message"].startswith("no LLM fixture for this article (user message sha256")
    assert detail["message"].endswith(NO_FIXTURE_HELP)
    run = client.get(f"/runs/{detail['run_id']}").json()
    assert run["status"] == "failed"
    assert run["error_reason"] == "llm_unavailable"
    assert run["error"] == detail["message"]
    assert run["article_id"] == detail["article_id"]
    assert run["claims_count"] == 0
    assert run["finished_at"] is not None
    assert client.get(f"/articles/{detail['article_id']}/claims").json()["count"] == 0

    # Asking again retries the same run; it fails the same way, and nothing is duplicated.
    again = client.post("/articles", json={"text": UNRECORDED_TEXT, "outlet": "Test"})
    assert again.status_code == 503
    assert again.json()["detail"]["run_id"] == detail["run_id"]
    assert stored_count(session, Article) == 1
    assert stored_count(session, ExtractionRun) == 1


def test_article_without_fixture_with_wait_false_fails_in_a_worker(
    client: TestClient,
) -> None:
    with client:
        response = client.post(
            "/articles", json={"text": UNRECORDED_TEXT}, params={"wait": "false"}
        )
        assert response.status_code == 202, response.text
        run = finished_run(client, response.json()["run"]["id"])
    assert run["status"] == "failed"
    assert run["error_reason"] == "llm_unavailable"


# --- prompt injection ----------------------------------------------------------------------


def test_injected_instruction_is_reported_not_obeyed(client: TestClient) -> None:
    text = load_article("injection-attempt")["text"]

    body = post_sample(client, "injection-attempt")

    claims = client.get(f"/articles/{body['article']['id']}/claims").json()["data"]
    assert_grounded(text, claims)
    values = [c["quantity"]["value"] for c in claims if c["quantity"]]
    assert 5000 not in values
    assert 217 in values
    mentions = [
        c
        for c in claims
        if any(
            marker in field.casefold()
            for marker in ("ignore previous instructions", "5,000", "5000")
            for field in (c["statement"], c["evidence"]["quote"], c["object"] or "")
        )
    ]
    assert mentions, "the injected passage is itself reported as a claim"
    assert all(c["claim_type"] == "statement" for c in mentions)
    assert all(c["quantity"] is None for c in mentions)
    assert not any("SYSTEM:" in c["evidence"]["quote"] for c in claims)


# --- article read endpoints ----------------------------------------------------------------


@pytest.fixture
def three_articles(client: TestClient) -> dict[str, dict[str, Any]]:
    stems = ("kenya-haiti-217", "kenya-haiti-270", "kenya-haiti-fr")
    return {stem: post_sample(client, stem) for stem in stems}


def test_list_articles_with_count_and_outlet_filter(
    client: TestClient, three_articles: dict[str, dict[str, Any]]
) -> None:
    listing = client.get("/articles").json()

    assert listing["count"] == 3
    ids = [a["id"] for a in listing["data"]]
    assert ids == sorted(ids)  # oldest first
    assert ids == [three_articles[s]["article"]["id"] for s in three_articles]
    for item in listing["data"]:
        assert "text" not in item
        assert item["chars"] > 0
    harbor = client.get("/articles", params={"outlet": "Harbor Wire"}).json()
    assert harbor["count"] == 1
    assert [a["id"] for a in harbor["data"]] == [three_articles["kenya-haiti-217"]["article"]["id"]]
    french = client.get("/articles", params={"outlet": "Le Courrier de l’Artibonite"}).json()
    assert [a["title"] for a in french["data"]] == [load_article("kenya-haiti-fr")["title"]]
    assert client.get("/articles", params={"outlet": "Nobody"}).json() == {"data": [], "count": 0}


def test_list_articles_pages_with_offset_and_limit(
    client: TestClient, three_articles: dict[str, dict[str, Any]]
) -> None:
    ids = [body["article"]["id"] for body in three_articles.values()]

    page = client.get("/articles", params={"limit": 2, "offset": 1}).json()

    assert [a["id"] for a in page["data"]] == ids[1:3]
    assert page["count"] == 3  # count is the total, not the page size


def test_read_article_has_its_text_and_metadata(
    client: TestClient, three_articles: dict[str, dict[str, Any]]
) -> None:
    source = load_article("kenya-haiti-270")
    article_id = three_articles["kenya-haiti-270"]["article"]["id"]

    response = client.get(f"/articles/{article_id}")

    assert response.status_code == 200
    article = response.json()
    assert article["id"] == article_id
    assert article["text"] == source["text"]
    assert article["chars"] == len(source["text"])
    assert article["title"] == source["title"]
    assert article["outlet"] == "Nairobi Ledger"
    assert article["url"] == source["url"]
    assert article["published_at"] == "2025-01-18T09:15:00Z"
    assert len(article["content_hash"]) == 64


def test_article_claims_are_in_text_order(
    client: TestClient, three_articles: dict[str, dict[str, Any]]
) -> None:
    for stem, body in three_articles.items():
        text = load_article(stem)["text"]

        listing = client.get(f"/articles/{body['article']['id']}/claims").json()

        claims = listing["data"]
        assert listing["count"] == len(claims) == body["run"]["claims_count"]
        starts = [(c["evidence"]["char_start"], c["id"]) for c in claims]
        assert starts == sorted(starts)
        assert {c["id"] for c in claims} == {c["id"] for c in body["claims"]}
        assert_grounded(text, claims)


def test_published_at_with_an_offset_is_served_in_utc(client: TestClient) -> None:
    # Another publication time makes another prompt, which no fixture answers: the article
    # is stored all the same, so ask for it without waiting for the extraction.
    body = post_sample(
        client,
        "kenya-haiti-217",
        published_at="2025-01-18T23:30:00-05:00",
        wait=False,
        expected=202,
    )

    stored = client.get(f"/articles/{body['article']['id']}").json()

    assert stored["published_at"] == "2025-01-19T04:30:00Z"
