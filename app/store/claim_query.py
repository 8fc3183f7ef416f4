"""Query stored claims: filters and an opaque keyset cursor."""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Boolean, ColumnElement, Text, and_, cast, func, literal_column, or_, text
from sqlmodel import Session, col, select

from app.store import search_index, search_plan
from app.store.entities import fold_name
from app.store.models import MAX_ID, Article, Claim, ClaimStatus, Entity
from app.store.publications import articles_carried_by


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


def _like_escape(value: str) -> str:
    """``value`` for a LIKE pattern: % and _ in it are literal characters."""
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _like_contains(value: str) -> str:
    return f"%{_like_escape(value)}%"


def _entity_ids(session: Session, name: str) -> list[int]:
    """Entities whose canonical name or one of whose aliases is ``name``, any case."""
    wanted = fold_name(name)
    # A key is the folded name (entities.entity_key), so SQL finds the name by its unique index;
    # aliases are a JSON list, read only for entities that have any. Reading every entity on
    # every request took longer than the claims query it served.
    query = select(Entity.id, Entity.name, Entity.aliases).where(
        or_(col(Entity.key) == wanted, cast(col(Entity.aliases), Text) != "[]")
    )
    ids = []
    for entity_id, entity_name, aliases in session.exec(query).all():
        if any(fold_name(n) == wanted for n in [entity_name, *(aliases or [])]):
            assert entity_id is not None
            ids.append(entity_id)
    return ids


@dataclass(frozen=True)
class _TextSearch:
    """How ``q`` is searched: an FTS5 phrase to join on (SQLite), and conditions on claims."""

    fts_phrase: str | None
    conditions: list[ColumnElement[bool]]


def _text_search(session: Session, q: str) -> _TextSearch:
    dialect = session.get_bind().dialect.name
    if dialect == "sqlite" and len(q) >= search_index.MIN_INDEXED_CHARS:
        # Driven by the index in id order, SQLite stops at the page's last match instead of
        # collecting every match first. When the index looks up only a stretch of q, the
        # claims it finds are checked for the whole of q, folded as FTS5 folds.
        needle = search_index.fts5_fold(q)
        start, end = search_plan.stretch_for(session, needle)
        phrase = search_index.fts_phrase(q[start:end])
        if (start, end) == (0, len(q)):
            return _TextSearch(phrase, [])
        check = func.factdiff_contains(
            needle, col(Claim.statement), col(Claim.evidence_quote), type_=Boolean
        )
        return _TextSearch(phrase, [check])
    needle = q.casefold()
    if dialect == "postgresql":
        searched: ColumnElement[str] = literal_column(search_index.POSTGRES_SEARCH_COLUMN)
        conditions: list[ColumnElement[bool]] = [searched.like(_like_contains(needle), escape="\\")]
        if len(needle) >= search_index.MIN_INDEXED_CHARS:
            # The trigram index serves a stretch of q, written as the index's expression so
            # the planner matches them; the condition above checks the whole of q.
            start, end = search_plan.stretch_for(session, needle)
            stretch = needle[start:end].replace(" ", search_index.POSTGRES_SPACE)
            indexed: ColumnElement[str] = literal_column(search_index.POSTGRES_INDEXED_EXPRESSION)
            conditions.insert(0, indexed.like(_like_contains(stretch), escape="\\"))
        return _TextSearch(None, conditions)
    # Shorter than a trigram: scanned.
    pattern = _like_contains(needle)
    return _TextSearch(
        None,
        [
            or_(
                func.lower(col(Claim.statement)).like(pattern, escape="\\"),
                func.lower(col(Claim.evidence_quote)).like(pattern, escape="\\"),
            )
        ],
    )


def _conditions(
    session: Session, f: ClaimFilter, *, search: _TextSearch | None
) -> list[ColumnElement[bool]]:
    """The filters as SQL, with ``search``'s conditions for ``q``."""
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
        # Any outlet carrying the claim's text, not only the one that submitted it first.
        where.append(col(Claim.article_id).in_(articles_carried_by(f.outlet)))
    if f.entity:
        # Every stored claim has its entity id: matching on it alone lets the index serve
        # the query (an OR on the subject's name would scan every claim).
        where.append(col(Claim.entity_id).in_(_entity_ids(session, f.entity)))
    if search is not None:
        where.extend(search.conditions)
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
    query = select(Claim)
    if filters.date_from or filters.date_to:
        # Every claim has its article (a required key): joined only when a filter reads it,
        # which spares PostgreSQL a lookup per matching claim, before the page is cut.
        query = query.join(Article, col(Article.id) == col(Claim.article_id))
    order_key: Any = col(Claim.id)
    search = _text_search(session, filters.q) if filters.q else None
    if search is not None and search.fts_phrase is not None:
        # Ordered by the FTS5 table's rowid, SQLite walks the index in id order and stops at
        # the page's end (milliseconds rather than a tenth of a second for a common word over
        # a million claims).
        fts = search_index.CLAIM_SEARCH
        query = query.join(fts, fts.c.rowid == col(Claim.id)).where(
            text("claim_search MATCH :phrase").bindparams(phrase=search.fts_phrase)
        )
        order_key = fts.c.rowid
    conditions = _conditions(session, filters, search=search)
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
