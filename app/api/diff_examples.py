"""Examples of the diff and the fact ledger for the OpenAPI page: the seed story's conflict.

``GET /diff?left=article:3&right=article:4`` and ``GET /facts?entity=Kenya`` on a fresh
`make run`, cut to the 217-vs-270 pair (the diff also finds the contingent's total updated
over time) and a few sources (see app.api.examples).
"""

from __future__ import annotations

from typing import Any

from app.api.examples import CLAIM_217, CLAIM_270, HARBOR_WIRE_URL, NAIROBI_LEDGER_SUBMISSION


def diff_claim(
    claim: dict[str, Any], *, outlet: str, published_at: str, url: str
) -> dict[str, Any]:
    """The claim as the diff and the ledger show it: canonical subject, outlet, carriers."""
    kept = ("id", "article_id", "run_id", "statement", "claim_type", "predicate", "object")
    more = ("quantity", "time", "location", "attribution", "modality")
    evidence = claim["evidence"]
    return {
        **{k: claim[k] for k in kept},
        "outlet": outlet,
        "published_at": published_at,
        "subject": claim["subject"]["name"].casefold(),
        **{k: claim[k] for k in more},
        "evidence": {k: evidence[k] for k in ("quote", "char_start", "char_end")},
        "publications": [{"id": claim["article_id"], "outlet": outlet, "url": url}],
    }


HARBOR_WIRE_217 = diff_claim(
    CLAIM_217, outlet="Harbor Wire", published_at="2025-01-18T16:30:00Z", url=HARBOR_WIRE_URL
)
NAIROBI_LEDGER_270 = diff_claim(
    CLAIM_270,
    outlet="Nairobi Ledger",
    published_at="2025-01-18T09:15:00Z",
    url=NAIROBI_LEDGER_SUBMISSION["url"],
)
SPAN: dict[str, Any] = NAIROBI_LEDGER_270["evidence"]
CARRIER: dict[str, Any] = NAIROBI_LEDGER_270["publications"][0]
ONLY_IN_NAIROBI_LEDGER: dict[str, Any] = {
    **NAIROBI_LEDGER_270,
    "id": 27,
    "statement": "Kenyan officials said the newly deployed officers would join colleagues "
    "already working alongside the Haitian National Police.",
    "claim_type": "status",
    "subject": "kenyan police contingent in haiti",
    "predicate": "will join",
    "object": "colleagues working alongside the Haitian National Police",
    "quantity": None,
    "time": None,
    "location": None,
    "modality": "expected",
    "evidence": {
        "quote": "they would join colleagues already working alongside the Haitian National Police",
        "char_start": 286,
        "char_end": 366,
    },
}
CONFLICT_EXPLANATION = (
    "figure decides: 217 officers vs 270 officers; date: on Saturday (2025-01-18) vs on "
    "Friday night (2025-01-17): 1 day apart, within a day's precision; left: asserted; "
    "right: reported by Kenyan officials (kenya · deployed)"
)
PAIR: dict[str, Any] = {
    "relation": "conflict",
    "explanation": CONFLICT_EXPLANATION,
    "score": 0.998,
    "left": HARBOR_WIRE_217,
    "right": NAIROBI_LEDGER_270,
    "linked_by": None,
    "story_pairs": None,
    "scored_without_figure": None,
}
# An undecided pair of the seed story (a pledge of 1,000 personnel against June's first
# contingent) as an earlier alignment scored it, under the threshold; today's leaves it out.
UNDECIDED: dict[str, Any] = {
    "relation": "refines",
    "explanation": "scored under the threshold: figure decides: only left gives a figure "
    "(1,000 personnel); date: only right dates it: in June (2024-06) (kenya · pledged)",
    "score": 0.523,
    "left": {
        **HARBOR_WIRE_217,
        "id": 15,
        "statement": "Kenya has pledged a total of 1,000 personnel to the Multinational "
        "Security Support mission.",
        "claim_type": "pledge",
        "predicate": "pledged",
        "object": "personnel to the Multinational Security Support mission",
        "quantity": {"value": 1000.0, "unit": "personnel", "qualifier": "exact"},
        "time": None,
        "location": None,
        "evidence": {
            "quote": "Nairobi has promised 1,000 personnel in all",
            "char_start": 403,
            "char_end": 446,
        },
    },
    "right": {
        **NAIROBI_LEDGER_270,
        "id": 29,
        "statement": "Kenya took the lead of the United Nations-backed Multinational Security "
        "Support mission in June 2024.",
        "claim_type": "event",
        "predicate": "took the lead of",
        "object": "the United Nations-backed Multinational Security Support mission",
        "quantity": None,
        "time": {"text": "in June", "start": "2024-06-01", "end": "2024-06-30"},
        "location": None,
        "attribution": None,
        "modality": "asserted",
        "evidence": {
            "quote": "it took the lead of the United Nations-backed mission",
            "char_start": 454,
            "char_end": 507,
        },
    },
    "why": "They scored 0.52, under the 0.65 a pair needs.",
}
DIFF: dict[str, Any] = {
    "left": "article 3",
    "right": "article 4",
    "pairs": [PAIR],
    "only_left": [],
    "only_right": [ONLY_IN_NAIROBI_LEDGER],
    "summary": {
        "agree": 0,
        "conflict": 1,
        "refines": 0,
        "updates": 1,
        "only_left": 12,
        "only_right": 9,
    },
    "warnings": [],
    "undecided": [],
}
DIFF_MARKDOWN = f"""# Claim diff: article 3 vs article 4

**conflicts: 1 · updates: 1 · refinements: 0 · agreements: 0 · only in article 3: 12 · only in \
article 4: 9**

## Conflicts (1)

### 1. {CONFLICT_EXPLANATION}

| | article 3 | article 4 |
|---|---|---|
| claim | {CLAIM_217["statement"]} | {CLAIM_270["statement"]} |
| value | 217 officers | 270 officers |
"""

