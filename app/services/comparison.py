"""Compare sources: the diff of two sides (articles, runs, outlets) and the fact ledger.

What a side stands for is loaded by app.services.diff_sources; the comparing itself is the pure
app.diff. A side that cannot be read is ServiceError(invalid), one naming nothing not_found.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlmodel import Session, col

from app.diff.align import diff_claims
from app.diff.ledger import Fact, stored_fact
from app.diff.types import DiffResult
from app.services import fact_summaries, facts
from app.services.adjudication import settle
from app.services.adjudicator import Adjudicator
from app.services.diff_sources import load_claims, parse_side, side_claims
from app.services.errors import ErrorKind, ServiceError
from app.services.fact_claims import linked_through_third_sources
from app.services.fact_summaries import LedgerFilter, SummarisedFact
from app.services.source_warnings import ledger_warnings as ledger_warnings
from app.services.source_warnings import side_warnings
from app.store.fact_models import Fact as StoredFact
from app.store.fact_revisions import current_claims
from app.store.models import Claim


@dataclass(frozen=True)
class SourceDiff:
    result: DiffResult
    left_label: str
    right_label: str
    # A side with no successful extraction or no claims, in words (source_warnings).
    warnings: list[str] = field(default_factory=list)


def diff_sources(
    session: Session,
    *,
    left: str,
    right: str,
    schema_name: str,
    adjudicator: Adjudicator | None = None,
) -> SourceDiff:
    """Align and compare the active claims of two sides, e.g. ``article:3`` and ``outlet:X``.

    Claims are assigned to facts first: two claims of one fact pair, and a claim a curator split
    out pairs with no claim of another fact, so merges and splits show in the diff as in the
    ledger. A pair left undecided that a claim of a third article matches on both sides is made
    (app.diff.bridges), the third source looked for in the two claims' stored facts. With an
    ``adjudicator`` (FACTDIFF_ADJUDICATOR=llm), the pairs the diff leaves
    undecided are put to it (app.services.adjudication); what it could not judge is warned of.
    """
    sides = parse_side(left), parse_side(right)
    facts.assign_pending(session.get_bind(), default_schema=schema_name)
    claims = [side_claims(session, s, schema_name=schema_name) for s in sides]
    warnings = [
        line
        for side, found in zip(sides, claims, strict=True)
        for line in side_warnings(session, side, schema_name=schema_name, claims=found)
    ]
    result = diff_claims(
        claims[0],
        claims[1],
        split_facts=facts.split_facts(session),
        merged_facts=facts.merged_facts(session),
        with_untied=adjudicator is not None,
    )
    result = linked_through_third_sources(session, result)
    if adjudicator is not None:
        result, unjudged = settle(session, result, adjudicator)
        warnings += unjudged
    return SourceDiff(result, sides[0].label, sides[1].label, warnings=warnings)


def fact_ledger(
    session: Session,
    *,
    schema_name: str,
    entity: str | None = None,
    claim_type: str | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    conflicts_only: bool = False,
    limit: int | None = None,
    offset: int = 0,
    with_steps: bool = False,
    sources: int = fact_summaries.SOURCES_SHOWN,
) -> list[SummarisedFact]:
    """A page of the stored facts with a current claim under the filters, read from their
    summaries: only the sources each shows are loaded, not every claim of the story.

    A fact is listed whole when one of its claims is about the entity; its claim type is its
    claims' most common one, and its time window is all its claims'. Claims stored since the
    last assignment are assigned first, and facts changed since their summary summarised
    again, so the ledger is never behind what was stored.
    """
    ready(session, schema_name=schema_name)
    wanted = LedgerFilter(schema_name, entity, claim_type, date_from, date_to, conflicts_only)
    return fact_summaries.read_summaries(
        session, wanted, limit=limit, offset=offset, with_steps=with_steps, sources=sources
    )


def ready(session: Session, *, schema_name: str) -> None:
    """Assign what is pending, then summarise what changed: before reading summaries."""
    engine = session.get_bind()
    facts.assign_pending(engine, default_schema=schema_name)
    fact_summaries.refresh_stale(engine)


def read_fact(session: Session, fact_id: int) -> Fact:
    """One stored fact with its active claims; a merged fact answers as the one it went into."""
    stored = session.get(StoredFact, fact_id)
    seen = {fact_id}
    while stored is not None and stored.merged_into_id is not None:
        if stored.merged_into_id in seen:  # never made by merge_facts; guards a hand-edited row
            break
        seen.add(stored.merged_into_id)
        stored = session.get(StoredFact, stored.merged_into_id)
    if stored is None or stored.id is None:
        raise ServiceError(ErrorKind.not_found, f"fact {fact_id} not found")
    current = [col(Claim.fact_id) == stored.id, current_claims()]
    claims = load_claims(session, where=current, listing=False)
    if not claims:
        raise ServiceError(
            ErrorKind.not_found, f"fact {fact_id} has no active claim: they were retracted"
        )
    return stored_fact(claims, fact_id=stored.id)
