"""GET /diff makes a pair a third stored article links (app.services.fact_claims), on SQLite and
PostgreSQL: eval/dev's bank collapse story, extracted through the stand-in model in its varied
wording, where two outlets word the count of Sorrel's customers with frozen accounts (41,300 on
Wednesday, around 41,000) too far apart to pair alone."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager
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
LEDGER = "The regulator said on Wednesday it now counts 41,300 savers with frozen accounts."
WIRE = "Around 41,000 of the bank's customers still cannot get at their accounts."
MIDDLE = "Over 40,000 customers are caught by the freeze on Sorrel accounts."


def dev_story(name: str) -> GoldStory:
    (story,) = [s for s in load_stories(EVAL, "dev") if s.story == name]
    return story


def varied_stand_in(story: GoldStory) -> AbstractContextManager[str]:
    """The stand-in model answering the story's articles in its varied wording, at a URL."""
    return serve_in_thread(create_app(GoldAnswers([story], Wording.varied)))


@pytest.fixture(scope="module")
def bank() -> GoldStory:
    return dev_story("bank-collapse-sorrel")


@pytest.fixture
def stand_in(bank: GoldStory) -> Iterator[str]:
    with varied_stand_in(bank) as url:
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


def frozen_accounts(pairs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [p for p in pairs if (p["left"]["statement"], p["right"]["statement"]) == (LEDGER, WIRE)]


def test_the_third_outlet_pairs_the_frozen_accounts_until_a_curator_retracts_its_claim(
    service: TestClient, bank: GoldStory
) -> None:
    ids = submit(service, bank, ["b", "c"])
    # Two outlets alone: the counts are only offered to check.
    alone = diff(service, ids["b"], ids["c"])
    assert frozen_accounts(alone["pairs"]) == []
    (offer,) = frozen_accounts(alone["undecided"])
    assert (offer["relation"], offer["score"]) == ("refines", 0.585)
    assert offer["why"] == "They scored 0.59, under the 0.65 a pair needs."

    # The Ambrel Herald's report arrives, worded between the two.
    ids |= submit(service, bank, ["a"])
    middle = next(
        c for c in service.get(f"/articles/{ids['a']}/claims").json()["data"]
        if c["statement"] == MIDDLE
    )  # fmt: skip
    linked = diff(service, ids["b"], ids["c"])
    (pair,) = frozen_accounts(linked["pairs"])
    assert (pair["relation"], pair["score"]) == ("refines", 0.585)
    assert pair["explanation"].startswith(
        f'linked through The Ambrel Herald\'s claim {middle["id"]} ("{MIDDLE}"), which matches '
        "both: "
    )
    herald = (middle["id"], "The Ambrel Herald")
    assert (pair["linked_by"]["id"], pair["linked_by"]["outlet"]) == herald
    assert pair["linked_by"]["evidence"]["quote"] == middle["evidence"]["quote"]
    assert frozen_accounts(linked["undecided"]) == []
    page = service.get(
        "/pages/diff", params={"left": f"article:{ids['b']}", "right": f"article:{ids['c']}"}
    )
    assert page.status_code == 200
    assert (
        "Paired through a third source, as the two claims scored too low to pair alone: "
        f'<a href="/pages/articles/{ids["a"]}#c-{middle["id"]}">The Ambrel Herald</a> says '
        f"“{MIDDLE}”, which matches both." in page.text
    )
    assert linked["summary"]["refines"] == alone["summary"]["refines"] + 1

    # A curator retracts the Herald's claim: the pair is offered to check again.
    retracted = service.delete(f"/claims/{middle['id']}", params=CURATOR)
    assert retracted.status_code == 200, retracted.text
    again = diff(service, ids["b"], ids["c"])
    assert frozen_accounts(again["pairs"]) == []
    assert [p["score"] for p in frozen_accounts(again["undecided"])] == [0.585]
