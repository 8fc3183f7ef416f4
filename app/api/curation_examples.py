"""Examples of curation and entities for the OpenAPI page: what a desk editor sends and reads.

On the seed story as `make run` stores it (see app.api.examples).
"""

from __future__ import annotations

from typing import Any

from app.api.examples import CLAIM_270

# The departure run 4's model got wrong (REJECTED_CLAIM), added to article 4 by hand.
CURATED_CLAIM: dict[str, Any] = {
    "statement": "The 270 Kenyan police officers departed Jomo Kenyatta International Airport "
    "on Friday night, bound for Port-au-Prince.",
    "claim_type": "event",
    # news_claims@v2's canonical fields, so the claim meets the other reports of the
    # deployment in the diff and the ledger; without them it has v1's fields only.
    "fact_kind": "deployment",
    "subject": {
        "name": "Kenyan police contingent",
        "type": "group",
        "mention": "The 270 officers",
    },
    "predicate": "departed from",
    "object": "Jomo Kenyatta International Airport for Port-au-Prince",
    "object_entity": {"name": "Haiti", "type": "country"},
    "quantity": {
        "value": 270,
        "unit": "officers",
        "qualifier": "exact",
        "unit_kind": "persons",
        "aspect": "event",
    },
    "time": {"text": "on Friday night", "start": "2025-01-17", "end": "2025-01-17"},
    "location": "Jomo Kenyatta International Airport, Nairobi",
    "attribution": "Kenyan officials",
    "modality": "reported",
    "evidence": "The 270 officers departed on Friday night from Jomo Kenyatta International "
    "Airport",
    "actor": "desk@example.org",
    "reason": "Grounding refused the model's version of this claim, which said 217",
}
CORRECTION_REASON = "The report counts officers who departed, not who arrived"
CLAIM_PATCH: dict[str, Any] = {
    "statement": "Kenya sent 270 more police officers to Haiti; they left Nairobi on Friday night.",
    "actor": "desk@example.org",
    "reason": CORRECTION_REASON,
}
# PATCH /claims/26 with CLAIM_PATCH: claim 92 replaces claim 26, which is kept, superseded.
CORRECTED_CLAIM: dict[str, Any] = {
    **CLAIM_270,
    "id": 92,
    "statement": CLAIM_PATCH["statement"],
    "origin": "curated",
    "supersedes_id": 26,
}
CLAIM_AUDIT: dict[str, Any] = {
    "id": 1,
    "claim_id": 92,
    "action": "corrected",
    "actor": "desk@example.org",
    "reason": CORRECTION_REASON,
    # The stored rows in full; a few of their columns here.
    "before": {
        "id": 26,
        "statement": CLAIM_270["statement"],
        "status": "active",
        "origin": "extracted",
        "supersedes_id": None,
    },
    "after": {
        "id": 92,
        "statement": CLAIM_PATCH["statement"],
        "status": "active",
        "origin": "curated",
        "supersedes_id": 26,
    },
    "created_at": "2026-11-27T21:50:36.975358Z",
}
ENTITY: dict[str, Any] = {"id": 1, "name": "Kenya", "type": "country", "aliases": ["Nairobi"]}
ENTITIES: dict[str, Any] = {
    "data": [
        ENTITY,
        {
            "id": 4,
            "name": "Multinational Security Support mission",
            "type": "organization",
            "aliases": [],
        },
    ],
    "count": 2,
}
ALIAS: dict[str, Any] = {"alias": "Kenyan government", "actor": "desk@example.org"}

# The alias above, as GET /entities/1/audit lists it.
ENTITY_AUDIT: dict[str, Any] = {
    "id": 1,
    "entity_id": 1,
    "action": "alias_added",
    "alias": "Kenyan government",
    "actor": "desk@example.org",
    "created_at": "2026-11-28T17:12:00Z",
}
