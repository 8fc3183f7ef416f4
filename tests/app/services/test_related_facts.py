"""The facts to check, read for a page of facts at once: the same lists as one fact at a time,
and a split stands through a later merge."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from app.services.diff_sources import load_claims
from app.services.related_facts import to_check, to_check_of
from app.store.fact_models import Fact
from app.store.fact_revisions import current_claims
from app.store.models import Claim
from tests.app.api.routes.test_diff import load_samples
from tests.app.api.routes.test_facts_to_check import CURATOR, store_totals


def offers(found: list[object]) -> list[tuple[int, float]]:
    return [(t.related.fact_id, round(t.related.score, 3)) for t in found]  # type: ignore[attr-defined]


def test_a_page_of_facts_reads_the_lists_one_fact_at_a_time_would(
    client: TestClient, engine: Engine
) -> None:
    load_samples(client)
    client.get("/facts")  # assigns
    with Session(engine) as session:
        ids = [i for i in session.exec(select(Fact.id).order_by(col(Fact.id))).all() if i]
        together = to_check_of(session, ids)
        alone = {}
        for i in ids:
            claims = load_claims(session, where=[col(Claim.fact_id) == i, current_claims()])
            alone[i] = offers(to_check(session, fact_id=i, claims=claims))
    assert {i: offers(found) for i, found in together.items() if found} == {
        i: found for i, found in alone.items() if found
    }
    # The samples' deployment conflict is offered their running total of the deployment.
    assert sum(map(len, alone.values())) > 10


def test_a_split_stands_when_the_split_fact_is_merged_into_a_third(
    client: TestClient, engine: Engine
) -> None:
    june, now = store_totals(client, engine)
    with Session(engine) as session:
        assert [o for o, _ in offers(to_check_of(session, [june])[june])] == [now]
    # January's total merged into June's and split out again, into a new fact...
    client.post(f"/facts/{june}/merge", json={"other_fact_id": now, **CURATOR})
    sources = client.get(f"/facts/{june}").json()["fact"]["sources"]
    claim = next(s["id"] for s in sources if s["quantity"]["value"] == 600)
    split = client.post(f"/facts/{june}/split", json={"claim_id": claim, **CURATOR}).json()
    apart = split["fact"]["id"]
    # ...which a curator then merges into a third fact, the deployment of 217 and 270 officers.
    third = next(
        f["id"] for f in client.get("/facts").json()["data"] if f["id"] not in (june, apart)
        and {s["quantity"]["value"] for s in f["sources"] if s["quantity"]} == {217, 270}
    )  # fmt: skip
    merged = client.post(f"/facts/{third}/merge", json={"other_fact_id": apart, **CURATOR})
    assert merged.status_code == 200, merged.text
    # The claim the curator split from June's fact is in the third now: still kept apart.
    assert claim in {s["id"] for s in merged.json()["fact"]["sources"]}
    with Session(engine) as session:
        assert third not in [o for o, _ in offers(to_check_of(session, [june])[june])]
        assert june not in [o for o, _ in offers(to_check_of(session, [third])[third])]
