"""pydantic's validation errors as the one-line messages factdiff shows: where, then what.

Every entry point reports a bad value the same way ("claims.0.quantity.unit_kind: Input should
be ..."): a request body, a gold file, a service's answer, the model's answer. pydantic puts
"Value error, " before the message of a validator's ValueError; our validators' messages are
written to stand alone, so it is cut.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def error_message(error: Mapping[str, Any]) -> str:
    """The message of one of ``ValidationError.errors()``, without pydantic's prefix."""
    return str(error.get("msg", "")).removeprefix("Value error, ")


def error_line(error: Mapping[str, Any], *, top: str = "") -> str:
    """'where: message', where is the error's location joined with dots (``top`` for an error
    of the whole value, which has none; with neither, the message alone)."""
    place = ".".join(str(part) for part in error.get("loc", ())) or top
    message = error_message(error)
    return f"{place}: {message}" if place else message
