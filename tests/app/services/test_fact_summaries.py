"""Stored fact summaries: what /facts reads, kept equal to a summary made afresh from the
fact's current claims through curation, re-extraction and racing writers."""

from __future__ import annotations

import itertools
import json
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from app.diff.ledger import stored_fact
from app.services.diff_sources import load_claims
from app.services.fact_summaries import refresh_stale, shown_sources, stale_ids, timeline
from app.services.facts import assign_pending
from app.store.fact_models import Fact, FactEntity
from app.store.fact_revisions import current_claims
from app.store.models import Article, Claim, Entity, ExtractionRun, RunStatus
from tests.app.api.routes.test_diff import load_samples
from tests.app.api.routes.test_diff_v2 import post_v2
from tests.app.conftest import race
from tests.conftest import ARTICLES_DIR

COPIES = itertools.count(1)
CURATOR = {"actor": "desk", "reason": "checked against the ministry's statement"}
DEPLOYMENT_VALUES = [
    "217 officers, 2025-01-18",
    "270 officers, 2025-01-17",
    "over 200 officers, 2025-01-18..2025-01-19",
]
SIX_OUTLETS = [
    "Coastline Dispatch",
    "Example Daily",
    "Harbor Wire",
    "Le Courrier de l’Artibonite",
    "Meridian Newswire",
    "Nairobi Ledger",
]


def the_conflict(client: TestClient) -> dict[str, Any]:
    (fact,) = client.get("/facts", params={"conflicts": "true"}).json()["data"]
    return fact


def stored(engine: Engine, fact_id: int) -> Fact:
    with Session(engine) as session:
        fact = session.get(Fact, fact_id)
        assert fact is not None
        return fact


def assert_fresh(engine: Engine) -> None:
    """Every fact's stored summary is the one made afresh from its current claims now."""
    with Session(engine) as session:
        assert stale_ids(session) == []
        facts = session.exec(select(Fact).order_by(col(Fact.id))).all()
        entities = set(session.exec(select(FactEntity.fact_id, FactEntity.entity_id)).all())
        for fact in facts:
            assert fact.id is not None
            members = load_claims(session, where=[Claim.fact_id == fact.id, current_claims()])
            assert fact.claim_count == len(members), fact.id
            if not members:
                continue
            again = stored_fact(members, fact_id=fact.id)
            summary = (fact.status, fact.values, fact.explanation, fact.outlets, fact.key)
            assert summary == (
                again.status,
                again.values,
                again.explanation,
                again.outlets,
                again.key,
            )
            counts = (fact.source_count, fact.article_count, fact.publication_count)
            assert counts == (again.source_count, again.article_count, again.publication_count)
            assert fact.shown == [c.id for c in shown_sources(again.sources)]
            assert fact.steps == [c.id for c in timeline(again.sources)]
            of_claims = select(Claim.entity_id).where(Claim.fact_id == fact.id, current_claims())
            about = {e for e in session.exec(of_claims).all() if e is not None}
            assert {e for f, e in entities if f == fact.id} == about


def copy_claim(engine: Engine, claim_id: int, *, same_article: bool = False) -> int:
    """A new successful run storing a copy of a claim: of its own article (an extraction run
    again) or of a new article (another outlet reporting it); returns the copy's id."""
    tag = f"{claim_id}-{next(COPIES)}"
    with Session(engine) as session:
        claim = session.get(Claim, claim_id)
        assert claim is not None
        run = session.get(ExtractionRun, claim.run_id)
        assert run is not None
        article_id = claim.article_id
        if not same_article:
            original = session.get(Article, claim.article_id)
            assert original is not None
            article = Article(
                content_hash=f"copy-of-{tag}",
                text=original.text,
                title=f"Copy of {original.title}",
                outlet=f"Copy {tag}",
                published_at=original.published_at,
            )
            session.add(article)
            session.flush()
            assert article.id is not None
            article_id = article.id
        again = ExtractionRun(
            **run.model_dump(exclude={"id", "article_id", "cache_key", "created_at"}),
            article_id=article_id,
            cache_key=f"again-{tag}",
        )
        again.status = RunStatus.succeeded
        session.add(again)
        session.flush()
        copy = Claim(
            **claim.model_dump(exclude={"id", "run_id", "article_id", "fact_id", "created_at"}),
            run_id=again.id,
            article_id=article_id,
        )
        session.add(copy)
        session.commit()
        assert copy.id is not None
        return copy.id


