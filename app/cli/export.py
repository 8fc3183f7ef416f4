"""Export stored claims from a running factdiff as JSONL or CSV, page by page.

One row per claim, with where its text was published: the article's own outlet, title, url
and date (those it was first submitted with) and ``outlets``, every outlet carrying the text
(a wire story carried by three outlets names three). JSONL rows also hold each publication.
Whole numbers are written as integers: 217, not 217.0.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from typing import Any, Literal, TextIO

import httpx

from app.cli.options import auth_headers

PAGE_SIZE = 500
# Articles asked for at once (GET /articles?id=...): the list endpoint's page limit.
ARTICLE_BATCH = 500
OUTLET_SEPARATOR = "; "
PUBLICATION_FIELDS = ("outlet", "title", "url", "published_at")

CSV_COLUMNS = (
    "id",
    "article_id",
    "run_id",
    "outlet",
    "outlets",
    "title",
    "url",
    "published_at",
    "statement",
    "claim_type",
    "fact_kind",
    "subject_name",
    "subject_type",
    "predicate",
    "object",
    "object_entity_id",
    "object_entity_name",
    "quantity_value",
    "quantity_unit",
    "quantity_qualifier",
    "unit_kind",
    "aspect",
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
        claim = plain_numbers(claim)
        if writer is not None:
            writer.writerow(flatten(claim))
        else:
            out.write(json.dumps(claim, ensure_ascii=False) + "\n")
        count += 1
    return count


def _claims(server: str, api_key: str | None, filters: dict[str, str]) -> Iterator[dict[str, Any]]:
    """Every claim, each with where its text was published (``published``)."""
    headers = auth_headers(api_key)
    params: dict[str, str | int] = {**filters, "limit": PAGE_SIZE}
    articles: dict[int, dict[str, Any]] = {}
    with httpx.Client(base_url=server.rstrip("/"), headers=headers, timeout=60.0) as client:
        while True:
            page = _get(client, server, "/claims", params)
            wanted = {c["article_id"] for c in page["data"]} - articles.keys()
            articles.update(_articles(client, server, sorted(wanted)))
            for claim in page["data"]:
                yield {**claim, **published(articles.get(claim["article_id"]))}
            if not page.get("next_cursor"):
                return
            params["cursor"] = page["next_cursor"]


def _get(client: httpx.Client, server: str, path: str, params: Any) -> dict[str, Any]:
    try:
        response = client.get(path, params=params)
    except httpx.HTTPError as exc:
        raise ExportError(f"cannot reach {server}: {exc}") from exc
    if response.status_code != 200:
        raise ExportError(f"GET {path}: {response.status_code} {_detail(response)}")
    body: dict[str, Any] = response.json()
    return body


def _articles(client: httpx.Client, server: str, ids: list[int]) -> dict[int, dict[str, Any]]:
    found = {}
    for start in range(0, len(ids), ARTICLE_BATCH):
        chunk = ids[start : start + ARTICLE_BATCH]
        params = [("id", i) for i in chunk] + [("limit", ARTICLE_BATCH)]
        for article in _get(client, server, "/articles", params)["data"]:
            found[article["id"]] = article
    return found


def published(article: dict[str, Any] | None) -> dict[str, Any]:
    """Where a claim's text was published: the article's own fields, every outlet carrying
    it, and (for JSONL) each publication."""
    article = article or {}
    publications = [
        {key: p.get(key) for key in PUBLICATION_FIELDS} for p in article.get("publications", [])
    ]
    outlets = [p["outlet"] for p in publications if p["outlet"]] or (
        [article["outlet"]] if article.get("outlet") else []
    )
    return {
        **{key: article.get(key) for key in PUBLICATION_FIELDS},
        "outlets": list(dict.fromkeys(outlets)),
        "publications": publications,
    }


def plain_numbers(value: Any) -> Any:
    """``value`` with every whole float an int: counts read 217, not 217.0."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {k: plain_numbers(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain_numbers(v) for v in value]
    return value


def _detail(response: httpx.Response) -> str:
    try:
        detail = response.json()["detail"]
    except (ValueError, KeyError, TypeError):
        return response.text[:200]
    return detail if isinstance(detail, str) else json.dumps(detail, ensure_ascii=False)


def flatten(claim: dict[str, Any]) -> dict[str, Any]:
    """One CSV row of a ClaimPublic: nested parts spread into columns, absent ones empty
    (the canonical fact fields too, for a news_claims@v1 claim)."""
    subject = claim.get("subject") or {}
    object_entity = claim.get("object_entity") or {}
    quantity = claim.get("quantity") or {}
    time = claim.get("time") or {}
    evidence = claim.get("evidence") or {}
    return {
        **{key: claim.get(key) for key in CSV_COLUMNS},
        "subject_name": subject.get("name"),
        "subject_type": subject.get("type"),
        "object_entity_id": object_entity.get("entity_id"),
        "object_entity_name": object_entity.get("name"),
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
        "outlets": OUTLET_SEPARATOR.join(claim.get("outlets") or []),
    }
