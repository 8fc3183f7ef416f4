"""Registry of extraction schemas, selectable per request as ``name`` or ``name@version``."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from pydantic import BaseModel


@dataclass(frozen=True)
class ExtractionSchema:
    name: str
    version: str
    description: str
    # A model with a ``claims`` list whose items extend schemas.base.ExtractedClaim.
    response_model: type[BaseModel]
    # Prompt template directory and version under prompts/, e.g. "extract_claims/v1".
    prompt: str
    # Served when asked for by name@version, but a bare name does not mean it yet: a new
    # version is tried out before it becomes the default.
    preview: bool = False

    @property
    def ref(self) -> str:
        return f"{self.name}@{self.version}"

    @property
    def json_schema_sha256(self) -> str:
        """Fingerprint of what the model is asked to fill: changes when any field does."""
        schema = self.response_model.model_json_schema()
        return hashlib.sha256(json.dumps(schema, sort_keys=True).encode()).hexdigest()


class UnknownSchemaError(LookupError):
    def __init__(self, ref: str, known: list[str]) -> None:
        self.ref = ref
        self.known = known
        super().__init__(f"unknown schema {ref!r}; available: {', '.join(known)}")


_REGISTRY: dict[str, ExtractionSchema] = {}


def register(schema: ExtractionSchema) -> ExtractionSchema:
    if schema.ref in _REGISTRY:
        raise ValueError(f"schema {schema.ref} is already registered")
    _REGISTRY[schema.ref] = schema
    return schema


def available() -> list[str]:
    return sorted(_REGISTRY)


def get_schema(ref: str) -> ExtractionSchema:
    """``news_claims@v1`` names one version; a bare ``news_claims`` names its latest version
    that is not a preview."""
    if ref in _REGISTRY:
        return _REGISTRY[ref]
    versions = [s for s in _REGISTRY.values() if s.name == ref and not s.preview]
    if not versions:
        raise UnknownSchemaError(ref, available())
    # Versions are "v1", "v2", ...: compare numerically so v10 sorts after v9.
    return max(versions, key=lambda s: int(s.version.lstrip("v") or 0))
