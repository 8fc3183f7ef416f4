"""Curators posting the article page's claim forms at once, over HTTP, on SQLite and PostgreSQL:
one correction of a claim wins and the others are shown why not; added claims are all kept."""

from __future__ import annotations

from collections import Counter

import httpx
from sqlalchemy import Engine
from sqlmodel import Session, col, func, select

from app.store.models import Claim, Entity
from tests.app.conftest import race
from tests.app.services.test_curation_races import (  # noqa: F401  (fixtures)
    claim_id,
    engine_of,
    service,
    stored,
)
from tests.app.web.test_claim_forms import DEPARTURE

RACERS = 12


def test_one_of_the_correction_forms_posted_at_once_wins(
    service: str,  # noqa: F811
    claim_id: int,  # noqa: F811
    engine_of: Engine,  # noqa: F811
) -> None:
    kinds = ["count", "other", "area"]

    def correct(n: int) -> httpx.Response:
        form = {"unit_kind": kinds[n % 3], "actor": f"editor {n}", "reason": f"race {n}"}
        return httpx.post(f"{service}/pages/claims/{claim_id}/correct", data=form, timeout=60)

    responses = race(RACERS, correct)

    won = [r for r in responses if r.status_code == 303]
    assert len(won) == 1, Counter(r.status_code for r in responses)
    for response in responses:
        if response is not won[0]:
            assert response.status_code == 409, response.text
            assert (
                f"Not changed: claim {claim_id} is superseded; only active claims can be changed"
                in response.text
            )
    status, corrections, audit = stored(engine_of, claim_id)
    assert (status, audit) == ("superseded", ["corrected"])
    (corrected,) = corrections
    assert won[0].headers["location"].endswith(f"?done=corrected#c-{corrected.id}")
    winner = int(won[0].request.content.decode().split("editor+")[1].split("&")[0])
    assert corrected.unit_kind == kinds[winner % 3]


def test_claims_added_on_the_page_at_once_are_all_kept_their_new_entity_once(
    service: str,  # noqa: F811
    claim_id: int,  # noqa: F811
    engine_of: Engine,  # noqa: F811
) -> None:
    article_id = httpx.get(f"{service}/claims/{claim_id}").json()["article_id"]
    airport = "Jomo Kenyatta International Airport"
    form = DEPARTURE | {"object_name": airport, "object_type": "location"}

    def add(n: int) -> httpx.Response:
        curator = {"actor": f"editor {n}", "reason": f"race {n}"}
        url = f"{service}/pages/articles/{article_id}/claims"
        return httpx.post(url, data=form | curator, timeout=60)

    responses = race(RACERS, add)

    assert Counter(r.status_code for r in responses) == {303: RACERS}, responses[0].text
    with Session(engine_of) as session:
        (entity,) = session.exec(select(Entity).where(Entity.name == airport)).all()
        added = session.exec(
            select(func.count())
            .select_from(Claim)
            .where(col(Claim.object_entity_id) == entity.id, Claim.origin == "curated")
        ).one()
    assert added == RACERS
