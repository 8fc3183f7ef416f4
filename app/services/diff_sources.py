"""Load what the diff compares: the active claims of an article, a run, or an outlet.

The diff itself (app.diff.align, app.diff.ledger) is pure; this is where stored claims become
DiffClaims, with subjects normalised through the entity table's aliases.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from operator import itemgetter
from typing import Any, cast

from sqlalchemy import ColumnElement, or_
from sqlalchemy import select as sa_select
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from app.core.names import describes, shortens
from app.diff.align import DiffClaim
from app.diff.places import listed_ids, placed
from app.diff.types import PublicationRef
from app.services.errors import ErrorKind, ServiceError
from app.store.entities import fold_name
from app.store.fact_revisions import current_claims
from app.store.models import (
    MAX_ID,
    Article,
    Claim,
    ClaimStatus,
    Entity,
    ExtractionRun,
    Publication,
)
from app.store.publications import articles_carried_by, publication_rows
from app.store.sql_lists import one_of

SIDE_KINDS = ("article", "run", "outlet")
ObjectEntity = aliased(Entity, name="object_entity")


class BadSideError(ServiceError):
    def __init__(self, message: str) -> None:
        super().__init__(ErrorKind.invalid, message)


class UnknownSideError(ServiceError):
    def __init__(self, message: str) -> None:
        super().__init__(ErrorKind.not_found, message)


@dataclass(frozen=True)
class Side:
    kind: str  # article, run or outlet
    value: str

    @property
    def label(self) -> str:
        return f"{self.kind} {self.value}"


def parse_side(spec: str) -> Side:
    kind, sep, value = spec.partition(":")
    if not sep or kind not in SIDE_KINDS or not value.strip():
        raise BadSideError(
            f"cannot read {spec!r}: use article:ID, run:ID or outlet:NAME, e.g. article:3"
        )
    # isdecimal() and isdigit() admit other scripts' digits (١٢, ²), which int() may refuse.
    digits = value.isascii() and value.isdigit()
    if kind in ("article", "run") and not (digits and 0 < int(value) <= MAX_ID):
        raise BadSideError(f"cannot read {spec!r}: {kind} ids are positive integers")
    return Side(kind, value.strip())


EntityRow = tuple[int, str, list[str]]  # id, name, aliases


def entity_rows(session: Session) -> list[EntityRow]:
    rows = session.exec(
        select(Entity.id, Entity.name, Entity.aliases).order_by(col(Entity.id))
    ).all()
    return [(i, name, list(aliases or [])) for i, name, aliases in rows if i is not None]


def alias_map(session: Session, entities: list[EntityRow] | None = None) -> dict[str, str]:
    """Every known name and alias, folded, to the canonical name it finally stands for.

    An alias outranks an entity's own name, so "Kenyan government" added as an alias of
    Kenya folds the entity of that name into Kenya; chains resolve to their end.
    """
    entities = entity_rows(session) if entities is None else entities
    mapping = {fold_name(name): fold_name(name) for _, name, _ in entities}
    for _, name, aliases in entities:
        canonical = fold_name(name)
        for alias in map(fold_name, aliases):
            if alias != canonical and mapping.get(alias, alias) == alias:
                mapping[alias] = canonical
    for name in mapping:
        seen = {name}
        while (target := mapping[name]) != name and mapping.get(target, target) not in seen:
            seen.add(target)
            mapping[name] = mapping.get(target, target)
    return mapping


def subject_key(name: str, mention: str | None, aliases: dict[str, str]) -> str:
    folded = fold_name(name)
    if folded in aliases and aliases[folded] != folded:
        return aliases[folded]
    # "the company", which the article calls "Halvard Terminals": the article's words name it.
    if mention and describes(name) and not describes(mention):
        named = fold_name(mention)
        return aliases.get(named, named)
    # "Kenyan government" mentioned as "Nairobi", where "Nairobi" is an alias of Kenya; but
    # "Drovenian police" mentioned as "police" is still the Drovenian police, whatever entity
    # "police" stood for in another story.
    if mention and not shortens(mention, name) and fold_name(mention) in aliases:
        canonical = aliases[fold_name(mention)]
        if canonical != fold_name(mention):
            return canonical
    return aliases.get(folded, folded)


# Plain columns, not ORM objects: building 10,000 Claim instances costs more than the query.
_COLUMNS = (
    Claim.id, Claim.article_id, Claim.run_id, Article.outlet, Article.published_at,
    Claim.statement, Claim.claim_type, Claim.subject_name, Claim.subject_mention,
    Claim.subject_type, Claim.predicate, Claim.object, Claim.quantity_value,
    Claim.quantity_unit, Claim.quantity_qualifier, Claim.time_text, Claim.time_start,
    Claim.time_end, Claim.location, Claim.attribution, Claim.modality, Claim.evidence_quote,
    Claim.char_start, Claim.char_end, Claim.fact_kind, ObjectEntity.name, Claim.unit_kind,
    Claim.aspect, Claim.fact_id,
)  # fmt: skip


def _diff_claim(
    row: Sequence[Any],
    aliases: dict[str, str],
    carriers: tuple[PublicationRef, ...] = (),
    outlet: str | None = None,
) -> DiffClaim:
    # _COLUMNS is in DiffClaim's field order, with (subject_name, subject_mention) standing
    # where DiffClaim has its one normalised subject, and the object entity's name where it
    # has that entity's canonical key.
    make: Any = DiffClaim  # positional from a row: too dynamic for the type checker
    head = (*row[:3], outlet or row[3], *row[4:7])
    obj = None if row[-4] is None else subject_key(row[-4], None, aliases)
    subject = subject_key(row[7], row[8], aliases)
    rest = (*row[9:-4], obj, *row[-3:])
    return make(*head, subject, *rest, publications=carriers)  # type: ignore[no-any-return]


def carriers_of(
    session: Session, article_ids: Iterable[int]
) -> dict[int, tuple[PublicationRef, ...]]:
    """Each article's publications, as the diff and the ledger count them."""
    found: dict[int, list[PublicationRef]] = {}
    for article_id, pid, outlet, url in publication_rows(session=session, article_ids=article_ids):
        found.setdefault(article_id, []).append(PublicationRef(pid, outlet, url))
    return {article_id: tuple(refs) for article_id, refs in found.items()}


