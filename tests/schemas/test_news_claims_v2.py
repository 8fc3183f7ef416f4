"""news_claims@v2: the canonical fact fields, as the model is asked for them and checked."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from schemas import ClaimSetV2, get_schema

CLAIM: dict[str, Any] = {
    "statement": "Kenya deployed 217 more police officers to Haiti on Saturday.",
    "claim_type": "event",
    "fact_kind": "deployment",
    "subject": {"name": "Kenya", "type": "country"},
    "predicate": "deployed",
    "object": "more police officers to Haiti",
    "object_entity": {"name": "Haiti", "type": "country"},
    "quantity": {
        "value": 217,
        "unit": "officers",
        "qualifier": "exact",
        "unit_kind": "persons",
        "aspect": "event",
    },
    "evidence": "Kenya dispatched 217 more police officers to Haiti on Saturday",
}


def test_the_bare_name_means_v2_and_v1_is_still_served_by_name() -> None:
    v2 = get_schema("news_claims@v2")
    assert (v2.name, v2.version, v2.prompt, v2.preview) == (
        "news_claims",
        "v2",
        "extract_claims/v2",
        False,
    )
    assert get_schema("news_claims") is v2
    v1 = get_schema("news_claims@v1")
    assert (v1.version, v1.prompt, v1.response_model.__name__) == (
        "v1",
        "extract_claims/v1",
        "ClaimSet",
    )


def test_a_v2_claim_carries_its_canonical_fields() -> None:
    [claim] = ClaimSetV2.model_validate({"claims": [CLAIM]}).claims
    assert claim.fact_kind == "deployment"
    assert claim.object_entity is not None and claim.object_entity.name == "Haiti"
    assert claim.quantity is not None
    assert (claim.quantity.unit_kind, claim.quantity.aspect) == ("persons", "event")


def test_the_model_is_told_what_each_field_means() -> None:
    schema = get_schema("news_claims@v2").response_model.model_json_schema()
    defs = schema["$defs"]
    claim, quantity = defs["ExtractedClaimV2"]["properties"], defs["QuantityV2"]["properties"]
    assert (
        "control_of_territory: area or share held by a group" in claim["fact_kind"]["description"]
    )
    assert "Kenya deployed officers to Haiti -> Haiti" in claim["object_entity"]["description"]
    assert "ISO 4217 code" in quantity["unit_kind"]["description"]
    assert "For a state, `time` is the time it is true as of." in quantity["aspect"]["description"]
    assert "fact_kind" in defs["ExtractedClaimV2"]["required"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"fact_kind": "weather"}, "fact_kind"),
        ({"quantity": {**CLAIM["quantity"], "aspect": "total"}}, "quantity.aspect"),
        ({"quantity": {**CLAIM["quantity"], "unit_kind": "people"}}, "quantity.unit_kind"),
        (
            {"quantity": {**CLAIM["quantity"], "unit": "dollars", "unit_kind": "currency"}},
            "a currency amount's unit must be an ISO 4217 code such as USD, not 'dollars'",
        ),
    ],
)
def test_values_outside_the_vocabulary_are_refused(change: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError) as raised:
        ClaimSetV2.model_validate({"claims": [{**CLAIM, **change}]})
    assert message in str(raised.value)


def test_v1_claims_are_still_valid_without_the_new_fields() -> None:
    v1 = get_schema("news_claims@v1").response_model
    plain = {k: v for k, v in CLAIM.items() if k not in ("fact_kind", "object_entity")}
    plain["quantity"] = {k: v for k, v in CLAIM["quantity"].items() if k in ("value", "unit")}
    assert len(v1.model_validate({"claims": [plain]}).claims) == 1  # type: ignore[attr-defined]
    with pytest.raises(ValidationError):
        v1.model_validate({"claims": [CLAIM]})  # v1 forbids the fields it does not know
