"""The schema form of a claim a curator writes or corrects: news_claims@v1's fields, or v2's.

A claim that gives any of news_claims@v2's canonical fields (fact kind, object entity, a
figure's unit kind or aspect) is a v2 claim, validated by the extraction schema itself, so
it gets the model's checks and messages and pairs with extracted v2 claims in the diff and
the ledger. A claim with none of them keeps v1's fields, as hand-added claims had before.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError
from sqlmodel import Session

from app.core.validation_errors import error_line
from app.store.models import Claim, Entity
from schemas import ExtractedClaim, ExtractedClaimV2

CANONICAL_QUANTITY_FIELDS = ("unit_kind", "aspect")


def is_v2(fields: Mapping[str, Any]) -> bool:
    """Whether the fields name any canonical fact field (a null one names none)."""
    quantity = fields.get("quantity")
    canonical_figure = isinstance(quantity, Mapping) and any(
        quantity.get(name) is not None for name in CANONICAL_QUANTITY_FIELDS
    )
    return (
        fields.get("fact_kind") is not None
        or fields.get("object_entity") is not None
        or canonical_figure
    )


def parse_claim(fields: Mapping[str, Any]) -> ExtractedClaim:
    """The claim in its schema's form; pydantic's ValidationError names each bad field."""
    if is_v2(fields):
        return ExtractedClaimV2.model_validate(fields)
    plain = {k: v for k, v in fields.items() if k not in ("fact_kind", "object_entity")}
    quantity = plain.get("quantity")
    if isinstance(quantity, Mapping):
        plain["quantity"] = {
            k: v for k, v in quantity.items() if k not in CANONICAL_QUANTITY_FIELDS
        }
    return ExtractedClaim.model_validate(plain)


def field_errors(exc: ValidationError) -> str:
    """Each bad field and pydantic's message for it, without echoing the input back."""
    return "; ".join(error_line(e, top="claim") for e in exc.errors())


def claim_fields(session: Session, claim: Claim) -> dict[str, Any]:
    """A stored claim's fields as its schema has them (JSON values), for a correction."""
    quantity: dict[str, Any] | None = None
    if claim.quantity_value is not None:
        quantity = {
            "value": claim.quantity_value,
            "unit": claim.quantity_unit or "",
            "qualifier": claim.quantity_qualifier or "exact",
        }
        if claim.unit_kind is not None:
            quantity |= {"unit_kind": claim.unit_kind, "aspect": claim.aspect}
    time = None
    if claim.time_text:
        time = {
            "text": claim.time_text,
            "start": claim.time_start and claim.time_start.isoformat(),
            "end": claim.time_end and claim.time_end.isoformat(),
        }
    fields: dict[str, Any] = {
        "statement": claim.statement,
        "claim_type": claim.claim_type,
        "subject": {
            "name": claim.subject_name,
            "type": claim.subject_type,
            "mention": claim.subject_mention,
        },
        "predicate": claim.predicate,
        "object": claim.object,
        "quantity": quantity,
        "time": time,
        "location": claim.location,
        "attribution": claim.attribution,
        "modality": claim.modality,
        "evidence": claim.evidence_quote,
    }
    if claim.fact_kind is not None:
        obj = session.get(Entity, claim.object_entity_id) if claim.object_entity_id else None
        fields["fact_kind"] = claim.fact_kind
        fields["object_entity"] = None if obj is None else {"name": obj.name, "type": obj.type}
    return fields


def corrected_fields(original: Mapping[str, Any], changes: Mapping[str, Any]) -> dict[str, Any]:
    """The original's fields with the changes over them. A new figure keeps the original's
    unit kind and aspect unless it gives its own: a curator fixes a figure or its wording,
    not what kind of thing it counts."""
    merged = dict(original) | dict(changes)
    before, after = original.get("quantity"), changes.get("quantity")
    if isinstance(before, Mapping) and isinstance(after, Mapping):
        kept = {k: before[k] for k in CANONICAL_QUANTITY_FIELDS if k in before}
        merged["quantity"] = kept | dict(after)
    return merged