def _schema_runs(schema_name: str, article_id: int | None = None) -> ColumnElement[bool]:
    """Claims from runs of one schema, plus claims curators added by hand."""
    runs = select(ExtractionRun.id).where(ExtractionRun.schema_name == schema_name)
    if article_id is not None:  # a handful of runs instead of every run in the store
        runs = runs.where(ExtractionRun.article_id == article_id)
    return or_(col(Claim.run_id).in_(runs), col(Claim.run_id).is_(None))


def load_claims(
    session: Session,
    *,
    where: list[ColumnElement[bool]],
    aliases: dict[str, str] | None = None,
    outlet: str | None = None,
    listing: bool = True,
) -> list[DiffClaim]:
    """Active claims under ``where``, with their texts' publications; ``outlet`` names the
    outlet they are seen through (an outlet side), else the article's own stands. With
    ``listing``, which of them are one place of a list (`listed_claims`), as pairing them
    needs; a read that only shows or summarises claims skips that query."""
    aliases = alias_map(session) if aliases is None else aliases
    query = (
        sa_select(*cast(Any, _COLUMNS))
        .join(Article, col(Article.id) == col(Claim.article_id))
        .outerjoin(ObjectEntity, col(ObjectEntity.id) == col(Claim.object_entity_id))
        .where(col(Claim.status) == ClaimStatus.active.value, *where)
    )
    # In id order, sorted here: PostgreSQL would sort an entity's ten thousand wide rows on
    # disk (work_mem), and without the order it joins the articles by hash.
    rows = sorted(session.connection().execute(query).all(), key=itemgetter(0))
    carriers = carriers_of(session, {row[1] for row in rows})
    claims = [_diff_claim(row, aliases, carriers.get(row[1], ()), outlet) for row in rows]
    if not listing:
        return claims
    listed = listed_claims(session, claims)
    return [replace(c, listed=True) if c.id in listed else c for c in claims]


