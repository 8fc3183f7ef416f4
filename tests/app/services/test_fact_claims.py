"""GET /diff makes a pair a third stored article links (app.services.fact_claims), on SQLite and
PostgreSQL: eval/dev's layoffs story, extracted through the stand-in model in its varied
wording, where two outlets word Brightwell's 1,200 job cuts too far apart to pair alone."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from app.api.deps import get_engine
from app.api.main import app
from app.eval.gold import GoldStory, Wording, load_stories
from app.eval.stand_in import GoldAnswers, create_app, serve_in_thread
from tests.app.eval.test_eval_cli import stand_in_settings
from tests.app.store.test_db import assert_migrated
from tests.conftest import ClientFactory

EVAL = Path(__file__).resolve().parents[3] / "eval"
CURATOR = {"actor": "desk@example.org", "reason": "the third outlet misread the figure"}
JOURNAL = "Brightwell is laying off 1,200 staff."
LEDGER = "Brightwell's announced job cuts number about 1,200."
MIDDLE = "Brightwell will eliminate 1,200 positions."


@pytest.fixture(scope="module")
def layoffs() -> GoldStory:
    (story,) = [s for s in load_stories(EVAL, "dev") if s.story == "layoffs-brightwell"]
    return story


@pytest.fixture
def stand_in(layoffs: GoldStory) -> Iterator[str]:
    with serve_in_thread(create_app(GoldAnswers([layoffs], Wording.varied))) as url:
        yield url


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def service(
    request: pytest.FixtureRequest, make_client: ClientFactory, stand_in: str, engine: Engine
) -> TestClient:
    """The app extracting live through the stand-in, over SQLite or a PostgreSQL database."""
    client = make_client(stand_in_settings(stand_in))
    if request.param == "postgres":
        postgres: Engine = request.getfixturevalue("postgres_engine")
        assert_migrated(postgres)
        app.dependency_overrides[get_engine] = lambda: postgres
    return client


def submit(client: TestClient, story: GoldStory, keys: list[str]) -> dict[str, int]:
    ids = {}
    for article in story.articles:
        if article.key in keys:
            response = client.post("/articles", json=article.payload())
            assert response.status_code == 201, response.text
            assert response.json()["run"]["status"] == "succeeded"
            ids[article.key] = response.json()["article"]["id"]
    return ids


def diff(client: TestClient, left: int, right: int) -> dict[str, Any]:
    response = client.get("/diff", params={"left": f"article:{left}", "right": f"article:{right}"})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def job_cuts(pairs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        p for p in pairs if (p["left"]["statement"], p["right"]["statement"]) == (JOURNAL, LEDGER)
    ]


def test_the_third_outlet_pairs_the_job_cuts_until_a_curator_retracts_its_claim(
    service: TestClient, layoffs: GoldStory
) -> None:
    ids = submit(service, layoffs, ["a", "c"])
    # Two outlets alone: the cuts are only offered to check.
    alone = diff(service, ids["a"], ids["c"])
    assert job_cuts(alone["pairs"]) == []
    (offer,) = job_cuts(alone["undecided"])
    assert (offer["relation"], offer["score"]) == ("refines", 0.601)
    assert offer["why"] == "They scored 0.60, under the 0.65 a pair needs."

    # Markets Daily's report arrives, worded between the two.
    ids |= submit(service, layoffs, ["b"])
    middle = next(
        c for c in service.get(f"/articles/{ids['b']}/claims").json()["data"]
        if c["statement"] == MIDDLE
    )  # fmt: skip
    linked = diff(service, ids["a"], ids["c"])
    (pair,) = job_cuts(linked["pairs"])
    assert (pair["relation"], pair["score"]) == ("refines", 0.601)
    assert pair["explanation"].startswith(
        f'linked through Markets Daily\'s claim {middle["id"]} ("{MIDDLE}"), which matches both: '
    )
    assert (pair["linked_by"]["id"], pair["linked_by"]["outlet"]) == (middle["id"], "Markets Daily")
    assert pair["linked_by"]["evidence"]["quote"] == middle["evidence"]["quote"]
    assert job_cuts(linked["undecided"]) == []
    page = service.get(
        "/pages/diff", params={"left": f"article:{ids['a']}", "right": f"article:{ids['c']}"}
    )
    assert page.status_code == 200
    assert (
        "Paired through a third source, as the two claims scored too low to pair alone: "
        f'<a href="/pages/articles/{ids["b"]}#c-{middle["id"]}">Markets Daily</a> says '
        f"“{MIDDLE}”, which matches both." in page.text
    )
    assert linked["summary"]["refines"] == alone["summary"]["refines"] + 1

    # A curator retracts Markets Daily's claim: the pair is offered to check again.
    retracted = service.delete(f"/claims/{middle['id']}", params=CURATOR)
    assert retracted.status_code == 200, retracted.text
    again = diff(service, ids["a"], ids["c"])
    assert job_cuts(again["pairs"]) == []
    assert [p["score"] for p in job_cuts(again["undecided"])] == [0.601]
