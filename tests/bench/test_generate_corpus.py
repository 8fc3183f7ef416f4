"""The benchmarks' synthetic corpus: v2-shaped claims, loaded as the app would have stored them."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlmodel import Session

from app.store.db import make_engine, migrate
from app.store.models import Article, Entity, ExtractionRun, RunStatus
from bench.generate_corpus import populate
from schemas.news_claims_v2 import FactKind, QuantityV2
from tests.app.store.test_db import postgres_database


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """An empty migrated database: a SQLite file, or a PostgreSQL database of its own."""
    if request.param == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'corpus.db'}")
        migrate(engine)
        yield engine
        engine.dispose()
    else:
        with postgres_database() as engine:
            migrate(engine)
            yield engine


CLAIMS = text(
    "SELECT c.fact_kind, c.quantity_value, c.quantity_unit, c.quantity_qualifier, c.unit_kind, "
    "c.aspect, c.location, o.name AS object_entity FROM claim c "
    "LEFT JOIN entity o ON o.id = c.object_entity_id"
)


def test_a_v2_corpus_names_every_fact_in_the_schemas_terms(store: Engine) -> None:
    stored, busiest = populate(store, articles=150)
    with Session(store) as session:
        rows = session.execute(CLAIMS).all()
        runs = session.execute(text("SELECT schema_name, schema_version FROM extraction_run"))
        versions = set(runs.all())
        top = session.execute(
            text(
                "SELECT e.name, count(*) FROM claim c JOIN entity e ON e.id = c.entity_id "
                "GROUP BY e.name ORDER BY count(*) DESC LIMIT 2"
            )
        ).all()

    assert len(rows) == stored > 150 * 12
    assert versions == {("news_claims", "v2")}
    assert top[0][0] == busiest and top[0][1] > top[1][1]
    kinds = Counter(r.fact_kind for r in rows)
    assert set(kinds) == {k.value for k in FactKind}  # every kind of the vocabulary
    assert kinds.most_common(1)[0][0] == "other" and kinds["other"] < stored / 2
    counted = [r for r in rows if r.quantity_value is not None]
    assert all(r.unit_kind is None and r.aspect is None for r in rows if r not in counted)
    # Each figure is one v2's schema accepts (a currency's unit an ISO code, and so on).
    for r in counted:
        QuantityV2(value=r.quantity_value, unit=r.quantity_unit, qualifier=r.quantity_qualifier,
                   unit_kind=r.unit_kind, aspect=r.aspect)  # fmt: skip
    assert {r.aspect for r in counted} == {"event", "state"}
    about_places = [r for r in rows if r.object_entity is not None]
    assert len(about_places) > stored / 2
    assert all(r.object_entity == r.location for r in about_places)


def test_the_app_stores_after_the_corpus(store: Engine) -> None:
    # Rows loaded with their ids leave PostgreSQL's sequences behind unless moved on; and
    # COPY fills no defaults kept in Python, which the loader must.
    populate(store, articles=30)
    with Session(store) as session:
        article = Article(content_hash="f" * 64, text="A text submitted after the corpus.")
        entity = Entity(key="a new one", name="A new one", type="organization")
        session.add_all([article, entity])
        session.commit()
        ids = (article.id, entity.id)
        run = session.get(ExtractionRun, 30)

    assert ids == (31, 300 + 60 + 1)
    assert run is not None and run.status == RunStatus.succeeded
    assert (run.llm_calls, run.attempts, run.usage_by_attempt) == (0, 0, [])


def test_a_v1_corpus_is_the_one_earlier_figures_were_measured_on(store: Engine) -> None:
    stored, busiest = populate(store, articles=40, claims_version="v1")
    with Session(store) as session:
        rows = session.execute(CLAIMS).all()
        versions = set(session.execute(text("SELECT schema_version FROM extraction_run")).all())

    assert (stored, busiest) == (557, "Org 0")
    assert versions == {("v1",)}
    assert {r.fact_kind for r in rows} == {None}
