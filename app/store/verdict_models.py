"""The adjudicator's verdicts on pairs the diff left undecided, kept so a pair is asked once.

A verdict is keyed by the pair's content hash (app.services.adjudication.pair_hash): both
claims' content as the prompt shows it, the model, and the prompt version. A claim corrected,
another model or a new prompt is another pair, asked again.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Column, DateTime, Text
from sqlmodel import Field, SQLModel


def utcnow() -> datetime:
    return datetime.now(UTC)


class PairVerdictRow(SQLModel, table=True):
    __tablename__ = "pair_verdict"

    id: int | None = Field(default=None, primary_key=True)
    pair_hash: str = Field(max_length=64, unique=True)  # sha256, hex
    model: str = Field(max_length=200)
    prompt: str = Field(max_length=100)  # e.g. adjudicate_pair/v1
    same_fact: bool
    relation: str = Field(max_length=20)
    reason: str = Field(sa_column=Column(Text, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_type=DateTime(timezone=True))
