"""Collect what a running factdiff makes of the gold articles, over its public HTTP API.

Each article is submitted (POST /articles, the run polled if it outlasts the request), then its
stored text, its run's claims and rejections are read, and every two articles of a story are
diffed (GET /diff). Nothing here scores: app.eval.score does, from what this returns.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from dataclasses import dataclass
from typing import Any

import httpx

from app.eval.answers import (
    ArticleAnswer,
    ClaimsAnswer,
    DiffAnswer,
    Extraction,
    Health,
    Model,
    RejectionsAnswer,
    RunAnswer,
    UnexpectedAnswerError,
    read,
)
from app.eval.gold import GoldStory
from app.eval.score import ArticleOutcome, StoryOutcome

TERMINAL = frozenset({"succeeded", "failed"})


class ServiceError(RuntimeError):
    """The service cannot be reached, or refuses the evaluation as a whole (auth, schema)."""


@dataclass
class ServiceOptions:
    server: str
    api_key: str | None = None
    schema: str | None = None
    concurrency: int = 4
    timeout_s: float = 600.0  # one article, submission to a finished run
    poll_s: float = 0.5


class _Service:
    def __init__(self, client: httpx.AsyncClient, options: ServiceOptions) -> None:
        self.client, self.options = client, options

    async def get(self, model: type[Model], path: str, **params: Any) -> Model:
        response = await self._send("GET", path, params=params or None)
        if response.status_code != 200:
            raise ServiceError(f"GET {path}: {response.status_code} {_detail(response)}")
        return self._read(model, response, f"GET {path}")

    @staticmethod
    def _read(model: type[Model], response: httpx.Response, what: str) -> Model:
        try:
            return read(model, response, what)
        except UnexpectedAnswerError as exc:
            raise ServiceError(str(exc)) from exc

    async def _send(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        try:
            response = await self.client.request(method, path, **kwargs)
        except httpx.HTTPError as exc:
            raise ServiceError(f"cannot reach {self.options.server}: {exc}") from exc
        if response.status_code in (401, 403):
            raise ServiceError(
                f"{method} {path}: {response.status_code} {_detail(response)} "
                "(pass --api-key or set FACTDIFF_API_KEY; submitting needs a write key)"
            )
        return response

    async def article(self, key: str, body: dict[str, Any]) -> ArticleOutcome:
        outcome = ArticleOutcome(key)
        if self.options.schema:
            body = {**body, "schema": self.options.schema}
        response = await self._send("POST", "/articles", json=body)
        if response.status_code == 400 and "schema" in str(_detail(response)).lower():
            raise ServiceError(f"POST /articles: 400 {_detail(response)}")
        if response.status_code not in (200, 201, 202):
            outcome.error = f"POST /articles: {response.status_code} {_detail(response)}"
            detail = _json(response).get("detail")
            if isinstance(detail, dict) and isinstance(detail.get("article_id"), int):
                outcome.article_id = detail["article_id"]
            return outcome
        extraction = self._read(Extraction, response, "POST /articles")
        outcome.article_id, outcome.reused = extraction.article.id, extraction.reused
        run = extraction.run
        deadline = time.monotonic() + self.options.timeout_s
        while run.status not in TERMINAL:
            if time.monotonic() > deadline:
                outcome.error = f"run {run.id} still {run.status} after the timeout"
                return outcome
            await asyncio.sleep(self.options.poll_s)
            run = await self.get(RunAnswer, f"/runs/{run.id}")
        outcome.run = run.model_dump()
        if run.status == "failed":
            outcome.error = f"run {run.id} failed: {run.error_reason}: {run.error}"
        outcome.text = (await self.get(ArticleAnswer, f"/articles/{outcome.article_id}")).text
        claims = await self.get(ClaimsAnswer, f"/articles/{outcome.article_id}/claims")
        outcome.claims = [c.model_dump() for c in claims.data if c.run_id == run.id]
        rejected = await self.get(RejectionsAnswer, f"/runs/{run.id}/rejected")
        outcome.rejected = [r.model_dump() for r in rejected.data]
        return outcome

    async def diff(
        self, left: int, right: int
    ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """The pairs the diff made, and those it offered to check."""
        params = {"left": f"article:{left}", "right": f"article:{right}"}
        if self.options.schema:
            params["schema"] = self.options.schema.split("@")[0]
        answer = await self.get(DiffAnswer, "/diff", **params)
        return [p.model_dump() for p in answer.pairs], [p.model_dump() for p in answer.undecided]


async def collect(stories: list[GoldStory], options: ServiceOptions) -> list[StoryOutcome]:
    """Submit every story's articles, a few at a time, then diff each story's article pairs."""
    headers = {"Authorization": f"Bearer {options.api_key}"} if options.api_key else {}
    limits = asyncio.Semaphore(options.concurrency)
    timeout = httpx.Timeout(options.timeout_s, connect=10.0)
    base = options.server.rstrip("/")
    async with httpx.AsyncClient(base_url=base, headers=headers, timeout=timeout) as client:
        service = _Service(client, options)

        async def one(key: str, body: dict[str, Any]) -> ArticleOutcome:
            async with limits:
                return await service.article(key, body)

        submitted = await asyncio.gather(
            *(
                asyncio.gather(*(one(a.key, a.payload()) for a in story.articles))
                for story in stories
            )
        )
        outcomes: list[StoryOutcome] = []
        for story, articles in zip(stories, submitted, strict=True):
            by_key = {a.key: a for a in articles}
            diffs: dict[tuple[str, str], list[dict[str, Any]]] = {}
            offered: dict[tuple[str, str], list[dict[str, Any]]] = {}
            for left, right in itertools.combinations(story.articles, 2):
                ids = by_key[left.key].article_id, by_key[right.key].article_id
                if ids[0] is not None and ids[1] is not None:
                    key = (left.key, right.key)
                    diffs[key], offered[key] = await service.diff(ids[0], ids[1])
            outcomes.append(StoryOutcome(story.story, by_key, diffs, offered))
        return outcomes


async def health(options: ServiceOptions) -> dict[str, Any]:
    """GET /healthz: which model and LLM mode the figures come from."""
    async with httpx.AsyncClient(base_url=options.server.rstrip("/"), timeout=10.0) as client:
        return (await _Service(client, options).get(Health, "/healthz")).model_dump()


def _json(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def _detail(response: httpx.Response) -> Any:
    return _json(response).get("detail") or response.text[:200]
