"""news_claims v1: the general schema, every checkable claim in a news article."""

from __future__ import annotations

from schemas.base import ClaimSet
from schemas.registry import ExtractionSchema

NEWS_CLAIMS_V1 = ExtractionSchema(
    name="news_claims",
    version="v1",
    description="Every checkable factual claim: events, figures, quotes, pledges, status.",
    response_model=ClaimSet,
    prompt="extract_claims/v1",
)