def listed_claims(session: Session, claims: Sequence[DiffClaim]) -> frozenset[int]:
    """Which of these claims are one place of a list their run gives (app.diff.places): read
    from each such run's placed figures, as ``where`` may have left some out."""
    runs = sorted({c.run_id for c in claims if placed(c) and c.run_id is not None})
    by_hand = sorted({c.article_id for c in claims if placed(c) and c.run_id is None})
    if not runs and not by_hand:
        return frozenset()
    query = sa_select(*cast(Any, _PLACED)).where(
        col(Claim.status) == ClaimStatus.active.value,
        col(Claim.quantity_value).is_not(None),
        col(Claim.location).is_not(None),
        col(Claim.fact_kind).is_not(None),
        or_(
            one_of(session, col(Claim.run_id), runs, name="runs"),
            col(Claim.run_id).is_(None)
            & one_of(session, col(Claim.article_id), by_hand, name="articles"),
        ),
    )
    return listed_ids(session.connection().execute(query).all()) & {c.id for c in claims}


# What app.diff.places reads of a stored claim, by the names it reads them by.
_PLACED: tuple[Any, ...] = (
    Claim.id, Claim.article_id, Claim.run_id, col(Claim.quantity_value).label("value"),
    col(Claim.quantity_unit).label("unit"), Claim.unit_kind, Claim.fact_kind, Claim.aspect,
    Claim.time_start, Claim.time_end, Claim.location,
)  # fmt: skip


def side_claims(session: Session, side: Side, *, schema_name: str) -> list[DiffClaim]:
    """The active claims one side of a diff stands for; UnknownSideError if it names nothing."""
    if side.kind == "run":
        if session.get(ExtractionRun, int(side.value)) is None:
            raise UnknownSideError(f"run {side.value} not found")
        return load_claims(session, where=[col(Claim.run_id) == int(side.value)])
    if side.kind == "article":
        if session.get(Article, int(side.value)) is None:
            raise UnknownSideError(f"article {side.value} not found")
        article_id = int(side.value)
        where = [
            col(Claim.article_id) == article_id,
            _schema_runs(schema_name, article_id),
            current_claims(),  # an article extracted again: its latest run (run:N for others)
        ]
        return load_claims(session, where=where)
    # Any article the outlet carries, though another outlet submitted its text first.
    if session.exec(select(Publication.id).where(Publication.outlet == side.value)).first() is None:
        raise UnknownSideError(f"no article from outlet {side.value!r}")
    where = [
        col(Claim.article_id).in_(articles_carried_by(side.value)),
        _schema_runs(schema_name),
        current_claims(),
    ]
    return load_claims(session, where=where, outlet=side.value)


def entity_ids(
    session: Session,
    entity: str,
    entities: list[EntityRow] | None = None,
    aliases: dict[str, str] | None = None,
) -> list[int]:
    """The entities a name stands for: those named, or aliased, as anything that folds to
    the canonical name it stands for."""
    entities = entity_rows(session) if entities is None else entities
    aliases = alias_map(session, entities) if aliases is None else aliases
    canonical = aliases.get(fold_name(entity), fold_name(entity))
    names = {n for n, c in aliases.items() if c == canonical} or {canonical}
    return [
        i
        for i, name, entity_aliases in entities
        if fold_name(name) in names or any(fold_name(a) in names for a in entity_aliases)
    ]


def ledger_claims(
    session: Session,
    *,
    schema_name: str,
    entity: str | None,
    claim_type: str | None,
    date_from: date | None,
    date_to: date | None,
) -> list[DiffClaim]:
    """Claims for the fact ledger, narrowed in SQL first so one entity stays fast."""
    entities = entity_rows(session)
    aliases = alias_map(session, entities)
    where: list[ColumnElement[bool]] = [_schema_runs(schema_name)]
    if claim_type:
        where.append(col(Claim.claim_type) == claim_type)
    if date_from:
        where.append(or_(col(Claim.time_end).is_(None), col(Claim.time_end) >= date_from))
    if date_to:
        where.append(or_(col(Claim.time_start).is_(None), col(Claim.time_start) <= date_to))
    if entity:
        # The ids themselves, not a subquery: PostgreSQL then knows how many claims to expect.
        where.append(col(Claim.entity_id).in_(entity_ids(session, entity, entities, aliases)))
    claims = load_claims(session, where=where, aliases=aliases)
    if entity:
        wanted = aliases.get(fold_name(entity), fold_name(entity))
        claims = [c for c in claims if c.subject == wanted]
    return claims
