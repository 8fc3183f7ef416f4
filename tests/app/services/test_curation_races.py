"""Curators racing each other over HTTP, on SQLite and PostgreSQL: one correction or retraction
of a claim wins, the others get 409; additions and removals of aliases of one entity are all
applied, and of curators removing one alias, one removes it and the others are told it is gone."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from app.api.deps import get_engine, get_llm
from app.api.main import app
from app.core.config import Settings, get_settings
from app.llm.client import build_client
from app.store import db
from app.store.models import Claim, ClaimAudit, Entity
from tests.app.conftest import race, serving
from tests.conftest import load_article

RACERS = 20


@pytest.fixture
def engine_of(database_url: str) -> Iterator[Engine]:
    # Fewer connections than racers: a request that held one while it waited for a second
    # would leave the others nothing, and the race would stall until the pool gave up.
    engine = db.make_engine(database_url, pool_size=4, max_overflow=0, pool_timeout=10)
    yield engine
    engine.dispose()


@pytest.fixture
def service(engine_of: Engine, settings: Settings) -> Iterator[str]:
    """The app in replay mode over the test's database, served over HTTP."""
    app.dependency_overrides[get_engine] = lambda: engine_of
    app.dependency_overrides[get_settings] = lambda: settings
    llm = build_client(settings)
    app.dependency_overrides[get_llm] = lambda: llm
    try:
        with serving() as url:
            yield url
    finally:
        app.dependency_overrides.clear()


@pytest.fixture
def claim_id(service: str) -> int:
    """The 270-officers claim of a stored sample article."""
    response = httpx.post(f"{service}/articles", json=load_article("kenya-haiti-270"), timeout=60)
    assert response.status_code == 201, response.text
    claims = response.json()["claims"]
    officers = next(c for c in claims if c["quantity"] and c["quantity"]["value"] == 270)
    return int(officers["id"])


def correct(service: str, claim_id: int, n: int) -> httpx.Response:
    body = {"modality": "reported", "attribution": "Reuters", "actor": f"editor {n}"}
    return httpx.patch(f"{service}/claims/{claim_id}", json={**body, "reason": f"race {n}"})


def retract(service: str, claim_id: int, n: int) -> httpx.Response:
    params = {"actor": f"editor {n}", "reason": f"race {n}"}
    return httpx.delete(f"{service}/claims/{claim_id}", params=params)


def assert_refused(responses: list[httpx.Response], claim_id: int, status: str) -> None:
    for response in responses:
        assert response.status_code == 409, response.text
        assert response.json()["detail"] == {
            "reason": "claim_not_active",
            "message": f"claim {claim_id} is {status}; only active claims can be changed",
            "claim_id": claim_id,
            "status": status,
        }


def stored(engine: Engine, claim_id: int) -> tuple[str, list[Claim], list[str]]:
    """The claim's status, the claims that replace it, and its audit's actions."""
    with Session(engine) as session:
        original = session.get(Claim, claim_id)
        assert original is not None
        corrections = session.exec(select(Claim).where(Claim.supersedes_id == claim_id)).all()
        ids = [claim_id, *(c.id for c in corrections)]
        audit = session.exec(
            select(ClaimAudit.action).where(col(ClaimAudit.claim_id).in_(ids))
        ).all()
        return original.status, list(corrections), list(audit)


def test_one_of_twenty_racing_corrections_wins(
    service: str, claim_id: int, engine_of: Engine
) -> None:
    responses = race(RACERS, lambda n: correct(service, claim_id, n))

    won = [r for r in responses if r.status_code == 200]
    assert len(won) == 1, Counter(r.status_code for r in responses)
    assert won[0].json()["supersedes_id"] == claim_id
    assert_refused([r for r in responses if r is not won[0]], claim_id, "superseded")
    status, corrections, audit = stored(engine_of, claim_id)
    assert status == "superseded"
    assert [(c.id, c.status) for c in corrections] == [(won[0].json()["id"], "active")]
    assert audit == ["corrected"]


