"""The examples /docs shows are what the service answers for the seed story.

The samples are loaded as `make run` loads them (every file under fixtures/articles, in name
order), so ids match: article 3 is Harbor Wire's (217 officers), article 4 Nairobi Ledger's
(270). Only what differs from one run to the next (timestamps, latency, the fixtures' path)
is set aside.
"""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from app.api import curation_examples, diff_examples, examples
from tests.app.api.routes.test_diff import load_samples
from tests.conftest import load_article

MOMENTS = {"created_at", "started_at", "finished_at", "latency_ms"}


def get(client: TestClient, path: str, **params: Any) -> Any:
    response = client.get(path, params=params)
    assert response.status_code == 200, response.text
    return response.json()


def without(value: Any, keys: set[str]) -> Any:
    if isinstance(value, dict):
        return {k: without(v, keys) for k, v in value.items() if k not in keys}
    if isinstance(value, list):
        return [without(v, keys) for v in value]
    return value


def test_the_examples_quote_the_sample_articles_at_their_offsets() -> None:
    texts = {
        3: load_article("kenya-haiti-217")["text"],
        4: load_article("kenya-haiti-270")["text"],
    }
    assert texts[4] == examples.NAIROBI_LEDGER_TEXT
    submitted = {**load_article("kenya-haiti-270"), "schema": "news_claims"}
    assert submitted == examples.NAIROBI_LEDGER_SUBMISSION
    for claim in (examples.CLAIM_217, examples.CLAIM_270):
        evidence = claim["evidence"]
        text = texts[claim["article_id"]]
        assert text[evidence["char_start"] : evidence["char_end"]] == evidence["quote"]
    only = diff_examples.ONLY_IN_NAIROBI_LEDGER["evidence"]
    assert texts[4][only["char_start"] : only["char_end"]] == only["quote"]
    assert curation_examples.CURATED_CLAIM["evidence"] in texts[4]
    for claim in (diff_examples.UNDECIDED["left"], diff_examples.UNDECIDED["right"]):
        evidence = claim["evidence"]
        text = texts[claim["article_id"]]
        assert text[evidence["char_start"] : evidence["char_end"]] == evidence["quote"]


def test_each_submission_example_is_extracted_on_an_empty_database(client: TestClient) -> None:
    operation = get(client, "/openapi.json")["paths"]["/articles"]["post"]
    named = operation["requestBody"]["content"]["application/json"]["examples"]
    assert set(named) == {"text", "short"}
    for example in named.values():
        response = client.post("/articles", json=example["value"])
        assert response.status_code == 201, response.text
        assert response.json()["claims"], example["summary"]
    assert named["text"]["value"] == examples.NAIROBI_LEDGER_SUBMISSION


def test_the_queued_example_is_what_wait_false_answers(client: TestClient) -> None:
    for stem in ("docs-example", "injection-attempt", "kenya-haiti-217"):
        assert client.post("/articles", json=load_article(stem)).status_code == 201
    queued = client.post(
        "/articles", params={"wait": "false"}, json=examples.NAIROBI_LEDGER_SUBMISSION
    )
    assert queued.status_code == 202, queued.text
    moving = MOMENTS | {"endpoint"}
    assert without(queued.json(), moving) == without(examples.ARTICLE_QUEUED, moving)


def test_the_article_run_and_claim_examples_are_the_stored_ones(client: TestClient) -> None:
    ids = load_samples(client)
    assert (ids["kenya-haiti-217"], ids["kenya-haiti-270"]) == (3, 4)

    assert get(client, "/claims/12") == examples.CLAIM_217
    assert get(client, "/claims/26") == examples.CLAIM_270
    article = get(client, "/articles/4")
    assert without(article, MOMENTS) == without(examples.ARTICLE_DETAIL, MOMENTS)
    listed = get(client, "/articles", offset=2, limit=2)
    assert without(listed, MOMENTS) == without(examples.ARTICLES, MOMENTS)
    run = get(client, "/runs/4")
    assert run["endpoint"].startswith("replay:") and run["endpoint"].endswith("/fixtures/llm")
    moving = MOMENTS | {"endpoint"}
    assert without(run, moving) == without(examples.RUN, moving)
    rejected = get(client, "/runs/4/rejected")
    (refused,) = rejected["data"]
    assert refused["reason"] == examples.REJECTED_CLAIM["reason"]
    # The example keeps the payload's telling fields; each is as stored.
    for field, value in examples.REJECTED_CLAIM["payload"].items():
        assert refused["payload"][field] == value, field
    page = get(client, "/claims", entity="Kenya", q="police officers to Haiti", limit=50)
    assert {12, 26} <= {c["id"] for c in page["data"]}
    assert get(client, "/healthz")["model"] == examples.HEALTH["model"]
    schemas = get(client, "/schemas")
    first = {k: v for k, v in schemas[0].items() if k != "json_schema"}
    assert first == {k: v for k, v in examples.SCHEMA.items() if k != "json_schema"}
    assert without(schemas[0]["json_schema"], {"$defs"}) == examples.SCHEMA["json_schema"]
    entities = get(client, "/entities", limit=2)
    assert entities == curation_examples.ENTITIES


