"""pydantic's errors as factdiff words them: where, then what, without pydantic's prefix."""

from __future__ import annotations

import pytest
from pydantic import BaseModel, ValidationError, field_validator, model_validator

from app.core.validation_errors import error_line, error_message


class Quantity(BaseModel):
    value: float
    unit: str

    @field_validator("unit")
    @classmethod
    def unit_named(cls, unit: str) -> str:
        if not unit.strip():
            raise ValueError("unit is empty: name what is counted (officers, EUR)")
        return unit


class Answer(BaseModel):
    claims: list[Quantity]

    @model_validator(mode="after")
    def some_claims(self) -> Answer:
        if len(self.claims) > 2:
            raise ValueError("at most 2 claims")
        return self


def first_error(data: object) -> dict[str, object]:
    with pytest.raises(ValidationError) as caught:
        Answer.model_validate(data)
    return dict(caught.value.errors()[0])


def test_a_nested_error_names_its_place_and_a_validators_message_stands_alone() -> None:
    bad_unit = first_error(
        {"claims": [{"value": 217, "unit": "officers"}, {"value": 270, "unit": " "}]}
    )
    bad_value = first_error({"claims": [{"value": "many", "unit": "officers"}]})

    assert (
        error_line(bad_unit) == "claims.1.unit: unit is empty: name what is counted (officers, EUR)"
    )
    assert error_message(bad_unit) == "unit is empty: name what is counted (officers, EUR)"
    assert error_line(bad_value) == (
        "claims.0.value: Input should be a valid number, unable to parse string as a number"
    )


def test_an_error_of_the_whole_value_has_no_place_unless_given_one() -> None:
    error = first_error({"claims": [{"value": n, "unit": "officers"} for n in (1, 2, 3)]})

    assert error_line(error) == "at most 2 claims"
    assert error_line(error, top="body") == "body: at most 2 claims"
