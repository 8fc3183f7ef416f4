"""The article page's claim forms, posted as a browser posts them: a correction of a claim's
canonical fields, and a claim added by hand, grounded or refused in place with nothing stored."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, func, select

from app.store.models import Claim, ClaimAudit
from schemas import FactKind, UnitKind
from tests.app.services.test_reading import load_samples
from tests.app.web.page_forms import posted_fields

CURATOR = {"actor": "desk editor", "reason": "the model missed the departure"}
# The departure Nairobi Ledger reports, as a curator fills in the add-claim form.
DEPARTURE: dict[str, str] = {
    "statement": "The 270 Kenyan police officers left Jomo Kenyatta International Airport for "
    "Haiti on Friday night.",
    "claim_type": "event",
    "modality": "reported",
    "attribution": "Kenyan officials",
    "subject_name": "Kenyan police contingent",
    "subject_type": "group",
    "predicate": "departed from",
    "object": "Jomo Kenyatta International Airport",
    "value": "270",
    "unit": "officers",
    "qualifier": "exact",
    "unit_kind": "persons",
    "aspect": "event",
    "fact_kind": "deployment",
    "object_name": "Haiti",
    "object_type": "country",
    "time_text": "on Friday night",
    "time_start": "",
    "time_end": "",
    "evidence": "The 270 officers departed on Friday night from Jomo Kenyatta International "
    "Airport",
    **CURATOR,
}
ELSEWHERE = "The 270 officers flew out of Mombasa on a chartered plane"


def _nairobi(client: TestClient) -> dict[str, Any]:
    load_samples(client)
    (article,) = client.get("/articles", params={"outlet": "Nairobi Ledger"}).json()["data"]
    return dict(article)


def _claims(client: TestClient, article_id: int) -> list[dict[str, Any]]:
    claims: list[dict[str, Any]] = client.get(f"/articles/{article_id}/claims").json()["data"]
    return claims


def _stored(engine: Engine) -> tuple[int, int]:
    with Session(engine) as session:
        claims = session.exec(select(func.count()).select_from(Claim)).one()
        audits = session.exec(select(func.count()).select_from(ClaimAudit)).one()
    return claims, audits


def _correction_form(page: str, claim_id: int) -> dict[str, str]:
    return posted_fields(page, f"/pages/claims/{claim_id}/correct")


def _officers(client: TestClient) -> tuple[dict[str, Any], dict[str, Any]]:
    """The Nairobi Ledger article and its claim with a figure, the 270 officers."""
    article = _nairobi(client)
    return article, next(c for c in _claims(client, article["id"]) if c["quantity"])


def _officers_correction(client: TestClient) -> tuple[dict[str, Any], dict[str, str]]:
    """The claim of `_officers`, and its correction form as the article page fills it in."""
    article, claim = _officers(client)
    page = client.get(f"/pages/articles/{article['id']}").text
    return claim, _correction_form(page, claim["id"])


def test_the_select_boxes_offer_the_schemas_vocabularies_with_the_claims_values(
    client: TestClient,
) -> None:
    article, claim = _officers(client)
    page = client.get(f"/pages/articles/{article['id']}").text
    start = page.index(f'id="uk-{claim["id"]}"')
    unit_kinds = re.findall(r'<option value="(\w*)"', page[start : page.index("</select>", start)])
    assert unit_kinds == ["", *[k.value for k in UnitKind]]
    start = page.index(f'id="fk-{claim["id"]}"')
    fact_kinds = re.findall(r'<option value="(\w*)"', page[start : page.index("</select>", start)])
    assert fact_kinds == ["", *[k.value for k in FactKind]]
    form = _correction_form(page, claim["id"])
    assert (form["unit_kind"], form["aspect"], form["fact_kind"]) == (
        claim["unit_kind"], claim["aspect"], claim["fact_kind"],
    )  # fmt: skip
    assert (form["value"], form["unit"]) == ("270", "officers")


def test_a_correction_of_the_unit_kind_is_stored_and_the_original_kept(
    client: TestClient,
) -> None:
    claim, form = _officers_correction(client)
    assert claim["unit_kind"] == "persons"
    form |= {"unit_kind": "count", "aspect": "state", "object_name": "Port-au-Prince",
             "object_type": "location", "actor": "desk editor", "reason": "a unit"}  # fmt: skip

    response = client.post(f"/pages/claims/{claim['id']}/correct", data=form)

    assert response.status_code == 200  # the redirect, followed to the article
    assert "The claim was corrected" in response.text
    corrections = _claims(client, claim["article_id"])
    (corrected,) = [c for c in corrections if c["supersedes_id"] == claim["id"]]
    assert (corrected["unit_kind"], corrected["aspect"]) == ("count", "state")
    assert corrected["object_entity"]["name"] == "Port-au-Prince"
    assert corrected["quantity"] == claim["quantity"]
    assert (corrected["fact_kind"], corrected["statement"]) == (
        claim["fact_kind"], claim["statement"],
    )  # fmt: skip
    assert client.get(f"/claims/{claim['id']}").json()["status"] == "superseded"
    assert "counts count · state · about Port-au-Prince" in response.text


def test_a_correction_form_posted_unchanged_changes_nothing(
    client: TestClient, engine: Engine
) -> None:
    claim, form = _officers_correction(client)
    before = _stored(engine)

    response = client.post(
        f"/pages/claims/{claim['id']}/correct", data=form | {"actor": "a", "reason": "b"}
    )

    assert response.status_code == 422
    assert "Not changed: nothing to change: edit at least one field" in response.text
    assert _stored(engine) == before


def test_a_correction_refused_by_the_schema_keeps_what_the_curator_chose(
    client: TestClient, engine: Engine
) -> None:
    claim, form = _officers_correction(client)
    before = _stored(engine)

    response = client.post(
        f"/pages/claims/{claim['id']}/correct",
        data=form | {"unit_kind": "currency", "actor": "desk editor", "reason": "money"},
    )

    assert response.status_code == 422
    assert (
        "Not changed: the corrected claim is not valid: quantity: a currency amount&#39;s unit "
        "must be an ISO 4217 code such as USD, not &#39;officers&#39;"
    ) in response.text
    assert _correction_form(response.text, claim["id"])["unit_kind"] == "currency"
    assert 'name="actor" value="desk editor"' in response.text
    assert _stored(engine) == before


def test_a_claim_added_on_the_page_is_listed_with_its_quote(
    client: TestClient, engine: Engine
) -> None:
    article = _nairobi(client)
    before = {c["id"] for c in _claims(client, article["id"])}
    # The quote on two lines, as a browser sends a textarea's: CRLF.
    data = DEPARTURE | {"evidence": DEPARTURE["evidence"].replace("from Jomo", "from\r\nJomo")}

    response = client.post(f"/pages/articles/{article['id']}/claims", data=data)

    assert response.status_code == 200  # the redirect, followed to the article
    assert "The claim was added" in response.text
    (added,) = [c for c in _claims(client, article["id"]) if c["id"] not in before]
    assert added["evidence"]["quote"] == DEPARTURE["evidence"]
    start, end = added["evidence"]["char_start"], added["evidence"]["char_end"]
    assert article_text(client, article["id"])[start:end] == added["evidence"]["quote"]
    assert (added["origin"], added["fact_kind"], added["unit_kind"], added["aspect"]) == (
        "curated", "deployment", "persons", "event",
    )  # fmt: skip
    assert added["object_entity"]["name"] == "Haiti"
    assert added["quantity"] == {"value": 270, "unit": "officers", "qualifier": "exact"}
    assert added["time"]["text"] == "on Friday night"
    # The page lists it, its quote marked in the text.
    row = response.text[response.text.index(f'id="c-{added["id"]}"') :]
    assert DEPARTURE["statement"] in row[: row.index("</li>")]
    assert (
        '<mark class="ev st-' in response.text and f'data-claims="{added["id"]}"' in response.text
    )
    (audit,) = client.get(f"/claims/{added['id']}/audit").json()
    assert (audit["action"], audit["actor"], audit["reason"]) == (
        "added", CURATOR["actor"], CURATOR["reason"],
    )  # fmt: skip


def article_text(client: TestClient, article_id: int) -> str:
    return str(client.get(f"/articles/{article_id}").json()["text"])


def test_an_added_claim_whose_quote_is_not_in_the_article_is_refused_in_place(
    client: TestClient, engine: Engine
) -> None:
    article = _nairobi(client)
    before = _stored(engine)

    response = client.post(
        f"/pages/articles/{article['id']}/claims", data=DEPARTURE | {"evidence": ELSEWHERE}
    )

    assert response.status_code == 422
    assert (
        f"Not added: claim not grounded in article {article['id']}: evidence quote not found "
        f"in the article: &#39;{ELSEWHERE}&#39;"
    ) in response.text
    assert _stored(engine) == before
    # The form again, open, as the curator left it.
    assert '<details class="curate add-claim" id="add-claim" open>' in response.text
    form = response.text[response.text.index('id="add-claim"') :]
    assert f">{ELSEWHERE}</textarea>" in form
    assert f">{DEPARTURE['statement']}</textarea>" in form
    assert '<option value="persons" selected>' in form
    assert '<option value="deployment" selected>' in form
    assert 'name="reason" value="the model missed the departure"' in form


@pytest.mark.parametrize(
    ("changed", "message"),
    [
        (
            {"unit": "dollars", "unit_kind": "currency"},
            "quantity: a currency amount&#39;s unit must be an ISO 4217 code such as USD, "
            "not &#39;dollars&#39;",
        ),
        ({"aspect": ""}, "quantity.aspect: Input should be &#39;event&#39; or &#39;state&#39;"),
        (
            {"value": "two hundred and seventy"},
            "quantity.value: Input should be a valid number, unable to parse string as a number",
        ),
        ({"claim_type": "rumour"}, "claim_type: Input should be &#39;event&#39;, "),
        ({"statement": "270"}, "statement: String should have at least 8 characters"),
    ],
)
def test_an_added_claim_with_a_bad_field_says_which_and_stores_nothing(
    client: TestClient, engine: Engine, changed: dict[str, str], message: str
) -> None:
    article = _nairobi(client)
    before = _stored(engine)

    response = client.post(f"/pages/articles/{article['id']}/claims", data=DEPARTURE | changed)

    assert response.status_code == 422
    assert f"Not added: the claim is not valid: {message}" in response.text
    assert _stored(engine) == before


def test_an_added_claim_without_a_name_or_reason_is_refused_in_place(
    client: TestClient, engine: Engine
) -> None:
    article = _nairobi(client)
    before = _stored(engine)
    response = client.post(
        f"/pages/articles/{article['id']}/claims", data=DEPARTURE | {"actor": " "}
    )
    assert response.status_code == 422
    assert "Not added: actor: String should have at least 1 character" in response.text
    assert _stored(engine) == before


def test_a_claim_for_an_article_that_does_not_exist_is_a_404_page(client: TestClient) -> None:
    response = client.post("/pages/articles/999/claims", data=DEPARTURE)
    assert response.status_code == 404
    assert "article 999 not found" in response.text


def test_an_added_claim_with_a_field_over_2000_characters_is_refused_in_place(
    client: TestClient, engine: Engine
) -> None:
    article = _nairobi(client)
    before = _stored(engine)
    reason = "the model missed the departure; " * 70  # 2,239 characters once trimmed

    response = client.post(
        f"/pages/articles/{article['id']}/claims", data=DEPARTURE | {"reason": reason}
    )

    assert response.status_code == 422
    assert "Not added: reason: at most 2,000 characters (2,239 given)" in response.text
    assert _stored(engine) == before
    # The form again, as the curator left it, with the statement they typed.
    form = response.text[response.text.index('id="add-claim"') :]
    assert f">{DEPARTURE['statement']}</textarea>" in form


def test_a_correction_with_a_field_over_2000_characters_keeps_the_form(
    client: TestClient, engine: Engine
) -> None:
    claim, form = _officers_correction(client)
    before = _stored(engine)
    long_unit = "officers " * 230  # 2,070 characters, 2,069 once a browser's space is trimmed

    response = client.post(
        f"/pages/claims/{claim['id']}/correct",
        data=form | {"unit": long_unit, "actor": "desk editor", "reason": "unit"},
    )

    assert response.status_code == 422
    assert "Not changed: unit: at most 2,000 characters (2,069 given)" in response.text
    assert 'name="actor" value="desk editor"' in response.text
    assert _stored(engine) == before
