"""Compare sources: the diff of two sides (articles, runs, outlets) and the fact ledger.

What a side stands for is loaded by app.services.diff_sources; the comparing itself is the pure
app.diff. A side that cannot be read is ServiceError(invalid), one naming nothing not_found.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlmodel import Session

from app.diff.align import diff_claims
from app.diff.ledger import Fact, build_ledger
from app.diff.types import DiffResult
from app.services.diff_sources import ledger_claims, parse_side, side_claims
from app.services.source_warnings import ledger_warnings as ledger_warnings
from app.services.source_warnings import side_warnings


@dataclass(frozen=True)
class SourceDiff:
    result: DiffResult
    left_label: str
    right_label: str
    # A side with no successful extraction or no claims, in words (source_warnings).
    warnings: list[str] = field(default_factory=list)


def diff_sources(session: Session, *, left: str, right: str, schema_name: str) -> SourceDiff:
    """Align and compare the active claims of two sides, e.g. ``article:3`` and ``outlet:X``."""
    sides = parse_side(left), parse_side(right)
    claims = [side_claims(session, s, schema_name=schema_name) for s in sides]
    warnings = [
        line
        for side, found in zip(sides, claims, strict=True)
        for line in side_warnings(session, side, schema_name=schema_name, claims=found)
    ]
    return SourceDiff(
        diff_claims(claims[0], claims[1]), sides[0].label, sides[1].label, warnings=warnings
    )


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
) -> list[Fact]:
    """Claims from every source clustered by fact, conflicts kept alone when asked."""
    claims = ledger_claims(
        session,
        schema_name=schema_name,
        entity=entity,
        claim_type=claim_type,
        date_from=date_from,
        date_to=date_to,
    )
    ledger = build_ledger(claims)
    if conflicts_only:
        ledger = [f for f in ledger if f.status == "conflict"]
    return ledger[:limit] if limit is not None else ledger
