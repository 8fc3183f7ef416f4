"""Daily token budget per API key: refused before anything is stored or sent to the LLM."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, func, select

from app.api.errors import STATUS
from app.core.config import ApiKey, ApiKeyScope, Settings
from app.services.errors import ServiceError
from app.services.quota import check_daily_budget, tokens_today
from app.store.models import Article, ExtractionRun, RunStatus, utcnow
from schemas import get_schema
from tests.app.api.test_auth import WRITE_KEY, bearer
from tests.conftest import ClientFactory, load_article

DESK_KEY = "desk-write-0123456789abcdef"


def budgeted(daily_tokens: int) -> Settings:
    keys = [
        ApiKey(name="newsroom", key=WRITE_KEY, scope=ApiKeyScope.write, daily_tokens=daily_tokens),
        ApiKey(name="desk", key=DESK_KEY, scope=ApiKeyScope.write),
    ]
    return Settings(llm_mode="replay", database_url="sqlite://", _env_file=None, api_keys=keys)


def count(engine: Engine, model: type[Article] | type[ExtractionRun]) -> int:
    with Session(engine) as session:
        return session.exec(select(func.count()).select_from(model)).one()


def add_run(session: Session, key_name: str | None, tokens: int, created_at: datetime) -> None:
    """A finished run of a throwaway article that spent ``tokens``."""
    article = Article(content_hash=f"{key_name}-{created_at.isoformat()}"[:64], text="x")
    session.add(article)
    session.flush()
    assert article.id is not None
    session.add(
        ExtractionRun(
            article_id=article.id,
            cache_key=article.content_hash,
            schema_name="news_claims",
            schema_version="1",
            prompt_version="p",
            model="m",
            endpoint="e",
            llm_mode="replay",
            instructor_mode="tools",
            status=RunStatus.succeeded,
            prompt_tokens=tokens - tokens // 4,
            completion_tokens=tokens // 4,
            api_key_name=key_name,
            created_at=created_at,
        )
    )
    session.commit()


def test_spent_budget_refuses_new_articles_but_not_reused_ones(
    make_client: ClientFactory, engine: Engine
) -> None:
    client = make_client(budgeted(daily_tokens=1))
    first = client.post(
        "/articles", json=load_article("kenya-haiti-270"), headers=bearer(WRITE_KEY)
    )
    assert first.status_code == 201, first.text
    used = first.json()["run"]["total_tokens"]
    assert used > 1

    again = client.post(
        "/articles", json=load_article("kenya-haiti-270"), headers=bearer(WRITE_KEY)
    )
    assert (again.status_code, again.json()["reused"]) == (201, True)

    refused = client.post(
        "/articles", json=load_article("kenya-haiti-217"), headers=bearer(WRITE_KEY)
    )
    assert refused.status_code == 429
    assert refused.json() == {
        "detail": f"daily token budget of 1 spent for key 'newsroom' ({used} used today); "
        "it resets at 00:00 UTC",
        "reason": "quota_exhausted",
    }
    assert 1 <= int(refused.headers["Retry-After"]) <= 86_400
    assert (count(engine, Article), count(engine, ExtractionRun)) == (1, 1)

    # Another key's spend is its own.
    other = client.post("/articles", json=load_article("kenya-haiti-217"), headers=bearer(DESK_KEY))
    assert other.status_code == 201, other.text


def test_only_todays_runs_of_the_key_count(
    make_client: ClientFactory, engine: Engine, session: Session
) -> None:
    now = utcnow()
    add_run(session, "newsroom", 900, now - timedelta(days=1))
    add_run(session, "desk", 5_000, now)
    add_run(session, None, 5_000, now)
    add_run(session, "newsroom", 400, now)
    assert tokens_today(session, "newsroom", now) == 400

    client = make_client(budgeted(daily_tokens=1_000))
    response = client.post(
        "/articles", json=load_article("kenya-haiti-270"), headers=bearer(WRITE_KEY)
    )
    assert response.status_code == 201, response.text


NEWS = get_schema("news_claims")


def test_retry_after_runs_to_midnight_utc(session: Session) -> None:
    key = ApiKey(name="newsroom", key=WRITE_KEY, daily_tokens=1_000)
    now = datetime(2025, 1, 18, 23, 59, 30, tzinfo=UTC)
    add_run(session, "newsroom", 1_000, datetime(2025, 1, 18, 0, 0, tzinfo=UTC))
    add_run(session, "newsroom", 7_000, datetime(2025, 1, 17, 23, 59, 59, tzinfo=UTC))
    settings = Settings(llm_mode="replay", _env_file=None)

    with pytest.raises(ServiceError) as refused:
        check_daily_budget(
            session=session, key=key, text="new text", schema=NEWS, settings=settings, now=now
        )
    assert STATUS[refused.value.kind] == 429
    assert refused.value.message == (
        "daily token budget of 1000 spent for key 'newsroom' (1000 used today); "
        "it resets at 00:00 UTC"
    )
    assert refused.value.retry_after_s == 30
    # Just after midnight the budget is whole again.
    check_daily_budget(
        session=session,
        key=key,
        text="new text",
        schema=NEWS,
        settings=settings,
        now=datetime(2025, 1, 19, 0, 0, 1, tzinfo=UTC),
    )
