"""Stored facts: claims from every source that state the same fact, kept as a cluster.

A claim is assigned to a fact when it is stored (app.services.facts), by the same single pass
the ledger used to run at query time (app.diff.clustering.assign_to_clusters), so the ledger reads
clusters instead of recomputing them. Curators merge two facts or split a claim out of one;
each change is audited in ``fact_audit``.

Each fact also keeps its summary (status, values, counts, the sources the ledger shows), made
from its current claims by app.services.fact_summaries, so the ledger reads fact rows instead
of every claim of a story. ``revision`` counts changes to the fact's claims; the summary is
stale while ``summary_revision`` is behind it.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, DateTime, Index, Text, text
from sqlmodel import Field, SQLModel


def utcnow() -> datetime:
    return datetime.now(UTC)


def empty_list() -> list[Any]:
    """A new empty list, as ``list`` makes one: pydantic reads a default factory's signature
    at every construction, and a builtin's is parsed from text, 1.4 ms of the 1.6 ms that
    making a Fact took (assignment makes one per new fact)."""
    return []


class Fact(SQLModel, table=True):
    __table_args__ = (
        Index("ix_fact_block", "schema_name", "block", "family"),
        # The facts whose summaries are stale: a reader's check for them is one seek.
        Index(
            "ix_fact_stale",
            "id",
            sqlite_where=text("summary_revision < revision"),
            postgresql_where=text("summary_revision < revision"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    schema_name: str = Field(max_length=100)
    # The block the ledger clusters in (app.diff.ledger.block_key): the canonical subject
    # (folded, aliases applied), and the family of the figure's unit ("" without a figure).
    block: str = Field(max_length=200)
    family: str = Field(default="", max_length=60)
    label: str = Field(sa_column=Column(Text, nullable=False))  # subject · predicate · object
    # Its first claims by id (leader first, app.diff.clustering.EXEMPLARS of them): what a new
    # claim is compared with, so assignment never reads the rest of a busy fact.
    exemplars: list[int] = Field(default_factory=empty_list, sa_column=Column(JSON, nullable=False))
    # Set when a curator merged this fact into another; its claims moved there.
    merged_into_id: int | None = Field(default=None, foreign_key="fact.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=DateTime(timezone=True))
    updated_at: datetime = Field(default_factory=utcnow, sa_type=DateTime(timezone=True))
    # The summary, as app.diff.ledger.summarise makes it from the current claims (each
    # article's latest successful run, and claims curators added).
    revision: int = Field(default=1)
    summary_revision: int = Field(default=0)
    claim_count: int = Field(default=0)  # 0: no current claim, the ledger leaves it out
    status: str = Field(default="single", max_length=20)
    key: str = Field(default="", max_length=400)
    subject: str = Field(default="", max_length=300)
    claim_type: str = Field(default="", max_length=40)
    headline: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    explanation: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    values: list[str] = Field(default_factory=empty_list, sa_column=Column(JSON, nullable=False))
    outlets: list[str] = Field(default_factory=empty_list, sa_column=Column(JSON, nullable=False))
    source_count: int = Field(default=0)
    article_count: int = Field(default=0)
    publication_count: int = Field(default=0)
    # Claim ids the ledger shows (the first of each value first), and the timeline's steps.
    shown: list[int] = Field(default_factory=empty_list, sa_column=Column(JSON, nullable=False))
    steps: list[int] = Field(default_factory=empty_list, sa_column=Column(JSON, nullable=False))
    # Its claims' time window, for the ledger's date filters: None when a claim is undated.
    time_start: date | None = None
    time_end: date | None = None


class FactEntity(SQLModel, table=True):
    """The entities a fact's current claims are about: how the ledger finds a story's facts."""

    __tablename__ = "fact_entity"
    __table_args__ = (Index("ix_fact_entity_entity", "entity_id", "fact_id"),)

    fact_id: int = Field(foreign_key="fact.id", primary_key=True)
    entity_id: int = Field(foreign_key="entity.id", primary_key=True)


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
