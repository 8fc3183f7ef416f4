"""A run's claims land in one transaction: a database fault midway stores none of them."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, select

from app.core.config import Settings
from app.store.db import jobs_engine
from app.store.models import Claim, ExtractionRun
from tests.conftest import ClientFactory, load_article


class DiskFullOnSuccess:
    """Fail the claims' INSERT, once the statement marking the run succeeded has run in the
    same transaction."""

    def __init__(self) -> None:
        self.marked_succeeded = False
        self.tripped = False

    def __call__(self, _conn: Any, _cursor: Any, statement: str, params: Any, *_: Any) -> None:
        if statement.startswith("UPDATE extraction_run") and "succeeded" in repr(params):
            self.marked_succeeded = True
        if statement.startswith("INSERT INTO claim ") and self.marked_succeeded:
            self.tripped = True
            raise OperationalError(statement, params, Exception("database or disk is full"))


def test_a_fault_while_storing_claims_stores_none_and_fails_the_run(
    make_client: ClientFactory, settings: Settings, engine: Engine
) -> None:
    fault = DiskFullOnSuccess()
    runs_engine = jobs_engine(engine, settings)  # where runs store their results
    event.listen(runs_engine, "before_cursor_execute", fault)
    try:
        response = make_client(settings).post("/articles", json=load_article("kenya-haiti-217"))
    finally:
        event.remove(runs_engine, "before_cursor_execute", fault)

    assert fault.marked_succeeded and fault.tripped
    assert response.status_code == 502
    detail = response.json()["detail"]
    assert detail["reason"] == "database_error"
    assert detail["message"] == ("storing the claims failed; nothing was stored: OperationalError")
    with Session(engine) as session:
        run = session.get(ExtractionRun, detail["run_id"])
        assert run is not None
        assert (run.status, run.error_reason, run.claims_count) == ("failed", "database_error", 0)
        assert session.exec(select(Claim)).all() == []


def test_the_failed_run_is_retried_whole_on_resubmission(
    make_client: ClientFactory, settings: Settings, engine: Engine
) -> None:
    client = make_client(settings)
    fault = DiskFullOnSuccess()
    runs_engine = jobs_engine(engine, settings)
    event.listen(runs_engine, "before_cursor_execute", fault)
    try:
        first = client.post("/articles", json=load_article("kenya-haiti-217"))
    finally:
        event.remove(runs_engine, "before_cursor_execute", fault)
    assert first.status_code == 502

    again = client.post("/articles", json=load_article("kenya-haiti-217"))

    assert again.status_code == 201, again.text
    claims = again.json()["claims"]
    assert len(claims) == again.json()["run"]["claims_count"] > 0
    with Session(engine) as session:
        assert len(session.exec(select(Claim)).all()) == len(claims)
