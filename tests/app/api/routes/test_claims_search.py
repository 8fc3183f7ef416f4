"""GET /claims?q= where the index looks up only a stretch of the search (app.store.search_plan).

A synthetic corpus in which every statement names an "Org": the index leaves out the trigrams
every claim holds, and the claims it finds are checked for the whole search. The pages must be
those the whole search gives, on SQLite and on PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text
from sqlmodel import Session, SQLModel

from app.api.deps import get_engine
from app.api.main import app
from app.store import search_plan
from app.store.db import make_engine, migrate, stamp_head
from bench.generate_corpus import populate
from tests.app.store.test_db import postgres_database

# Claims outside ASCII, for the check's case folding: (claim id, statement).
UNICODE = {
    5: "Org 12 a DÉPLOYÉ 300 policiers à Goma.",
    9: "ΣΟΦΊΑ and Org 12 deployed nobody to Straße 5.",
    14: "Org 12 deployed 120 officers to Juba (\u212aELVIN base).",
}
# Searches, and whether str.casefold finds the same claims on both databases: casefold makes
# "ß" "ss", FTS5 and PostgreSQL's lower() keep it (and PostgreSQL is given the casefolded search).
SEARCHES = [
    ("Org 12 deployed", True),
    ("ORG 2 PLEDGED", True),
    ("org 1 deployed", True),
    ("deployed 1", True),
    ("pledged", True),
    ("to Goma", True),
    ("a DÉPLOYÉ 300", True),
    ("σοφία", True),
    ("kelvin base", False),  # FTS5 folds the Kelvin sign to k; PostgreSQL's lower() may not
    ("Straße", False),
    ("STRASSE", False),
]


@pytest.fixture(params=["sqlite", "postgresql"])
def corpus(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """About 850 claims (60 synthetic articles), served by the app."""
    if request.param == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'search.db'}")
        SQLModel.metadata.create_all(engine)
        stamp_head(engine)
        yield from _serve(engine)
        engine.dispose()
    else:
        with postgres_database() as engine:
            migrate(engine)
            yield from _serve(engine)


def _serve(engine: Engine) -> Iterator[Engine]:
    populate(engine, articles=60, claims_version="v1")  # its statements name "Org"s
    with Session(engine) as session:
        for claim_id, statement in UNICODE.items():
            session.execute(
                text("UPDATE claim SET statement = :s WHERE id = :i"),
                {"s": statement, "i": claim_id},
            )
        session.commit()
    app.dependency_overrides[get_engine] = lambda: engine
    try:
        yield engine
    finally:
        app.dependency_overrides.clear()


def walk(q: str, limit: int = 7) -> list[int]:
    """Every claim id the search pages through, following next_cursor."""
    client = TestClient(app)
    found: list[int] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"q": q, "limit": limit, **({"cursor": cursor} if cursor else {})}
        response = client.get("/claims", params=params)
        assert response.status_code == 200, response.text
        page = response.json()
        found += [c["id"] for c in page["data"]]
        cursor = page["next_cursor"]
        if cursor is None:
            return found


def test_the_index_looks_up_a_stretch(corpus: Engine) -> None:
    with Session(corpus) as session:
        start, end = search_plan.stretch_for(session, "org 12 deployed")

    # "org" and "rg " are in every claim, "g 1" in a third of them, and "dep" goes on
    # "deployed" in every claim the sample drew.
    assert "org 12 deployed"[start:end] == " 12 dep"


@pytest.mark.parametrize(("q", "as_casefold"), SEARCHES)
def test_a_stretch_finds_what_the_whole_search_finds(
    corpus: Engine, q: str, as_casefold: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    found = walk(q)
    monkeypatch.setattr(search_plan, "stretch_for", lambda _session, needle: (0, len(needle)))
    whole = walk(q)

    assert found == whole
    if as_casefold:
        wanted = q.casefold()
        with Session(corpus) as session:
            rows = session.execute(text("SELECT id, statement, evidence_quote FROM claim"))
            expected = sorted(
                i for i, s, e in rows if wanted in s.casefold() + "\x1f" + e.casefold()
            )
        assert found == expected != []
