"""Examples for the OpenAPI page: the seed story as `make run` stores it.

Kenya's police deployment to Haiti, told by two of the sample articles under
fixtures/articles: Harbor Wire's (article 3, 217 officers) and Nairobi Ledger's (article 4,
270 officers). Ids, quotes and offsets are those a fresh `make run` gives (the samples are
loaded in file-name order), so an example tried from /docs answers what it shows;
tests/app/api/test_openapi_examples.py holds them to the samples' text and to the models.
Each model names its example in ``json_schema_extra``; a field a model gains needs its value
here too, or that test says which example lacks it.
"""

from __future__ import annotations

from typing import Any

from fastapi.openapi.models import Example

# fixtures/articles/kenya-haiti-270.json, the text and metadata as submitted.
NAIROBI_LEDGER_TEXT = (
    "NAIROBI, Jan 18 — Kenya has sent another 270 police officers to Haiti to shore up the "
    "Multinational Security Support mission, officials said.\n\nThe 270 officers departed on "
    "Friday night from Jomo Kenyatta International Airport, bound for Port-au-Prince, "
    "according to officials, who said they would join colleagues already working alongside "
    "the Haitian National Police.\n\nThe new group joins a first contingent of 400 officers "
    "that Kenya sent in June, when it took the lead of the United Nations-backed mission. "
    "Armed gangs have since tightened their grip on parts of the Haitian capital, and "
    "thousands of residents have fled their homes.\n\nU.S. President-elect Donald Trump has "
    "signalled that his administration will go on backing the mission once he is sworn in "
    "next week, a signal likely to reassure partners who had worried about a change of course "
    "in Washington. The United States has pledged over $300 million to fund the Kenyan "
    "contingent and those sent by other countries.\n\nPresident William Ruto reiterated "
    "Kenya's commitment to the mission, saying the country would keep working with its "
    "international partners until stability returns to Haiti.\n\nAt home, the deployment has "
    "faced legal and political challenges. Critics have questioned the wisdom of sending "
    "police officers on a security mission abroad, and several lawmakers have demanded closer "
    "oversight of the officers' safety and welfare.\n\nPolice commanders say the officers have "
    "been given extensive training for the assignment, which includes guarding government "
    "buildings, key infrastructure and communities hit hard by gang violence."
)
NAIROBI_LEDGER_SUBMISSION: dict[str, Any] = {
    "text": NAIROBI_LEDGER_TEXT,
    "title": "Kenya deploys 270 more police officers to Haiti mission",
    "outlet": "Nairobi Ledger",
    "published_at": "2025-01-18T09:15:00Z",
    "url": "https://example.com/nairobi-ledger/news/kenya-deploys-270-officers-haiti",
    "schema": "news_claims",
}
# What /docs fills in for ?entity=, so "Try it out" answers with the story's claims.
ENTITY_PARAMETER: dict[str, Example] = {
    "kenya": {"summary": "The seed story: Kenya's police deployment to Haiti", "value": "Kenya"}
}
HARBOR_WIRE_URL = "https://example.org/harbor-wire/2025/01/18/kenya-haiti-217-officers"
HARBOR_WIRE_TITLE = "Kenya flies 217 more police officers to Haiti as gang crisis deepens"