def test_the_diff_and_ledger_examples_are_the_seed_story_conflict(client: TestClient) -> None:
    load_samples(client)

    diff = get(client, "/diff", left="article:3", right="article:4")
    # The example is cut to the conflict; the contingent's totals (400, over 600) update.
    assert [p["relation"] for p in diff["pairs"]] == ["conflict", "updates"]
    assert diff["pairs"][0] == diff_examples.PAIR
    assert diff["summary"] == diff_examples.DIFF["summary"]
    assert diff_examples.ONLY_IN_NAIROBI_LEDGER in diff["only_right"]
    assert diff["undecided"] == diff_examples.DIFF["undecided"]
    markdown = client.get(
        "/diff", params={"left": "article:3", "right": "article:4", "format": "md"}
    )
    assert markdown.text.startswith(diff_examples.DIFF_MARKDOWN)

    (fact,) = get(client, "/facts", entity="Kenya", conflicts="true")["data"]
    # Ids and keys of stored facts follow the order claims were assigned in: set aside.
    assigned = {"id", "key", "sources"}
    assert without(fact, assigned) == without(diff_examples.FACT, assigned)
    for source in diff_examples.FACT["sources"]:
        assert source in fact["sources"]
    ledger = client.get("/facts", params={"entity": "Kenya", "conflicts": "true", "format": "md"})
    assert ledger.text.startswith(diff_examples.FACTS_MARKDOWN)
    detail = get(client, f"/facts/{fact['id']}")
    for point in diff_examples.TIMELINE:
        assert point in detail["timeline"]


def test_the_curation_examples_do_what_they_say(client: TestClient) -> None:
    load_samples(client)

    corrected = client.patch("/claims/26", json=curation_examples.CLAIM_PATCH)
    assert corrected.status_code == 200, corrected.text
    assert corrected.json() == curation_examples.CORRECTED_CLAIM
    (audit,) = get(client, "/claims/92/audit")
    assert without(audit, {"before", "after", "created_at"}) == without(
        curation_examples.CLAIM_AUDIT, {"before", "after", "created_at"}
    )
    for side in ("before", "after"):
        for field, value in curation_examples.CLAIM_AUDIT[side].items():
            assert audit[side][field] == value, (side, field)

    added = client.post("/articles/4/claims", json=curation_examples.CURATED_CLAIM)
    assert added.status_code == 201, added.text
    claim = added.json()
    assert (claim["origin"], claim["quantity"]["value"]) == ("curated", 270)
    # news_claims@v2's canonical fields, stored as an extracted claim's are.
    assert (claim["fact_kind"], claim["unit_kind"], claim["aspect"]) == (
        "deployment",
        "persons",
        "event",
    )
    assert claim["object_entity"] == {"entity_id": 2, "name": "Haiti", "type": "country"}
    assert claim["evidence"]["quote"] == curation_examples.CURATED_CLAIM["evidence"]

    kenya = client.post("/entities/1/aliases", json=curation_examples.ALIAS)
    assert kenya.status_code == 200, kenya.text
    assert curation_examples.ALIAS["alias"] in kenya.json()["aliases"]


def test_the_fact_curation_examples_do_what_they_say(client: TestClient) -> None:
    load_samples(client)
    (fact,) = get(client, "/facts", entity="Kenya", conflicts="true")["data"]
    meridian = next(s for s in fact["sources"] if s["outlet"] == "Meridian Newswire")
    split = {**diff_examples.FACT_SPLIT, "claim_id": meridian["id"]}
    assert meridian["id"] == diff_examples.FACT_SPLIT["claim_id"]

    response = client.post(f"/facts/{fact['id']}/split", json=split)
    assert response.status_code == 200, response.text
    new_fact = response.json()["fact"]["id"]
    (audit,) = get(client, f"/facts/{fact['id']}")["audit"]
    documented = diff_examples.FACT_AUDIT
    assert (audit["action"], audit["claim_id"], audit["reason"]) == (
        documented["action"],
        documented["claim_id"],
        documented["reason"],
    )
    assert audit["other_fact_id"] == new_fact
    merged = client.post(
        f"/facts/{fact['id']}/merge", json={**diff_examples.FACT_MERGE, "other_fact_id": new_fact}
    )
    assert merged.status_code == 200, merged.text
