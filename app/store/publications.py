"""Publications: who carried an article's text, where and when.

One text is one article with one extraction per schema and model (crud.content_hash), however
many outlets carry it. Each submission of the text under an outlet and url is a publication;
the same outlet and url again is the same publication (the first submission's title and date
stand). Sources are counted by publication: a wire story carried by three outlets is one
article, one extraction and three publications.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from typing import Any

from sqlalchemy import Select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from app.store.models import Article, ArticleCreate, Publication
from app.store.sql_lists import one_of

# Ids in one IN list: well under SQLite's and PostgreSQL's limits on bound parameters.
_ID_CHUNK = 5000


def _blank_to_none(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None


def publication_identity(outlet: str | None, url: str | None) -> str:
    """What makes a publication one: its outlet and url, blanks and surrounding spaces aside."""
    parts = (_blank_to_none(outlet) or "", _blank_to_none(url) or "")
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def get_or_create_publication(
    *, session: Session, article: Article, article_in: ArticleCreate
) -> tuple[Publication, bool]:
    """The publication this submission stands for; True when this call stored it."""
    assert article.id is not None
    identity = publication_identity(article_in.outlet, article_in.url)
    query = select(Publication).where(
        Publication.article_id == article.id, Publication.identity == identity
    )
    existing = session.exec(query).first()
    if existing is not None:
        return existing, False
    publication = Publication(
        article_id=article.id,
        identity=identity,
        outlet=_blank_to_none(article_in.outlet),
        url=_blank_to_none(article_in.url),
        title=article_in.title,
        published_at=article_in.published_at,
    )
    session.add(publication)
    try:
        session.commit()
    except IntegrityError:
        # Another request stored the same publication between our read and our write.
        session.rollback()
        return session.exec(query).one(), False
    session.refresh(publication)
    return publication, True


def publications_by_article(
    *, session: Session, article_ids: Iterable[int]
) -> dict[int, list[Publication]]:
    """Each article's publications, oldest first; an article without any maps to []."""
    ids = sorted(set(article_ids))
    found: dict[int, list[Publication]] = {i: [] for i in ids}
    for start in range(0, len(ids), _ID_CHUNK):
        chunk = ids[start : start + _ID_CHUNK]
        rows = session.exec(
            select(Publication)
            .where(col(Publication.article_id).in_(chunk))
            .order_by(col(Publication.id))
        ).all()
        for publication in rows:
            found[publication.article_id].append(publication)
    return found


def publication_rows(*, session: Session, article_ids: Iterable[int]) -> list[tuple[Any, ...]]:
    """(article_id, id, outlet, url) of the articles' publications, in id order: plain rows
    for the diff and the ledger, which read thousands of them."""
    ids = sorted(set(article_ids))
    if not ids:
        return []
    # The ids as one bound list: the ledger asks for hundreds, and psycopg took longer to
    # convert a parameter each than PostgreSQL took to answer (GET /facts over 1M claims).
    query = (
        select(Publication.article_id, Publication.id, Publication.outlet, Publication.url)
        .where(one_of(session, col(Publication.article_id), ids))
        .order_by(col(Publication.id))
    )
    return [tuple(row) for row in session.exec(query).all()]


def articles_carried_by(outlet: str) -> Select[tuple[int]]:
    """The ids of the articles any of whose publications is from ``outlet``, as a subquery."""
    return select(Publication.article_id).where(Publication.outlet == outlet)  # type: ignore[return-value]
