"""Typed extraction schemas (Pydantic v2), versioned and registered by name."""

from schemas.base import (
    ClaimSet,
    ClaimType,
    Entity,
    EntityType,
    ExtractedClaim,
    Modality,
    Qualifier,
    Quantity,
    TimeRef,
)
from schemas.news_claims_v1 import NEWS_CLAIMS_V1
from schemas.quantities_v1 import QUANTITIES_V1
from schemas.registry import (
    ExtractionSchema,
    UnknownSchemaError,
    available,
    get_schema,
    register,
)

register(NEWS_CLAIMS_V1)
register(QUANTITIES_V1)

__all__ = [
    "NEWS_CLAIMS_V1",
    "QUANTITIES_V1",
    "ClaimSet",
    "ClaimType",
    "Entity",
    "EntityType",
    "ExtractedClaim",
    "ExtractionSchema",
    "Modality",
    "Qualifier",
    "Quantity",
    "TimeRef",
    "UnknownSchemaError",
    "available",
    "get_schema",
    "register",
]
