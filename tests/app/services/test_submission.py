"""The submit use case called directly, as a page or command would: outcomes and domain errors."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, func, select

from app.core.config import Settings
from app.ingest.fetch import Fetcher
from app.llm.client import build_client
from app.services.errors import ErrorKind, ServiceError
from app.services.submission import submit_article
from app.store.models import Article, ArticleCreate, ExtractionRun
from tests.conftest import load_article


async def submit(
    engine: Engine, settings: Settings, body: dict[str, object], *, wait: bool = True
) -> object:
    return await submit_article(
        article_in=ArticleCreate.model_validate(body),
        engine=engine,
        settings=settings,
        llm=build_client(settings),
        fetcher=Fetcher.from_settings(settings),
        caller=None,
        wait=wait,
    )


def stored(engine: Engine) -> tuple[int, int]:
    with Session(engine) as session:
        articles = session.exec(select(func.count()).select_from(Article)).one()
        runs = session.exec(select(func.count()).select_from(ExtractionRun)).one()
    return articles, runs


async def test_the_217_article_is_extracted_then_reused(engine: Engine, settings: Settings):
    body = load_article("kenya-haiti-217")
    first = await submit(engine, settings, body)
    again = await submit(engine, settings, body)

    assert first.finished and not first.reused
    assert again.reused and again.run.id == first.run.id
    assert first.article.outlet == "Harbor Wire"
    assert stored(engine) == (1, 1)


async def test_queued_without_waiting_calls_back(engine: Engine, settings: Settings):
    woken: list[bool] = []
    done = await submit_article(
        article_in=ArticleCreate.model_validate(load_article("kenya-haiti-270")),
        engine=engine,
        settings=settings,
        llm=build_client(settings),
        fetcher=Fetcher.from_settings(settings),
        caller=None,
        wait=False,
        on_queued=lambda: woken.append(True),
    )
    assert woken == [True]
    assert done.run.status == "queued" and not done.finished


@pytest.mark.parametrize(
    ("changes", "kind", "message"),
    [
        ({"schema": "nope"}, ErrorKind.invalid, "unknown schema 'nope'"),
        ({"text": "x" * 60}, ErrorKind.too_large, "article text is 60 characters; the limit is 50"),
    ],
)
async def test_refusals_store_nothing(
    engine: Engine, changes: dict[str, object], kind: ErrorKind, message: str
):
    settings = Settings(llm_mode="replay", max_article_chars=50, _env_file=None)
    body = {"text": "Kenya sent 217 officers.", "outlet": "Example Daily", **changes}
    with pytest.raises(ServiceError) as refused:
        await submit(engine, settings, body)
    assert refused.value.kind == kind
    assert refused.value.message.startswith(message)
    assert stored(engine) == (0, 0)


async def test_no_fixture_is_unavailable_with_the_run(engine: Engine, settings: Settings):
    body = {"text": "A text no fixture answers: 12 boats sailed.", "outlet": "Example Daily"}
    with pytest.raises(ServiceError) as failed:
        await submit(engine, settings, body)
    assert failed.value.kind == ErrorKind.unavailable
    assert failed.value.detail is not None
    assert failed.value.detail["reason"] == "llm_unavailable"
    assert failed.value.detail["article_id"] == 1
    assert failed.value.detail["run_id"] == 1
