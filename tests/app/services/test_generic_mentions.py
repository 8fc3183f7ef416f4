"""A generic word for one story's actor ("Police") does not take in another story's actors.

An article's own word for its subject is learnt as an alias of the subject's entity when it
names the entity ("Nairobi" for Kenya). "Police" for "Osterby police" does not: it is the name
cut short, and learnt as an alias it made every later "police" of every story the Osterby
police, so a train crash's death tolls were filed under a mine rescue's police force.
"""

from __future__ import annotations

from typing import Any

import respx
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.core.config import Settings
from app.core.names import describes, shortens
from app.services.diff_sources import subject_key
from app.store.entities import is_alias
from tests.conftest import LIVE_BASE_URL, ClientFactory
from tests.llm_stub import claim, ok, tool_completion

COMPLETIONS = f"{LIVE_BASE_URL}/chat/completions"
MINE = "Police in Osterby said 31 miners were trapped by the collapse on Tuesday."
CRASH = "Police said seven people were killed when the train derailed near Tolvenmoor."
CRASH_LATER = "The Drovenian police said the death toll from the derailment had risen to nine."


def said_by(subject: str, mention: str | None, statement: str, evidence: str, value: float,
            unit: str) -> dict[str, Any]:  # fmt: skip
    answer = claim(statement, evidence, value=value, unit=unit, subject=subject)
    answer["subject"] = {"name": subject, "type": "organization", "mention": mention}
    answer.update(fact_kind="casualties", object_entity=None, location=None, predicate="said")
    answer["object"] = unit
    answer["quantity"]["aspect"] = "state"  # a toll or a count as of the article's day
    return answer


def post(client: TestClient, text: str, answer: dict[str, Any], published: str) -> int:
    with respx.mock:
        respx.post(COMPLETIONS).mock(return_value=ok(tool_completion([answer])))
        response = client.post("/articles", json={"text": text, "published_at": published})
    assert response.status_code == 201, response.text
    assert response.json()["run"]["claims_count"] == 1
    return int(response.json()["article"]["id"])


def test_a_police_force_named_police_in_one_story_keeps_another_storys_police_apart(
    make_client: ClientFactory, live_settings: Settings, session: Session
) -> None:
    client = make_client(live_settings)
    post(client, MINE, said_by(
        "Osterby police", "Police", "Osterby police said 31 miners were trapped.",
        "Police in Osterby said 31 miners were trapped", 31, "miners",
    ), "2026-03-04T08:00:00Z")  # fmt: skip
    crash = post(client, CRASH, said_by(
        "Drovenian police", "police", "Police said the crash killed seven people.",
        "seven people were killed", 7, "people",
    ), "2026-05-16T08:00:00Z")  # fmt: skip
    later = post(client, CRASH_LATER, said_by(
        "Drovenian police", None, "The Drovenian police put the death toll at nine.",
        "the death toll from the derailment had risen to nine", 9, "people",
    ), "2026-05-18T08:00:00Z")  # fmt: skip

    osterby = client.get("/entities", params={"q": "osterby"}).json()["data"]
    assert [(e["name"], e["aliases"]) for e in osterby] == [("Osterby police", [])]
    diff = client.get("/diff", params={"left": f"article:{crash}", "right": f"article:{later}"})
    assert diff.status_code == 200, diff.text
    (pair,) = diff.json()["pairs"]
    assert (pair["relation"], pair["left"]["subject"]) == ("updates", "drovenian police")
    assert (pair["left"]["quantity"]["value"], pair["right"]["quantity"]["value"]) == (7, 9)
    facts = client.get("/facts", params={"entity": "Osterby police"}).json()
    assert [f["values"] for f in facts["data"]] == [["31 miners"]]


def test_a_mention_that_cuts_its_own_name_short_is_neither_learnt_nor_followed() -> None:
    assert shortens("Police", "Drovenian police")
    assert shortens("Kenya", "Kenyan police")  # a stem: "kenya" of "kenyan"
    assert shortens("Government", "Government of Kenya")
    assert not shortens("Nairobi", "Kenya")
    assert not shortens("Kenyan police", "Kenya")
    assert not shortens("MSS", "Multinational Security Support mission")

    assert not is_alias("Police", "Osterby police")
    assert is_alias("Nairobi", "Kenyan government")
    assert is_alias("Kenyan police", "Kenya")

    aliases = {
        "police": "osterby police",
        "nairobi": "kenya",
        "drovenian police": "drovenian police",
    }
    assert subject_key("Drovenian police", "police", aliases) == "drovenian police"
    assert subject_key("Ministry of Interior", "Nairobi", aliases) == "kenya"


OFFER = "The operator has put 3% on the table for Saltmere staff, Halvard Terminals said."
OFFER_LATER = "Halvard Terminals raised its offer to Saltmere strikers to 4% on Thursday."


def offer(subject: str, mention: str | None, value: float, evidence: str) -> dict[str, Any]:
    answer = said_by(subject, mention, f"The pay offer is {value:g}%.", evidence, value, "%")
    answer["quantity"]["unit_kind"] = "percent"
    answer.update(fact_kind="other", predicate="offered", object="pay rise")
    return answer


def test_a_description_the_article_names_takes_the_name_and_teaches_no_alias(
    make_client: ClientFactory, live_settings: Settings
) -> None:
    client = make_client(live_settings)
    named = offer("the operator", "Halvard Terminals", 3, "put 3% on the table")
    first = post(client, OFFER, named, "2026-11-17T08:00:00Z")
    again = offer("Halvard Terminals", None, 4, "its offer to Saltmere strikers to 4%")
    later = post(client, OFFER_LATER, again, "2026-11-19T08:00:00Z")

    operator = client.get("/entities", params={"q": "operator"}).json()["data"]
    assert [(e["name"], e["aliases"]) for e in operator] == [("the operator", [])]
    (pair,) = client.get(
        "/diff", params={"left": f"article:{first}", "right": f"article:{later}"}
    ).json()["pairs"]
    assert (pair["left"]["subject"], pair["right"]["subject"]) == (
        "halvard terminals",
        "halvard terminals",
    )
    assert (pair["relation"], pair["left"]["quantity"]["value"]) == ("updates", 3)


def test_descriptions_and_names() -> None:
    assert describes("the company") and describes("The operator") and describes("intercity train")
    assert not describes("Halvard Terminals")
    assert not describes("The Dock and Harbour Workers' Union")
    assert not is_alias("Halvard Terminals", "the company")
    aliases = {"the company": "the company", "halvard terminals": "halvard terminals"}
    assert subject_key("the company", "Halvard Terminals", aliases) == "halvard terminals"
    assert subject_key("the company", "The firm", aliases) == "the company"