def test_one_of_twenty_racing_retractions_wins(
    service: str, claim_id: int, engine_of: Engine
) -> None:
    responses = race(RACERS, lambda n: retract(service, claim_id, n))

    won = [r for r in responses if r.status_code == 200]
    assert len(won) == 1, Counter(r.status_code for r in responses)
    assert won[0].json()["status"] == "retracted"
    assert_refused([r for r in responses if r is not won[0]], claim_id, "retracted")
    assert stored(engine_of, claim_id) == ("retracted", [], ["retracted"])


def test_corrections_and_retractions_racing_exclude_each_other(
    service: str, claim_id: int, engine_of: Engine
) -> None:
    def either(n: int) -> httpx.Response:
        return correct(service, claim_id, n) if n % 2 else retract(service, claim_id, n)

    responses = race(RACERS, either)

    won = [r for r in responses if r.status_code == 200]
    assert len(won) == 1, Counter(r.status_code for r in responses)
    status, corrections, audit = stored(engine_of, claim_id)
    if won[0].request.method == "PATCH":
        assert status == "superseded" and audit == ["corrected"]
        assert [c.status for c in corrections] == ["active"]
    else:
        assert (status, corrections, audit) == ("retracted", [], ["retracted"])
    assert_refused([r for r in responses if r is not won[0]], claim_id, status)


def test_twenty_racing_alias_additions_are_all_kept(service: str, claim_id: int) -> None:
    entities = httpx.get(f"{service}/entities", params={"q": "kenya"}).json()["data"]
    kenya = next(e for e in entities if e["name"] == "Kenya")
    before: list[Any] = kenya["aliases"]
    aliases = [f"Republic of Kenya {n}" for n in range(RACERS)]

    def add(n: int) -> httpx.Response:
        body = {"alias": aliases[n], "actor": f"editor {n}"}
        return httpx.post(f"{service}/entities/{kenya['id']}/aliases", json=body)

    responses = race(RACERS, add)

    assert [r.status_code for r in responses] == [200] * RACERS
    after = httpx.get(f"{service}/entities", params={"q": "kenya"}).json()["data"]
    kept = next(e for e in after if e["id"] == kenya["id"])["aliases"]
    assert kept[: len(before)] == before
    assert sorted(kept[len(before) :]) == sorted(aliases)
    audit = httpx.get(f"{service}/entities/{kenya['id']}/audit").json()
    assert sorted((a["alias"], a["actor"]) for a in audit) == sorted(
        (aliases[n], f"editor {n}") for n in range(RACERS)
    )


def test_an_alias_added_twice_at_once_is_kept_once(service: str, claim_id: int) -> None:
    entities = httpx.get(f"{service}/entities", params={"q": "kenya"}).json()["data"]
    kenya = next(e for e in entities if e["name"] == "Kenya")
    body = {"alias": "République du Kenya", "actor": "desk"}

    responses = race(
        4, lambda _: httpx.post(f"{service}/entities/{kenya['id']}/aliases", json=body)
    )

    assert [r.status_code for r in responses] == [200] * 4
    assert all(r.json()["aliases"].count("République du Kenya") == 1 for r in responses)
    after = httpx.get(f"{service}/entities", params={"q": "kenya"}).json()["data"]
    assert next(e for e in after if e["id"] == kenya["id"])["aliases"] == [
        *kenya["aliases"],
        "République du Kenya",
    ]
    audit = httpx.get(f"{service}/entities/{kenya['id']}/audit").json()
    assert [(a["alias"], a["actor"]) for a in audit] == [("République du Kenya", "desk")]


