"""Stored facts: claims from every source that state the same fact, kept as a cluster.

A claim is assigned to a fact when it is stored (app.services.facts), by the same single pass
the ledger used to run at query time (app.diff.ledger.assign_to_clusters), so the ledger reads
clusters instead of recomputing them. Curators merge two facts or split a claim out of one;
each change is audited in ``fact_audit``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum

from sqlalchemy import JSON, Column, DateTime, Index, Text
from sqlmodel import Field, SQLModel


def utcnow() -> datetime:
    return datetime.now(UTC)


class Fact(SQLModel, table=True):
    __table_args__ = (Index("ix_fact_block", "schema_name", "block", "family"),)

    id: int | None = Field(default=None, primary_key=True)
    schema_name: str = Field(max_length=100)
    # The block the ledger clusters in (app.diff.ledger.block_key): the canonical subject
    # (folded, aliases applied), and the family of the figure's unit ("" without a figure).
    block: str = Field(max_length=200)
    family: str = Field(default="", max_length=60)
    label: str = Field(sa_column=Column(Text, nullable=False))  # subject · predicate · object
    # Its first claims by id (leader first, app.diff.ledger.EXEMPLARS of them): what a new
    # claim is compared with, so assignment never reads the rest of a busy fact.
    exemplars: list[int] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    # Set when a curator merged this fact into another; its claims moved there.
    merged_into_id: int | None = Field(default=None, foreign_key="fact.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=DateTime(timezone=True))
    updated_at: datetime = Field(default_factory=utcnow, sa_type=DateTime(timezone=True))


class FactAction(StrEnum):
    merged = "merged"  # another fact's claims moved into this one
    split_out = "split"  # a claim moved out of this fact into a new one


class FactAudit(SQLModel, table=True):
    """Who merged or split a fact, when and why."""

    __tablename__ = "fact_audit"

    id: int | None = Field(default=None, primary_key=True)
    fact_id: int = Field(foreign_key="fact.id", index=True)
    action: str = Field(max_length=20)
    # merged: the fact that was merged in; split: the new fact the claim went to.
    other_fact_id: int | None = Field(default=None, foreign_key="fact.id")
    claim_id: int | None = Field(default=None, foreign_key="claim.id")  # split: the claim
    actor: str = Field(max_length=200)
    reason: str = Field(sa_column=Column(Text, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_type=DateTime(timezone=True))
