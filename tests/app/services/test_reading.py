"""What the pages read: stories, and each claim's fact from the ledger of its blocks only."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.services import comparison, reading
from app.store.models import Article
from tests.conftest import ARTICLES_DIR


def load_samples(client: TestClient) -> None:
    for path in sorted(ARTICLES_DIR.glob("*.json")):
        response = client.post("/articles", json=json.loads(path.read_text(encoding="utf-8")))
        assert response.status_code == 201, response.text


def test_each_claims_fact_is_the_one_the_whole_ledger_gives_it(
    client: TestClient, session: Session
) -> None:
    load_samples(client)
    whole = {
        c.id: (f.status, f.explanation)
        for f in comparison.fact_ledger(session, schema_name="news_claims")
        for c in f.sources
    }
    checked = 0
    for article in session.exec(select(Article)).all():
        assert article.id is not None
        facts = reading.facts_of_article(
            session=session, article_id=article.id, schema_name="news_claims"
        )
        claims = reading.article_claims(session=session, article_id=article.id)
        assert {c.id for c in claims} <= set(facts)
        for claim in claims:
            assert claim.id is not None
            assert (facts[claim.id].status, facts[claim.id].explanation) == whole[claim.id]
            checked += 1
    assert checked > 50
    statuses = {status for status, _ in whole.values()}
    # The Kenyan contingent's total before and after the new arrivals: updates, not conflict.
    assert statuses == {"conflict", "consensus", "single", "updates"}


def test_stories_fold_one_subjects_entities_and_count_its_conflicts(
    client: TestClient, session: Session
) -> None:
    load_samples(client)
    stories = reading.list_stories(session=session, schema_name="news_claims")
    kenya = stories[0]
    assert kenya.name == "Kenya" and "country" in kenya.types
    conflicts = comparison.fact_ledger(
        session, schema_name="news_claims", entity="Kenya", conflicts_only=True
    )
    assert kenya.conflicts == len(conflicts) == 1
    assert [s.name for s in stories].count("Kenya") == 1
    assert kenya.claims >= max(s.claims for s in stories[1:])
