"""Query stored claims: filters and an opaque keyset cursor."""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, and_, func, literal_column, or_, text
from sqlmodel import Session, col, select

from app import search_index
from app.models import MAX_ID, Article, Claim, ClaimStatus, Entity


class BadCursorError(ValueError):
    pass


def encode_cursor(last_id: int) -> str:
    return base64.urlsafe_b64encode(json.dumps({"after": last_id}).encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> int:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        data = json.loads(base64.urlsafe_b64decode(padded.encode()))
        after = data["after"]
    except (binascii.Error, ValueError, KeyError, TypeError, UnicodeDecodeError) as exc:
        raise BadCursorError("malformed cursor: pass the next_cursor of a previous page") from exc
    if not isinstance(after, int) or isinstance(after, bool) or not 0 <= after <= MAX_ID:
        raise BadCursorError("malformed cursor: pass the next_cursor of a previous page")
    return after


@dataclass(frozen=True)
class ClaimFilter:
    article_id: int | None = None
    run_id: int | None = None
    outlet: str | None = None
    entity: str | None = None
    claim_type: str | None = None
    q: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    include_inactive: bool = False


def _entity_ids(session: Session, name: str) -> list[int]:
    """Entities whose canonical name or one of whose aliases is ``name``, any case."""
    wanted = " ".join(name.casefold().split())
    ids = []
    for entity in session.exec(select(Entity)).all():
        names = [entity.name, *entity.aliases]
        if any(" ".join(n.casefold().split()) == wanted for n in names):
            assert entity.id is not None
            ids.append(entity.id)
    return ids


def _fts_phrase(session: Session, f: ClaimFilter) -> str | None:
    """The SQLite full-text query for ``f.q``, when the trigram index can answer it."""
    if not f.q or session.get_bind().dialect.name != "sqlite":
        return None
    return search_index.fts_phrase(f.q)


def _text_matches(session: Session, q: str) -> ColumnElement[bool]:
    """Claims whose statement or evidence contains ``q``, any case, by LIKE."""
    # % and _ in the search text are literal characters, not wildcards.
    escaped = q.casefold().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    pattern = f"%{escaped}%"
    if session.get_bind().dialect.name == "postgresql":
        # Written as the trigram index's expression, so that the index serves it (no other
        # table in the query has these columns).
        indexed: ColumnElement[str] = literal_column(search_index.POSTGRES_SEARCH_EXPRESSION)
        return indexed.like(pattern, escape="\\")
    return or_(
        func.lower(col(Claim.statement)).like(pattern, escape="\\"),
        func.lower(col(Claim.evidence_quote)).like(pattern, escape="\\"),
    )


def _conditions(
    session: Session, f: ClaimFilter, *, fts_phrase: str | None
) -> list[ColumnElement[bool]]:
    """The filters as SQL; ``q`` only when the full-text join (``fts_phrase``) does not serve it."""
    where: list[ColumnElement[bool]] = []
    if not f.include_inactive:
        where.append(col(Claim.status) == ClaimStatus.active.value)
    if f.article_id is not None:
        where.append(col(Claim.article_id) == f.article_id)
    if f.run_id is not None:
        where.append(col(Claim.run_id) == f.run_id)
    if f.claim_type:
        where.append(col(Claim.claim_type) == f.claim_type)
    if f.outlet:
        where.append(col(Article.outlet) == f.outlet)
    if f.entity:
        # Every stored claim has its entity id: matching on it alone lets the index serve
        # the query (an OR on the subject's name would scan every claim).
        where.append(col(Claim.entity_id).in_(_entity_ids(session, f.entity)))
    if f.q and fts_phrase is None:
        where.append(_text_matches(session, f.q))
    # A claim's date is its own time window, or else its article's publication day.
    claim_start = func.coalesce(col(Claim.time_start), func.date(col(Article.published_at)))
    claim_end = func.coalesce(
        col(Claim.time_end), col(Claim.time_start), func.date(col(Article.published_at))
    )
    if f.date_from:
        where.append(claim_end >= f.date_from)
    if f.date_to:
        where.append(claim_start <= f.date_to)
    return where


def list_claims(
    *, session: Session, filters: ClaimFilter, cursor: str | None, limit: int
) -> tuple[list[Claim], str | None]:
    query = select(Claim).join(Article, col(Article.id) == col(Claim.article_id))
    order_key: Any = col(Claim.id)
    if (phrase := _fts_phrase(session, filters)) is not None:
        # Driven by the index in id order, SQLite stops at the page's last match instead of
        # collecting every match first (milliseconds rather than a tenth of a second for a
        # common word over a million claims).
        fts = search_index.CLAIM_SEARCH
        query = query.join(fts, fts.c.rowid == col(Claim.id)).where(
            text("claim_search MATCH :phrase").bindparams(phrase=phrase)
        )
        order_key = fts.c.rowid
    conditions = _conditions(session, filters, fts_phrase=phrase)
    if cursor:
        conditions.append(order_key > decode_cursor(cursor))
    if conditions:
        query = query.where(and_(*conditions))
    rows = list(session.exec(query.order_by(order_key).limit(limit + 1)).all())
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        last = rows[-1].id
        assert last is not None
        next_cursor = encode_cursor(last)
    return rows, next_cursor
