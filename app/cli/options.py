"""What every command that talks to a running factdiff takes: where it is, and the key."""

from __future__ import annotations

import json
from typing import Annotated

import httpx
import typer

DEFAULT_SERVER = "http://127.0.0.1:8000"

ServerOption = Annotated[
    str, typer.Option(envvar="FACTDIFF_SERVER", help="Base URL of a running factdiff")
]
ApiKeyOption = Annotated[
    str | None,
    typer.Option(
        envvar="FACTDIFF_API_KEY",
        help="Sent as a Bearer token. The variable keeps it out of the process list.",
    ),
]


def auth_headers(api_key: str | None) -> dict[str, str]:
    return {"Authorization": f"Bearer {api_key}"} if api_key else {}


def message_of(response: httpx.Response) -> str:
    """The server's own words for a refusal: FastAPI's detail, flattened to one line."""
    try:
        detail = response.json()["detail"]
    except (ValueError, KeyError, TypeError):
        return response.text[:200]
    if isinstance(detail, list):
        parts = []
        for error in detail:
            loc = ".".join(str(p) for p in error.get("loc", ()) if p != "body")
            parts.append(f"{loc}: {error.get('msg')}" if loc else str(error.get("msg")))
        return "; ".join(parts)
    if isinstance(detail, dict):
        return str(detail.get("message") or json.dumps(detail))
    return str(detail)