FACT: dict[str, Any] = {
    "id": 1,
    "key": "kenya/security personnel/1",
    "subject": "kenya",
    "claim_type": "event",
    "headline": "kenya · deployed · police officers to Haiti",
    "status": "conflict",
    "values": [
        "217 officers, 2025-01-18",
        "270 officers, 2025-01-17",
        "over 200 officers, 2025-01-18..2025-01-19",
    ],
    "explanation": "Coastline Dispatch, Example Daily, Harbor Wire, Le Courrier de "
    f"l’Artibonite (left) vs Nairobi Ledger (right): {CONFLICT_EXPLANATION}",
    "source_count": 6,
    "outlets": [
        "Coastline Dispatch",
        "Example Daily",
        "Harbor Wire",
        "Le Courrier de l’Artibonite",
        "Meridian Newswire",
        "Nairobi Ledger",
    ],
    "article_count": 6,
    "publication_count": 6,
    "claim_count": 6,
    # Two of the six sources: the figures that disagree.
    "sources": [HARBOR_WIRE_217, NAIROBI_LEDGER_270],
}
FACTS: dict[str, Any] = {
    "data": [FACT],
    "count": 1,
    "date_from": None,
    "date_to": None,
    "warnings": [],
}
FACTS_MARKDOWN = f"""# Fact ledger

**facts: 1 · conflicts: 1 · updates: 0 · consensus: 0 · single source: 0**

## Conflicts (1)

### kenya · deployed · police officers to Haiti

`conflict` · {FACT["explanation"]}
"""
TIMELINE: list[dict[str, Any]] = [
    {"date": "2025-01-17", "value": "270 officers", "outlet": "Nairobi Ledger", "claim_id": 26},
    {"date": "2025-01-18", "value": "217 officers", "outlet": "Harbor Wire", "claim_id": 12},
]
# Splitting Meridian Newswire's rounded figure (claim 47) out of fact 1 into fact 74.
FACT_AUDIT: dict[str, Any] = {
    "id": 1,
    "fact_id": 1,
    "action": "split",
    "other_fact_id": 74,
    "claim_id": 47,
    "actor": "desk@example.org",
    "reason": "More than 200 is a rounded figure from another count",
    "created_at": "2026-11-27T21:50:37.534321Z",
}
# The samples' fact 1 and their running total of the deployment (fact 3), worded apart.
TO_CHECK: dict[str, Any] = {
    "id": 3,
    "label": "kenya · has deployed in total · police officers to Haiti",
    "score": 0.167,
    "relation": "conflict",
    "explanation": "figure decides: 217 officers vs about 350 officers (about = ±5%); date: "
    "only left dates it: on Saturday (2025-01-18); left: reported by Kenyan Interior Ministry; "
    "right: reported by port officials in Mombasa (kenya · deployed)",
    "why": "They scored 0.17, under the 0.65 a claim needs to join a fact.",
}
FACT_DETAIL: dict[str, Any] = {
    "fact": FACT,
    "timeline": TIMELINE,
    "audit": [FACT_AUDIT],
    "to_check": [TO_CHECK],
}
# Fact 74 (FACT_AUDIT's split) merged back: the rounded figure is the same deployment.
FACT_MERGE: dict[str, Any] = {
    "other_fact_id": 74,
    "actor": "desk@example.org",
    "reason": "More than 200 over the weekend is the same deployment, rounded",
}
FACT_SPLIT: dict[str, Any] = {
    "claim_id": 47,
    "actor": "desk@example.org",
    "reason": "More than 200 is a rounded figure from another count",
}