def test_the_deployment_summary_says_conflict_with_both_figures_and_its_sources(
    db: tuple[TestClient, Engine],
) -> None:
    client, engine = db
    load_samples(client)
    fact = the_conflict(client)
    row = stored(engine, fact["id"])
    assert row.status == "conflict"
    assert row.values == DEPLOYMENT_VALUES
    assert row.outlets == SIX_OUTLETS
    assert (row.claim_count, row.article_count, row.source_count) == (6, 6, 6)
    assert row.explanation.endswith(
        "(left) vs Nairobi Ledger (right): figure decides: 217 officers vs 270 officers; "
        "date: on Saturday (2025-01-18) vs on Friday night (2025-01-17): 1 day apart, within "
        "a day's precision; left: asserted; right: reported by Kenyan officials "
        "(kenya · deployed)"
    )
    assert row.shown == [s["id"] for s in fact["sources"]]
    quotes = {s["evidence"]["quote"] for s in fact["sources"]}
    assert "Kenya dispatched 217 more police officers to Haiti on Saturday" in quotes
    assert "Kenya has sent another 270 police officers to Haiti" in quotes
    assert (fact["claim_count"], fact["article_count"], fact["outlets"]) == (6, 6, SIX_OUTLETS)
    with Session(engine) as session:
        kenya = session.exec(select(Entity.id).where(Entity.name == "Kenya")).all()
        about = session.exec(select(FactEntity.entity_id).where(FactEntity.fact_id == row.id))
        assert set(kenya) & set(about.all())
    assert_fresh(engine)


def test_split_merge_and_retraction_change_the_summary(client: TestClient, engine: Engine) -> None:
    load_samples(client)
    fact = the_conflict(client)
    claim_270 = next(s for s in fact["sources"] if s["quantity"]["value"] == 270)

    split = client.post(f"/facts/{fact['id']}/split", json={"claim_id": claim_270["id"], **CURATOR})
    new_id = split.json()["fact"]["id"]
    kept, new = stored(engine, fact["id"]), stored(engine, new_id)
    assert (kept.status, kept.claim_count) == ("consensus", 5)
    assert kept.values == [DEPLOYMENT_VALUES[0], DEPLOYMENT_VALUES[2]]
    assert "Nairobi Ledger" not in kept.outlets
    assert (new.status, new.values, new.outlets) == (
        "single",
        [DEPLOYMENT_VALUES[1]],
        ["Nairobi Ledger"],
    )
    assert new.explanation == "only Nairobi Ledger reports it"
    assert client.get("/facts", params={"conflicts": "true"}).json()["count"] == 0
    assert_fresh(engine)

    client.post(f"/facts/{fact['id']}/merge", json={"other_fact_id": new_id, **CURATOR})
    merged = stored(engine, fact["id"])
    assert (merged.status, merged.claim_count, merged.values) == ("conflict", 6, DEPLOYMENT_VALUES)
    assert stored(engine, new_id).claim_count == 0
    assert the_conflict(client)["id"] == fact["id"]
    assert_fresh(engine)

    retracted = client.delete(f"/claims/{claim_270['id']}", params=CURATOR)
    assert retracted.status_code == 200
    after = stored(engine, fact["id"])
    assert (after.status, after.claim_count) == ("consensus", 5)
    assert after.outlets == [o for o in SIX_OUTLETS if o != "Nairobi Ledger"]
    assert claim_270["id"] not in after.shown
    assert_fresh(engine)


def load_samples_v1(client: TestClient) -> None:
    """The samples extracted under news_claims@v1, as a database from before v2 holds them."""
    for path in sorted(ARTICLES_DIR.glob("*.json")):
        body = {**json.loads(path.read_text()), "schema": "news_claims@v1"}
        assert client.post("/articles", json=body).status_code == 201


