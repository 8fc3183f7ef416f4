"""``factdiff facts backfill``: claims stored before facts existed get their facts."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, update
from sqlmodel import Session, col, func, select
from typer.testing import CliRunner

from app.cli.main import app as cli
from app.services.fact_summaries import stale_ids
from app.store import db
from app.store.fact_models import Fact
from app.store.models import Claim
from tests.app.api.routes.test_diff import load_samples


def unassigned(engine: Engine) -> int:
    with Session(engine) as session:
        return session.exec(
            select(func.count()).select_from(Claim).where(col(Claim.fact_id).is_(None))
        ).one()


def test_backfill_assigns_claims_stored_before_facts(
    client: TestClient, engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    load_samples(client)
    with Session(engine) as session:
        claims = session.exec(select(func.count()).select_from(Claim)).one()
        session.exec(update(Claim).values(fact_id=None))  # type: ignore[call-overload]
        session.commit()
    assert unassigned(engine) == claims
    monkeypatch.setenv("FACTDIFF_DATABASE_URL", f"sqlite:///{tmp_path / 'factdiff.db'}")
    db.get_engine.cache_clear()
    try:
        result = CliRunner().invoke(cli, ["facts", "backfill", "--batch", "7"])
        again = CliRunner().invoke(cli, ["facts", "backfill"])
    finally:
        db.get_engine.cache_clear()
    assert result.exit_code == 0, result.output
    assert f"assigned {claims} claim(s) to facts" in result.output
    assert unassigned(engine) == 0
    # Summarised too, before any reader: the stored summary of the deployment says conflict.
    assert "summarised" in result.output
    with Session(engine) as session:
        assert stale_ids(session) == []
        assert session.exec(select(Fact.status).where(Fact.claim_count == 6)).all() == ["conflict"]
    (conflict,) = client.get("/facts", params={"conflicts": "true"}).json()["data"]
    assert {217, 270} <= {s["quantity"]["value"] for s in conflict["sources"]}
    assert again.exit_code == 0
    assert "every claim already belongs to a fact" in again.output
