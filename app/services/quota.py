"""Daily token budget per API key: refuse new extractions once a key's budget is spent.

A key's spend today is the prompt and completion tokens of the runs it caused that were
created today (UTC). The check runs before anything is stored or sent to the LLM; an article
whose stored run would be reused costs nothing and is never refused. The budget is soft: runs
still in flight have not reported their tokens yet, so a burst may overshoot it.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

from sqlmodel import Session, col, func, select

from app.core.config import ApiKey, Settings
from app.services.errors import ErrorKind, ServiceError
from app.store import crud
from app.store.models import ExtractionRun, RunStatus, utcnow
from schemas import ExtractionSchema


def start_of_day(now: datetime) -> datetime:
    return now.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)


def tokens_today(session: Session, key_name: str, now: datetime) -> int:
    spent = func.sum(col(ExtractionRun.prompt_tokens) + col(ExtractionRun.completion_tokens))
    total = session.exec(
        select(func.coalesce(spent, 0)).where(
            ExtractionRun.api_key_name == key_name,
            col(ExtractionRun.created_at) >= start_of_day(now),
        )
    ).one()
    return int(total)


def would_reuse(session: Session, text: str, schema: ExtractionSchema, settings: Settings) -> bool:
    """Whether submitting this text reuses a stored run, as crud.get_or_create_run would."""
    key = crud.run_cache_key(
        article_hash=crud.content_hash(text), schema=schema, model=settings.llm_model
    )
    run = session.exec(select(ExtractionRun).where(ExtractionRun.cache_key == key)).first()
    return run is not None and run.status != RunStatus.failed


def check_daily_budget(
    *,
    session: Session,
    key: ApiKey | None,
    text: str,
    schema: ExtractionSchema,
    settings: Settings,
    now: datetime | None = None,
) -> None:
    """Refuse (quota_exhausted) when the key's budget is spent and the article needs the LLM."""
    if key is None or key.daily_tokens is None:
        return
    if would_reuse(session, text, schema, settings):
        return
    now = now or utcnow()
    used = tokens_today(session, key.name, now)
    if used < key.daily_tokens:
        return
    until_midnight = start_of_day(now) + timedelta(days=1) - now.astimezone(UTC)
    raise ServiceError(
        ErrorKind.quota_exhausted,
        f"daily token budget of {key.daily_tokens} spent for key {key.name!r} "
        f"({used} used today); it resets at 00:00 UTC",
        retry_after_s=max(1, math.ceil(until_midnight.total_seconds())),
    )