def test_an_article_extracted_twice_counts_once(client: TestClient, engine: Engine) -> None:
    """Each article's latest successful run stands in the ledger; older runs stay in /diff."""
    load_samples_v1(client)
    v1 = the_conflict(client)
    v1_run = next(s["run_id"] for s in v1["sources"] if s["quantity"]["value"] == 270)
    articles = post_v2(client)  # the four Kenya articles again, under news_claims@v2

    (fact,) = client.get("/facts", params={"conflicts": "true"}).json()["data"]
    assert fact["id"] != v1["id"]
    assert (fact["article_count"], fact["claim_count"]) == (4, 4)
    assert v1_run not in {s["run_id"] for s in fact["sources"]}
    # The older fact keeps the two articles extracted only under v1.
    older = stored(engine, v1["id"])
    assert (older.status, older.claim_count, older.outlets) == (
        "consensus",
        2,
        ["Coastline Dispatch", "Example Daily"],
    )
    v2_run = next(s["run_id"] for s in fact["sources"] if s["quantity"]["value"] == 270)
    diff = client.get("/diff", params={"left": f"run:{v1_run}", "right": f"run:{v2_run}"})
    assert diff.status_code == 200
    assert any(p["left"]["run_id"] == v1_run for p in diff.json()["pairs"])
    # An article side is the article's latest run: no claim twice.
    sides = {"left": f"article:{articles['kenya-haiti-270']}", "right": f"run:{v2_run}"}
    same = client.get("/diff", params=sides).json()
    assert same["only_left"] == same["only_right"] == []
    assert {p["left"]["run_id"] for p in same["pairs"]} == {v2_run}
    assert_fresh(engine)


def test_a_run_of_the_same_schema_again_replaces_the_older_claim(
    client: TestClient, engine: Engine
) -> None:
    load_samples(client)
    fact = the_conflict(client)
    claim_270 = next(s for s in fact["sources"] if s["quantity"]["value"] == 270)
    again = copy_claim(engine, claim_270["id"], same_article=True)

    after = the_conflict(client)
    assert after["id"] == fact["id"]
    assert (after["claim_count"], after["article_count"]) == (6, 6)
    ids = {s["id"] for s in after["sources"]}
    assert again in ids and claim_270["id"] not in ids
    assert_fresh(engine)


def test_paging_the_ledger(client: TestClient) -> None:
    load_samples(client)
    whole = [f["id"] for f in client.get("/facts").json()["data"]]
    page = client.get("/facts", params={"limit": 2, "offset": 1}).json()
    assert [f["id"] for f in page["data"]] == whole[1:3]
    assert whole[0] == the_conflict(client)["id"]
    # Two sources a fact: the first of each of the two first values, 217 and 270.
    (two,) = client.get("/facts", params={"conflicts": "true", "sources": 2}).json()["data"]
    assert [s["quantity"]["value"] for s in two["sources"]] == [217, 270]
    assert (two["claim_count"], two["source_count"]) == (6, 6)


def test_two_runs_stored_into_one_fact_at_once(db: tuple[TestClient, Engine]) -> None:
    client, engine = db
    load_samples(client)
    fact = the_conflict(client)
    figures = {s["quantity"]["value"]: s["id"] for s in fact["sources"]}

    def store_and_read(n: int) -> None:
        copy_claim(engine, figures[217.0] if n == 0 else figures[270.0])
        assign_pending(engine, default_schema="news_claims")
        refresh_stale(engine)

    race(2, store_and_read)
    row = stored(engine, fact["id"])
    assert (row.status, row.claim_count, row.article_count) == ("conflict", 8, 8)
    assert_fresh(engine)


def test_a_merge_racing_an_assignment(db: tuple[TestClient, Engine]) -> None:
    client, engine = db
    load_samples(client)
    fact = the_conflict(client)
    claim_270 = next(s for s in fact["sources"] if s["quantity"]["value"] == 270)
    split = client.post(f"/facts/{fact['id']}/split", json={"claim_id": claim_270["id"], **CURATOR})
    other = split.json()["fact"]["id"]
    statuses: list[int] = []

    def merge_or_store(n: int) -> None:
        if n == 0:
            merged = client.post(
                f"/facts/{fact['id']}/merge", json={"other_fact_id": other, **CURATOR}
            )
            statuses.append(merged.status_code)
        else:
            copy_claim(engine, claim_270["id"])
            assign_pending(engine, default_schema="news_claims")
            refresh_stale(engine)

    race(2, merge_or_store)
    assert statuses == [200]
    row = stored(engine, fact["id"])
    assert (row.status, row.claim_count, row.values) == ("conflict", 7, DEPLOYMENT_VALUES)
    assert stored(engine, other).claim_count == 0
    assert_fresh(engine)
