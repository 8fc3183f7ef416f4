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
from schemas.news_claims_v2 import (
    NEWS_CLAIMS_V2,
    Aspect,
    ClaimSetV2,
    ExtractedClaimV2,
    FactKind,
    QuantityV2,
    UnitKind,
)
from schemas.quantities_v1 import QUANTITIES_V1
from schemas.registry import (
    ExtractionSchema,
    UnknownSchemaError,
    available,
    get_schema,
    register,
)

register(NEWS_CLAIMS_V1)
register(NEWS_CLAIMS_V2)
register(QUANTITIES_V1)

__all__ = [
    "NEWS_CLAIMS_V1",
    "NEWS_CLAIMS_V2",
    "QUANTITIES_V1",
    "Aspect",
    "ClaimSet",
    "ClaimSetV2",
    "ClaimType",
    "Entity",
    "EntityType",
    "ExtractedClaim",
    "ExtractedClaimV2",
    "ExtractionSchema",
    "FactKind",
    "Modality",
    "Qualifier",
    "Quantity",
    "QuantityV2",
    "TimeRef",
    "UnitKind",
    "UnknownSchemaError",
    "available",
    "get_schema",
    "register",
]
