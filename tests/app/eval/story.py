"""A small gold story written for these tests (invented town and figures): two outlets report
a bridge closure on one day; they agree on its length and on the traffic, and disagree on
the cost."""

from __future__ import annotations

import copy
from typing import Any

TEXT_A = (
    "ORSA — The Lindqvist Bridge will close to all traffic for 14 weeks from March 2, the city "
    "council said on Monday.\n\n"
    "Repairs to the bridge deck will cost 8.5 million euros, according to council figures. "
    "About 23,000 vehicles cross the bridge every day.\n\n"
    "Mayor Ines Halvorsen said detours would be signposted across the town centre."
)
TEXT_B = (
    "Orsa city council has announced that the Lindqvist Bridge will shut for 14 weeks starting "
    "on March 2.\n\n"
    "The council put the cost of the deck repairs at 11 million euros. About 23,000 vehicles "
    "use the crossing each day, council traffic counts show.\n\n"
    "The ferry operator Sundline plans extra crossings while the bridge is closed."
)

COUNCIL = {"name": "Orsa city council", "type": "government", "mention": None}
BRIDGE = {"name": "Lindqvist Bridge", "type": "location", "mention": None}


def _claim(cid: str, statement: str, evidence: str, **fields: Any) -> dict[str, Any]:
    claim = {
        "id": cid,
        "statement": statement,
        "claim_type": "quantity" if fields.get("quantity") else "statement",
        "fact_kind": "other",
        "subject": BRIDGE,
        "predicate": "will close",
        "object": None,
        "object_entity": None,
        "quantity": None,
        "time": None,
        "location": "Orsa",
        "attribution": None,
        "modality": "asserted",
        "evidence": evidence,
    }
    return claim | fields


def _q(value: float, unit: str, unit_kind: str, qualifier: str = "exact") -> dict[str, Any]:
    return {
        "value": value,
        "unit": unit,
        "qualifier": qualifier,
        "unit_kind": unit_kind,
        "aspect": "state",
    }


CLOSURE = {"text": "from March 2", "start": "2026-03-02", "end": "2026-03-02"}
A_CLAIMS = [
    _claim(
        "a1",
        "The Lindqvist Bridge in Orsa will close to all traffic for 14 weeks from March 2.",
        "The Lindqvist Bridge will close to all traffic for 14 weeks from March 2",
        quantity=_q(14, "weeks", "duration"),
        time=CLOSURE,
    ),
    _claim(
        "a2",
        "Repairs to the Lindqvist Bridge deck will cost 8.5 million euros.",
        "Repairs to the bridge deck will cost 8.5 million euros",
        predicate="will cost",
        fact_kind="price",
        quantity=_q(8_500_000, "EUR", "currency"),
    ),
    _claim(
        "a3",
        "About 23,000 vehicles cross the Lindqvist Bridge every day.",
        "About 23,000 vehicles cross the bridge every day",
        predicate="is crossed by",
        quantity=_q(23_000, "vehicles", "count", "about"),
    ),
    _claim(
        "a4",
        "Orsa mayor Ines Halvorsen said detours would be signposted.",
        "Mayor Ines Halvorsen said detours would be signposted",
        predicate="said",
        subject={"name": "Ines Halvorsen", "type": "person", "mention": "Mayor Ines Halvorsen"},
    ),
]
B_CLAIMS = [
    _claim(
        "b1",
        "The Lindqvist Bridge in Orsa will shut for 14 weeks starting on March 2.",
        "the Lindqvist Bridge will shut for 14 weeks starting on March 2",
        quantity=_q(14, "weeks", "duration"),
        time={"text": "on March 2", "start": "2026-03-02", "end": "2026-03-02"},
    ),
    _claim(
        "b2",
        "The Orsa city council put the cost of the Lindqvist Bridge deck repairs at 11 "
        "million euros.",
        "The council put the cost of the deck repairs at 11 million euros",
        predicate="will cost",
        fact_kind="price",
        quantity=_q(11_000_000, "EUR", "currency"),
    ),
    _claim(
        "b3",
        "About 23,000 vehicles cross the Lindqvist Bridge each day.",
        "About 23,000 vehicles use the crossing each day",
        predicate="is crossed by",
        quantity=_q(23_000, "vehicles", "count", "about"),
    ),
    _claim(
        "b4",
        "The ferry operator Sundline plans extra crossings while the Lindqvist Bridge is closed.",
        "The ferry operator Sundline plans extra crossings",
        predicate="plans",
        subject={"name": "Sundline", "type": "organization", "mention": None},
    ),
]
PAIRS = [
    {"left": "a1", "right": "b1", "relation": "agree", "why": "14 weeks from March 2 in both"},
    {"left": "a2", "right": "b2", "relation": "conflict", "why": "8.5 vs 11 million euros"},
    {"left": "a3", "right": "b3", "relation": "agree", "why": "about 23,000 a day in both"},
]


def _varied(claim: dict[str, Any]) -> dict[str, Any]:
    """The claim as another model might word it: same fact, other words."""
    return claim | {"statement": f"Reported: {claim['statement']}", "predicate": "reported"}


def story(name: str = "bridge-orsa", split: str = "test") -> dict[str, Any]:
    """The story in the gold format (eval/README.md)."""
    claims = {"a": A_CLAIMS, "b": B_CLAIMS}
    varied = {key: [_varied(c) for c in found] for key, found in claims.items()}
    return copy.deepcopy(
        {
            "story": name,
            "domain": "infrastructure",
            "split": split,
            "provenance": "Written by hand for factdiff's tests; invented town and figures.",
            "articles": [
                {
                    "key": "a",
                    "title": "Lindqvist Bridge to close for 14 weeks",
                    "outlet": "Orsa Post",
                    "published_at": "2026-02-09T08:00:00Z",
                    "url": "https://example.org/orsa-post/1",
                    "text": TEXT_A,
                },
                {
                    "key": "b",
                    "title": "Bridge shutdown: council gives cost",
                    "outlet": "Coast Daily",
                    "published_at": "2026-02-09T17:00:00Z",
                    "url": "https://example.org/coast/2",
                    "text": TEXT_B,
                },
            ],
            "claims": {"canonical": claims, "varied": varied},
            "pairs": PAIRS,
        }
    )
