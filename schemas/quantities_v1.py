"""quantities v1: only the claims that carry a number (head counts, money, dates of counts)."""

from __future__ import annotations

from pydantic import Field

from schemas.base import ClaimType, ExtractedClaim, Quantity, StrictModel
from schemas.registry import ExtractionSchema


class QuantityClaim(ExtractedClaim):
    """One claim stating a number."""

    claim_type: ClaimType = ClaimType.quantity
    quantity: Quantity = Field(description="The number the claim states. Required.")


class QuantityClaimSet(StrictModel):
    """Every claim in the article that states a number."""

    claims: list[QuantityClaim] = Field(default_factory=list, max_length=200)


QUANTITIES_V1 = ExtractionSchema(
    name="quantities",
    version="v1",
    description="Only numeric claims: counts, amounts, percentages, each with its unit.",
    response_model=QuantityClaimSet,
    prompt="extract_quantities/v1",
)