PUBLICATION: dict[str, Any] = {
    "outlet": "Nairobi Ledger",
    "url": NAIROBI_LEDGER_SUBMISSION["url"],
    "title": NAIROBI_LEDGER_SUBMISSION["title"],
    "published_at": "2025-01-18T09:15:00Z",
    "id": 4,
    "article_id": 4,
    "created_at": "2026-11-27T21:49:03.341279Z",
}
ARTICLE: dict[str, Any] = {
    "title": NAIROBI_LEDGER_SUBMISSION["title"],
    "url": NAIROBI_LEDGER_SUBMISSION["url"],
    "outlet": "Nairobi Ledger",
    "published_at": "2025-01-18T09:15:00Z",
    "id": 4,
    "content_hash": "f79b511610f5cc9a75c79042bb6fd4fa2fc75f228e988b3cdf347b78f634529a",
    "chars": len(NAIROBI_LEDGER_TEXT),
    "created_at": "2026-11-27T21:49:03.339767Z",
    "publications": [PUBLICATION],
}
ARTICLE_DETAIL: dict[str, Any] = {**ARTICLE, "text": NAIROBI_LEDGER_TEXT}
HARBOR_WIRE_ARTICLE: dict[str, Any] = {
    "title": HARBOR_WIRE_TITLE,
    "url": HARBOR_WIRE_URL,
    "outlet": "Harbor Wire",
    "published_at": "2025-01-18T16:30:00Z",
    "id": 3,
    "content_hash": "33954f4bd72bf20f2bfaa0ab4a21a1417dea477d7b79ce5111b4255674a298e9",
    "chars": 1714,
    "created_at": "2026-11-27T21:49:03.293917Z",
    "publications": [
        {
            "outlet": "Harbor Wire",
            "url": HARBOR_WIRE_URL,
            "title": HARBOR_WIRE_TITLE,
            "published_at": "2025-01-18T16:30:00Z",
            "id": 3,
            "article_id": 3,
            "created_at": "2026-11-27T21:49:03.295781Z",
        }
    ],
}
ARTICLES: dict[str, Any] = {"data": [HARBOR_WIRE_ARTICLE, ARTICLE], "count": 11}

RUN: dict[str, Any] = {
    "id": 4,
    "article_id": 4,
    "status": "succeeded",
    "schema_name": "news_claims",
    "schema_version": "v2",
    "prompt_version": "extract_claims/v2",
    "model": "gpt-4.1-mini",
    "endpoint": "replay:/srv/factdiff/fixtures/llm",
    "llm_mode": "replay",
    "instructor_mode": "tools",
    "error_reason": None,
    "error": None,
    "llm_calls": 2,
    "http_requests": 2,
    "prompt_tokens": 2048,
    "completion_tokens": 3431,
    "cached_tokens": 0,
    "total_tokens": 5479,
    "usage_by_attempt": [
        {"prompt_tokens": 1024, "completion_tokens": 1714},
        {"prompt_tokens": 1024, "completion_tokens": 1717},
    ],
    "chunks": 1,
    "claims_count": 11,
    "rejected_count": 1,
    "latency_ms": 16.0,
    "created_at": "2026-11-27T21:49:03.342899Z",
    "started_at": "2026-11-27T21:49:03.344410Z",
    "finished_at": "2026-11-27T21:49:03.373855Z",
    "notes": [],
}


# Haiti, where the officers were sent: the claims' object entity (news_claims@v2).
OBJECT_ENTITY: dict[str, Any] = {"entity_id": 2, "name": "Haiti", "type": "country"}


def claim(
    *,
    id: int,
    article_id: int,
    statement: str,
    value: float,
    time: dict[str, Any],
    attribution: str | None,
    modality: str,
    quote: str,
    char_start: int,
) -> dict[str, Any]:
    """A ClaimPublic of the story: Kenya deploying officers, as one article words it."""
    return {
        "id": id,
        "article_id": article_id,
        "run_id": article_id,  # one run per sample article, made in the same order
        "statement": statement,
        "claim_type": "event",
        "fact_kind": "deployment",
        "subject": {"name": "Kenya", "type": "country", "mention": None, "entity_id": 1},
        "predicate": "deployed",
        "object": "additional police officers to Haiti",
        "object_entity": OBJECT_ENTITY,
        "quantity": {"value": value, "unit": "officers", "qualifier": "exact"},
        "unit_kind": "persons",
        "aspect": "event",
        "time": time,
        "location": "Haiti",
        "attribution": attribution,
        "modality": modality,
        "evidence": {
            "quote": quote,
            "char_start": char_start,
            "char_end": char_start + len(quote),
            "match": "exact",
            "score": 100.0,
        },
        "status": "active",
        "origin": "extracted",
        "supersedes_id": None,
    }