def test_an_alias_removed_by_twenty_curators_at_once_is_removed_once(
    service: str, claim_id: int
) -> None:
    entities = httpx.get(f"{service}/entities", params={"q": "kenya"}).json()["data"]
    kenya = next(e for e in entities if e["name"] == "Kenya")
    url = f"{service}/entities/{kenya['id']}/aliases"
    httpx.post(url, json={"alias": "Republic of Kenya", "actor": "desk"})

    def remove(n: int) -> httpx.Response:
        return httpx.delete(url, params={"alias": "Republic of Kenya", "actor": f"editor {n}"})

    responses = race(RACERS, remove)

    statuses = Counter(r.status_code for r in responses)
    assert statuses == {200: 1, 404: RACERS - 1}
    refused = {r.json()["detail"] for r in responses if r.status_code == 404}
    assert refused == {f"entity {kenya['id']} has no alias 'Republic of Kenya'"}
    after = httpx.get(f"{service}/entities", params={"q": "kenya"}).json()["data"]
    assert next(e for e in after if e["id"] == kenya["id"])["aliases"] == kenya["aliases"]
    audit = httpx.get(f"{service}/entities/{kenya['id']}/audit").json()
    assert [a["action"] for a in audit] == ["alias_added", "alias_removed"]


def test_aliases_added_and_removed_at_once_are_all_applied(service: str, claim_id: int) -> None:
    entities = httpx.get(f"{service}/entities", params={"q": "kenya"}).json()["data"]
    kenya = next(e for e in entities if e["name"] == "Kenya")
    url = f"{service}/entities/{kenya['id']}/aliases"
    old = [f"Old name {n}" for n in range(RACERS // 2)]
    new = [f"New name {n}" for n in range(RACERS // 2)]
    for alias in old:
        httpx.post(url, json={"alias": alias, "actor": "desk"})

    def change(n: int) -> httpx.Response:
        if n % 2:
            return httpx.delete(url, params={"alias": old[n // 2], "actor": f"editor {n}"})
        return httpx.post(url, json={"alias": new[n // 2], "actor": f"editor {n}"})

    responses = race(RACERS, change)

    assert [r.status_code for r in responses] == [200] * RACERS
    after = httpx.get(f"{service}/entities", params={"q": "kenya"}).json()["data"]
    kept = next(e for e in after if e["id"] == kenya["id"])["aliases"]
    assert kept[: len(kenya["aliases"])] == kenya["aliases"]
    assert sorted(kept[len(kenya["aliases"]) :]) == sorted(new)


def test_curators_adding_claims_about_one_new_entity_at_once_all_succeed(
    service: str, claim_id: int, engine_of: Engine
) -> None:
    """Each hand-added claim names an entity no claim named before, as its subject and (v2)
    object: every curator's claim is stored, and the entities once each."""
    article_id = httpx.get(f"{service}/claims/{claim_id}").json()["article_id"]
    body = {
        "statement": "The Kenyan police contingent left Jomo Kenyatta International Airport "
        "on Friday night.",
        "claim_type": "event",
        "fact_kind": "deployment",
        "subject": {"name": "Kenyan police contingent", "type": "group"},
        "predicate": "departed from",
        "object_entity": {"name": "Jomo Kenyatta International Airport", "type": "location"},
        "evidence": "departed on Friday night from Jomo Kenyatta International Airport",
    }

    def add(n: int) -> httpx.Response:
        curator = {"actor": f"editor {n}", "reason": f"race {n}"}
        return httpx.post(f"{service}/articles/{article_id}/claims", json={**body, **curator})

    responses = race(RACERS, add)

    assert Counter(r.status_code for r in responses) == {201: RACERS}, responses[0].text
    assert {r.json()["object_entity"]["entity_id"] for r in responses} == {
        responses[0].json()["object_entity"]["entity_id"]
    }
    with Session(engine_of) as session:
        added = session.exec(select(Claim).where(Claim.run_id == None)).all()  # noqa: E711
        assert len(added) == RACERS
        assert len({c.entity_id for c in added}) == 1
        names = session.exec(
            select(Entity.name).where(
                col(Entity.name).in_(
                    ["Kenyan police contingent", "Jomo Kenyatta International Airport"]
                )
            )
        ).all()
    assert sorted(names) == ["Jomo Kenyatta International Airport", "Kenyan police contingent"]
