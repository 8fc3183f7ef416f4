"""The fact ledger's response built in one validation pass, and its claims loaded in id order."""

from __future__ import annotations

import gc
from datetime import date
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session

import app.api.main  # noqa: F401  (freezes what the app loads)
from app.api.diff_models import DiffClaimPublic, FactsPublic, SpanPublic
from app.diff.ledger import build_ledger
from app.services.diff_sources import ledger_claims
from bench.generate_corpus import populate
from tests.app.diff.test_align import claim


def test_the_response_holds_every_field_of_a_source() -> None:
    counted = claim(value=217, qualifier=None, unit=None)
    worded = claim(value=None, time_text=None, article_id=counted.article_id + 100)
    [fact] = build_ledger([counted])

    body = FactsPublic.of([fact], date_from=date(2025, 1, 1), date_to=None)

    source: dict[str, Any] = body.model_dump(mode="json")["data"][0]["sources"][0]
    assert source["quantity"] == {"value": 217.0, "unit": "", "qualifier": "exact"}
    assert source["time"] == {"text": "on Saturday", "start": "2025-01-18", "end": "2025-01-18"}
    assert source["published_at"] == "2025-01-18T00:00:00Z"
    assert source["evidence"] == {
        "quote": "Kenya dispatched 217 more police officers",
        "char_start": 0,
        "char_end": 41,
    }
    assert body.count == 1 and body.date_from == date(2025, 1, 1)
    bare = DiffClaimPublic.of(worded)
    assert bare.quantity is None and bare.time is None
    assert bare.evidence == SpanPublic(
        quote="Kenya dispatched 217 more police officers", char_start=0, char_end=41
    )


def test_ledger_claims_come_in_id_order(engine: Engine) -> None:
    _, busiest = populate(engine, articles=40, claims_version="v1")
    with Session(engine) as session:
        claims = ledger_claims(
            session,
            schema_name="news_claims",
            entity=busiest,
            claim_type=None,
            date_from=None,
            date_to=None,
        )

    ids = [c.id for c in claims]
    assert busiest == "Org 0"
    assert len(ids) == 56
    assert ids == sorted(ids)
    assert {c.subject for c in claims} == {"org 0"}


def test_the_app_freezes_what_it_loads() -> None:
    assert gc.get_freeze_count() > 10_000