CLAIM_217 = claim(
    id=12,
    article_id=3,
    statement="Kenya deployed 217 additional police officers to Haiti on Saturday 18 January "
    "2025 to reinforce the Multinational Security Support mission.",
    value=217.0,
    time={"text": "on Saturday", "start": "2025-01-18", "end": "2025-01-18"},
    attribution=None,
    modality="asserted",
    quote="Kenya dispatched 217 more police officers to Haiti on Saturday",
    char_start=17,
)
CLAIM_270 = claim(
    id=26,
    article_id=4,
    statement="Kenya deployed 270 additional police officers to Haiti to reinforce the "
    "Multinational Security Support mission.",
    value=270.0,
    time={"text": "on Friday night", "start": "2025-01-17", "end": "2025-01-17"},
    attribution="Kenyan officials",
    modality="reported",
    quote="Kenya has sent another 270 police officers to Haiti",
    char_start=18,
)
CLAIMS: dict[str, Any] = {"data": [CLAIM_217, CLAIM_270], "count": 2, "next_cursor": None}

# The claim run 4 made and grounding refused: its figure is not the one its quote gives.
REJECTED_CLAIM: dict[str, Any] = {
    "id": 1,
    "run_id": 4,
    "article_id": 4,
    "reason": "quantity 217 does not appear in its evidence: 'The 270 officers departed on "
    "Friday night from Jomo Kenyatta International Airport'",
    "payload": {
        "statement": "The contingent of 217 Kenyan police officers departed Jomo Kenyatta "
        "International Airport on Friday night, bound for Port-au-Prince.",
        "claim_type": "event",
        "fact_kind": "deployment",
        "subject": {
            "name": "Kenyan police contingent",
            "type": "group",
            "mention": "The 270 officers",
        },
        "predicate": "departed from",
        "quantity": {
            "value": 217.0,
            "unit": "officers",
            "qualifier": "exact",
            "unit_kind": "persons",
            "aspect": "event",
        },
        "modality": "reported",
        "evidence": "The 270 officers departed on Friday night from Jomo Kenyatta "
        "International Airport",
    },
    "created_at": "2026-11-27T21:49:03.373827Z",
}
REJECTED_CLAIMS: dict[str, Any] = {"data": [REJECTED_CLAIM], "count": 1}

ARTICLE_EXTRACTION: dict[str, Any] = {
    "article": ARTICLE,
    "run": RUN,
    "claims": [CLAIM_270],
    "reused": False,
    "publication": PUBLICATION,
    "publication_created": True,
}

HEALTH: dict[str, Any] = {
    "status": "ok",
    "database": "ok",
    "llm_mode": "replay",
    "llm_endpoint": "replay:/srv/factdiff/fixtures/llm",
    "model": "gpt-4.1-mini",
    # FACTDIFF_ADJUDICATOR=llm, with a judge of its own; absent when the adjudicator is off.
    "adjudicator_endpoint": "http://judge.internal:8000/v1",
    "adjudicator_model": "qwen2.5-14b-instruct",
}

# GET /schemas, the first of them; its JSON Schema without its $defs.
SCHEMA: dict[str, Any] = {
    "ref": "news_claims@v1",
    "name": "news_claims",
    "version": "v1",
    "description": "Every checkable factual claim: events, figures, quotes, pledges, status.",
    "prompt": "extract_claims/v1",
    "json_schema": {
        "additionalProperties": False,
        "description": "Every checkable factual claim in the article.",
        "properties": {
            "claims": {
                "items": {"$ref": "#/$defs/ExtractedClaim"},
                "maxItems": 200,
                "title": "Claims",
                "type": "array",
            }
        },
        "title": "ClaimSet",
        "type": "object",
    },
}

# POST /articles?wait=false: answered at once, the run queued for a worker to poll.
QUEUED_RUN: dict[str, Any] = {
    **RUN,
    "status": "queued",
    **dict.fromkeys(("llm_calls", "http_requests", "prompt_tokens", "completion_tokens"), 0),
    **dict.fromkeys(("cached_tokens", "total_tokens", "chunks", "claims_count"), 0),
    "rejected_count": 0,
    "usage_by_attempt": [],
    **dict.fromkeys(("latency_ms", "started_at", "finished_at"), None),
}
ARTICLE_QUEUED: dict[str, Any] = {**ARTICLE_EXTRACTION, "run": QUEUED_RUN, "claims": []}
