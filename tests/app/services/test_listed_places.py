"""Figures listed town by town, through the service: the storm story of eval/dev extracted by
the stand-in model (its gold claims), stored by runs, diffed and filed as facts. Each town's
dead and injured meet only their own town's (app.diff.places); without the lists, the storm as
every claim's subject tied Pellwick's seven injured to Lindarrow's and Harrowby's five dead to
Kestmoor's four."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from app.eval.gold import GoldStory, Wording
from app.eval.stand_in import GoldAnswers, create_app, serve_in_thread
from app.services.diff_sources import load_claims
from app.store.models import Claim
from bench.diff_eval import load
from tests.app.eval.test_eval_cli import stand_in_settings
from tests.conftest import ClientFactory, load_article

(STORM,) = (s for s in load("dev") if s["story"] == "storm-valdren-towns")
V2 = "news_claims@v2"


@pytest.fixture
def storm_client(make_client: ClientFactory) -> Iterator[TestClient]:
    answers = GoldAnswers([GoldStory.model_validate(STORM)], Wording.canonical)
    with serve_in_thread(create_app(answers)) as url:
        yield make_client(stand_in_settings(url))


def submit(client: TestClient) -> dict[str, int]:
    ids = {}
    for article in STORM["articles"]:
        body = {k: article[k] for k in ("text", "title", "outlet", "published_at", "url")}
        response = client.post("/articles", json=body | {"schema": V2})
        assert response.status_code == 201, response.text
        ids[article["key"]] = response.json()["article"]["id"]
    return ids


def diff(client: TestClient, left: int, right: int) -> Any:
    return client.get("/diff", params={"left": f"article:{left}", "right": f"article:{right}"})


def figures(pair: dict[str, Any]) -> tuple[tuple[str, float], tuple[str, float]]:
    left, right = pair["left"], pair["right"]
    return (left["location"], left["quantity"]["value"]), (
        right["location"],
        right["quantity"]["value"],
    )


def test_each_towns_toll_meets_only_its_own_town(storm_client: TestClient, engine: Engine) -> None:
    client = storm_client
    ids = submit(client)
    with Session(engine) as session:
        listed = {
            (c.location, c.value, c.predicate)
            for c in load_claims(session, where=[col(Claim.article_id) == ids["a"]])
            if c.listed
        }
    assert listed == {
        ("Harrowby", 4, "killed"), ("Kestmoor", 4, "killed"), ("Pellwick", 7, "injured"),
        ("Harrowby", 12400, "left without power"), ("Pellwick", 3150, "left without power"),
    }  # fmt: skip

    a_c = diff(client, ids["a"], ids["c"])
    assert a_c.status_code == 200, a_c.text
    made = {figures(p) for p in a_c.json()["pairs"]}
    assert (("Pellwick", 7), ("Lindarrow", 7)) not in made
    assert (("Kestmoor", 4), ("Kestmoor", 4)) in made

    a_b = diff(client, ids["a"], ids["b"])
    [conflict] = [p for p in a_b.json()["pairs"] if p["relation"] == "conflict"]
    assert figures(conflict) == (("Harrowby", 4), ("Harrowby", 5))

    facts = client.get("/facts", params={"conflicts": "true"})
    assert facts.status_code == 200, facts.text
    [fact] = facts.json()["data"]
    assert sorted((s["location"], s["quantity"]["value"]) for s in fact["sources"]) == [
        ("Harrowby", 4), ("Harrowby", 5)]  # fmt: skip


def test_a_runs_list_and_a_curators_are_read_apart(db: tuple[TestClient, Engine]) -> None:
    # SQLite and PostgreSQL: the seed's 217 officers, stored by the sample's run, copied into
    # that run at another place, and into claims a curator added (no run) at two more.
    client, engine = db
    response = client.post("/articles", json=load_article("kenya-haiti-217") | {"schema": V2})
    assert response.status_code == 201, response.text
    article_id = response.json()["article"]["id"]
    with Session(engine) as session:
        [officers] = session.exec(
            select(Claim).where(Claim.article_id == article_id, Claim.quantity_value == 217)
        ).all()
        assert (officers.location, officers.time_start) == ("Haiti", date(2025, 1, 18))
        keep = {"id", "fact_id", "created_at", "location", "run_id"}
        for run_id, place in ((officers.run_id, "Nairobi"), (None, "Mombasa"), (None, "Kisumu")):
            session.add(Claim(**officers.model_dump(exclude=keep), run_id=run_id, location=place))
        session.commit()
        claims = load_claims(session, where=[col(Claim.article_id) == article_id])
    listed = {(c.run_id is None, c.location) for c in claims if c.listed}
    assert listed == {(False, "Haiti"), (False, "Nairobi"), (True, "Mombasa"), (True, "Kisumu")}
