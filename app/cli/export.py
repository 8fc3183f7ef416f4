"""Export stored claims from a running factdiff as JSONL or CSV, page by page."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from typing import Any, Literal, TextIO

import httpx

from app.cli.options import auth_headers

PAGE_SIZE = 500

CSV_COLUMNS = (
    "id",
    "article_id",
    "run_id",
    "statement",
    "claim_type",
    "subject_name",
    "subject_type",
    "predicate",
    "object",
    "quantity_value",
    "quantity_unit",
    "quantity_qualifier",
    "time_text",
    "time_start",
    "time_end",
    "location",
    "attribution",
    "modality",
    "evidence_quote",
    "char_start",
    "char_end",
    "match",
    "status",
    "origin",
)


class ExportError(RuntimeError):
    """The server could not be reached or refused the query."""


def export_claims(
    server: str,
    api_key: str | None,
    out: TextIO,
    fmt: Literal["jsonl", "csv"],
    filters: dict[str, str],
) -> int:
    """Write every claim ``GET /claims`` lists under ``filters`` to ``out``; return how many.

    For CSV, open ``out`` with ``newline=""``: the csv module writes its own line ends.
    """
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS) if fmt == "csv" else None
    if writer is not None:
        writer.writeheader()
    count = 0
    for claim in _claims(server, api_key, filters):
        if writer is not None:
            writer.writerow(flatten(claim))
        else:
            out.write(json.dumps(claim, ensure_ascii=False) + "\n")
        count += 1
    return count


def _claims(server: str, api_key: str | None, filters: dict[str, str]) -> Iterator[dict[str, Any]]:
    headers = auth_headers(api_key)
    params: dict[str, str | int] = {**filters, "limit": PAGE_SIZE}
    with httpx.Client(base_url=server.rstrip("/"), headers=headers, timeout=60.0) as client:
        while True:
            try:
                response = client.get("/claims", params=params)
            except httpx.HTTPError as exc:
                raise ExportError(f"cannot reach {server}: {exc}") from exc
            if response.status_code != 200:
                raise ExportError(f"GET /claims: {response.status_code} {_detail(response)}")
            page = response.json()
            yield from page["data"]
            if not page.get("next_cursor"):
                return
            params["cursor"] = page["next_cursor"]


def _detail(response: httpx.Response) -> str:
    try:
        detail = response.json()["detail"]
    except (ValueError, KeyError, TypeError):
        return response.text[:200]
    return detail if isinstance(detail, str) else json.dumps(detail, ensure_ascii=False)


def flatten(claim: dict[str, Any]) -> dict[str, Any]:
    """One CSV row of a ClaimPublic: nested parts spread into columns, absent ones empty."""
    subject = claim.get("subject") or {}
    quantity = claim.get("quantity") or {}
    time = claim.get("time") or {}
    evidence = claim.get("evidence") or {}
    return {
        **{key: claim.get(key) for key in CSV_COLUMNS},
        "subject_name": subject.get("name"),
        "subject_type": subject.get("type"),
        "quantity_value": quantity.get("value"),
        "quantity_unit": quantity.get("unit"),
        "quantity_qualifier": quantity.get("qualifier"),
        "time_text": time.get("text"),
        "time_start": time.get("start"),
        "time_end": time.get("end"),
        "evidence_quote": evidence.get("quote"),
        "char_start": evidence.get("char_start"),
        "char_end": evidence.get("char_end"),
        "match": evidence.get("match"),
    }
