"""A stand-in model: an OpenAI-compatible endpoint that answers each article with its gold claims.

factdiff is pointed at it with FACTDIFF_LLM_BASE_URL, so every figure of the evaluation comes
through the real path (prompt, instructor, grounding, storage, diff) with a model that is right
about every claim and words them as the chosen gold wording does. The article is found by its
text in the prompt; a chunk of a longer article gets the gold claims whose evidence it holds.
Each claim is cut to the fields the request's schema has, so one gold file serves
news_claims@v1 and @v2 alike. Answers go in the envelope of the request's instructor mode.
"""

from __future__ import annotations

import json
import re
import socket
import threading
import time
import unicodedata
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from starlette.types import ASGIApp

from app.eval.gold import GoldStory, Wording
from app.llm.replay import article_from_request, completion_from_answer

_SCHEMA_IN_PROMPT = re.compile(r"json_schema:\s*", re.IGNORECASE)


def _normal(text: str) -> str:
    """Text as compared: NFC, runs of whitespace as one space (the service may re-wrap)."""
    return " ".join(unicodedata.normalize("NFC", text).split())


class GoldAnswers:
    """Article text -> the gold claims it is answered with, in one wording."""

    def __init__(self, stories: Sequence[GoldStory], wording: Wording) -> None:
        self.wording = wording
        self.articles: list[tuple[str, list[dict[str, Any]]]] = []
        for story in stories:
            for article in story.articles:
                claims = story.claims_of(wording, article.key)
                for claim in claims:
                    claim.pop("id", None)
                self.articles.append((_normal(article.text), claims))

    def claims_for(self, text: str) -> list[dict[str, Any]] | None:
        """The gold claims of the article, or of the chunk, ``text``; None for unknown text."""
        chunk = _normal(text)
        for article, claims in self.articles:
            if article == chunk:
                return claims
        for article, claims in self.articles:
            if chunk and chunk in article:
                return [c for c in claims if _normal(str(c.get("evidence"))) in chunk]
        return None


def prune(value: Any, schema: dict[str, Any] | None, root: dict[str, Any]) -> Any:
    """``value`` cut to what the JSON schema allows: object keys it does not list are dropped."""
    # A number or a string is never cut (most of an answer's values; walking their schemas
    # was most of a simulated LLM call).
    if not isinstance(value, dict | list) or not isinstance(schema, dict):
        return value
    if ref := schema.get("$ref"):
        target: Any = root
        for part in str(ref).removeprefix("#/").split("/"):
            target = target.get(part, {}) if isinstance(target, dict) else {}
        return prune(value, target, root)
    for key in ("anyOf", "oneOf", "allOf"):
        if key in schema:
            options = [o for o in schema[key] if isinstance(o, dict) and o.get("type") != "null"]
            fitting = [o for o in options if _kind_fits(value, o, root)]
            chosen = fitting or options
            return prune(value, chosen[0], root) if chosen else value
    if isinstance(value, dict) and "properties" in schema:
        props = schema["properties"]
        return {k: prune(v, props[k], root) for k, v in value.items() if k in props}
    if isinstance(value, list) and isinstance(schema.get("items"), dict):
        return [prune(v, schema["items"], root) for v in value]
    return value


def _kind_fits(value: Any, schema: dict[str, Any], root: dict[str, Any]) -> bool:
    if "$ref" in schema:
        return isinstance(value, dict)
    kind = schema.get("type")
    return {"object": isinstance(value, dict), "array": isinstance(value, list)}.get(
        str(kind), not isinstance(value, dict | list)
    )


def request_schema(body: dict[str, Any]) -> dict[str, Any] | None:
    """The response schema a request carries: its tool, its response_format, or (json and
    md_json modes) the JSON schema written into the system prompt."""
    tools = body.get("tools") or []
    if tools:
        parameters = tools[0].get("function", {}).get("parameters")
        return parameters if isinstance(parameters, dict) else None
    response_format = body.get("response_format") or {}
    schema = (response_format.get("json_schema") or {}).get("schema")
    if isinstance(schema, dict):
        return schema
    for message in body.get("messages") or []:
        content = str(message.get("content") or "")
        if message.get("role") == "system" and (found := _SCHEMA_IN_PROMPT.search(content)):
            try:
                embedded, _ = json.JSONDecoder().raw_decode(content[found.end() :])
            except ValueError:
                return None
            return embedded if isinstance(embedded, dict) else None
    return None


def create_app(answers: GoldAnswers) -> FastAPI:
    app = FastAPI(title=f"factdiff stand-in model ({answers.wording} gold claims)")
    stats: Counter[str] = Counter()

    @app.post("/v1/chat/completions")
    async def chat_completions(request: Request) -> JSONResponse:
        stats["requests"] += 1
        try:
            body = await request.json()
        except ValueError:
            body = None
        if not isinstance(body, dict) or body.get("stream"):
            message = "expected a non-streaming chat completion request as a JSON object"
            error = {"message": message, "type": "invalid_request_error"}
            return JSONResponse({"error": error}, status_code=400)
        claims = answers.claims_for(article_from_request(body))
        if claims is None:
            stats["unknown_articles"] += 1
            claims = []  # an article the gold lacks: nothing to say about it
        schema = request_schema(body)
        answer = prune({"claims": claims}, schema, schema or {})
        payload = completion_from_answer(answer, None, body)
        stats["prompt_tokens"] += payload["usage"]["prompt_tokens"]
        stats["completion_tokens"] += payload["usage"]["completion_tokens"]
        return JSONResponse(payload)

    @app.get("/v1/models")
    async def models() -> dict[str, Any]:
        data = [{"id": "stand-in", "object": "model", "created": 0, "owned_by": "factdiff"}]
        return {"object": "list", "data": data}

    @app.get("/stats")
    async def read_stats() -> dict[str, int]:
        keys = ("requests", "unknown_articles", "prompt_tokens", "completion_tokens")
        return {key: stats[key] for key in keys}

    return app


@contextmanager
def serve_in_thread(
    app: ASGIApp, port: int = 0, *, name: str = "the stand-in model"
) -> Iterator[str]:
    """Serve ``app`` on 127.0.0.1 (a free port unless given) in a thread; yield its base URL."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", port))  # bound here and handed over: no race for the port
    port = sock.getsockname()[1]
    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    try:
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"{name} failed to start")
            time.sleep(0.01)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
