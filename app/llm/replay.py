"""Offline LLM fixtures: an httpx transport that answers chat completions from fixtures/.

It sits under the openai client, so replay runs the same openai + instructor code path as a
live call. A fixture is found by the article as presented (the user message) and must match
the model, the system message and the response schema of the request: a changed prompt,
schema or model fails with the name of the fixture to refresh instead of reusing it.

Fixture file::

    {"provenance": {"kind": "authored" | "recorded", ...},
     "article": "fixtures/articles/x.json",          # authored only: what it was written for
     "key": {"model", "system_sha256", "schema_sha256", "user_sha256", "tool"},
     "exchanges": [{"attempt": 1, "answer": {...}, "usage": {...}}   # authored
                   {"attempt": 1, "response": {...chat.completion...}}]}  # recorded

Attempt n is the request carrying n-1 earlier assistant turns (instructor's re-asks).

Past 300 lines on purpose: replay, record and stamp share the fixture key and its lookup,
and reading an article back out of a request belongs with them.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

FIXTURE_HEADER = "x-factdiff-fixture"


def _sha(value: Any) -> str:
    data = value if isinstance(value, str) else json.dumps(value, sort_keys=True)
    return hashlib.sha256(data.encode()).hexdigest()


@dataclass(frozen=True)
class FixtureKey:
    model: str
    system_sha256: str
    schema_sha256: str
    user_sha256: str
    tool: str | None

    def differences(self, other: FixtureKey) -> list[str]:
        labels = {
            "model": "model",
            "system_sha256": "system prompt",
            "schema_sha256": "response schema",
            "user_sha256": "article",
            "tool": "schema name",
        }
        return [
            label for name, label in labels.items() if getattr(self, name) != getattr(other, name)
        ]


@dataclass(frozen=True)
class ParsedRequest:
    key: FixtureKey
    attempt: int
    shape: str  # "tools" or "content": where the answer goes in the response


def answer_slot(body: dict[str, Any]) -> tuple[Any, str | None, str]:
    """Where a request wants its answer: the response schema it names, its tool's name (the
    JSON schema's name outside tool calls) and the shape ("tools" or "content")."""
    tools = body.get("tools") or []
    if tools:
        function = tools[0].get("function", {})
        return function.get("parameters"), function.get("name"), "tools"
    response_format = body.get("response_format") or {}
    json_schema = response_format.get("json_schema") or {}
    return json_schema.get("schema"), json_schema.get("name"), "content"


def parse_request(body: dict[str, Any]) -> ParsedRequest:
    """Derive the fixture key from what is actually sent, whatever the instructor mode."""
    messages = body.get("messages") or []
    system = "\n".join(str(m.get("content")) for m in messages if m.get("role") == "system")
    users = [str(m.get("content")) for m in messages if m.get("role") == "user"]
    schema, tool, shape = answer_slot(body)
    key = FixtureKey(
        model=str(body.get("model")),
        system_sha256=_sha(system),
        schema_sha256=_sha(schema) if schema is not None else "",
        user_sha256=_sha(users[0] if users else ""),
        tool=tool,
    )
    attempt = 1 + sum(1 for m in messages if m.get("role") == "assistant")
    return ParsedRequest(key=key, attempt=attempt, shape=shape)


# The delimiter lines the prompts put around the article (prompts/*/user.md.j2).
_ARTICLE = re.compile(r"<<<ARTICLE (\S+)\n(.*)\nARTICLE \1>>>", re.DOTALL)


def article_from_request(body: dict[str, Any]) -> str:
    """The article a request carries: between the prompt's delimiter lines, else all of it."""
    users = [str(m.get("content")) for m in body.get("messages") or [] if m.get("role") == "user"]
    user = users[0] if users else ""  # re-asks append turns; the article stays in the first
    found = _ARTICLE.search(user)
    return found.group(2) if found else user


def estimate_tokens(text: str) -> int:
    # No tokenizer download is possible offline; four characters a token is the usual
    # rule of thumb for English and is only used for authored fixtures and chunk budgets.
    return max(1, len(text) // 4)


def completion_from_answer(
    answer: dict[str, Any], usage: dict[str, int] | None, body: dict[str, Any]
) -> dict[str, Any]:
    """Wrap an authored answer in the chat.completion envelope the request's mode expects."""
    _, tool, shape = answer_slot(body)
    arguments = json.dumps(answer, ensure_ascii=False)
    digest = _sha(arguments)
    message: dict[str, Any] = {"role": "assistant", "content": None}
    if shape == "tools":
        message["tool_calls"] = [
            {
                "id": f"call_{digest[:24]}",
                "type": "function",
                "function": {"name": tool, "arguments": arguments},
            }
        ]
        finish_reason = "tool_calls"
    else:
        message["content"] = arguments
        finish_reason = "stop"
    usage = usage or {}
    prompt_tokens = usage.get("prompt_tokens") or estimate_tokens(json.dumps(body))
    completion_tokens = usage.get("completion_tokens") or estimate_tokens(arguments)
    return {
        "id": f"chatcmpl-fixture-{digest[:16]}",
        "object": "chat.completion",
        "created": 0,
        "model": str(body.get("model")),
        "choices": [{"index": 0, "message": message, "finish_reason": finish_reason}],
        "usage": {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens,
        },
    }


@dataclass
class Fixture:
    path: Path
    data: dict[str, Any]

    @property
    def key(self) -> FixtureKey | None:
        raw = self.data.get("key")
        return FixtureKey(**raw) if raw else None

    @property
    def authored(self) -> bool:
        return bool(self.data.get("provenance", {}).get("kind") == "authored")

    def save(self) -> None:
        text = json.dumps(self.data, indent=2, ensure_ascii=False) + "\n"
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.path.write_text(text, encoding="utf-8")


def load_fixtures(root: Path) -> list[Fixture]:
    fixtures = []
    for path in sorted(root.rglob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        if isinstance(data, dict) and "exchanges" in data:
            fixtures.append(Fixture(path=path, data=data))
    return fixtures


def _error(status: int, kind: str, message: str) -> httpx.Response:
    return httpx.Response(
        status,
        headers={FIXTURE_HEADER: kind},
        json={"error": {"message": message, "type": f"fixture_{kind}", "code": kind}},
    )


# What a newcomer who has just submitted an article of their own can do next.
NO_FIXTURE_HELP = (
    "To try the live path without a model, start the simulated LLM that ships with factdiff "
    "(`python -m bench.simulated_llm --port 9100` in the repository, with its venv) and set "
    "FACTDIFF_LLM_BASE_URL=http://127.0.0.1:9100/v1 FACTDIFF_LLM_API_KEY=sim; for a model, set "
    "FACTDIFF_LLM_BASE_URL and/or FACTDIFF_LLM_API_KEY; or record a fixture with "
    "FACTDIFF_LLM_MODE=record."
)


class ReplayTransport(httpx.AsyncBaseTransport):
    """Answers /chat/completions from fixture files; never touches the network."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.fixtures = load_fixtures(root)

    def _relative(self, path: Path) -> str:
        try:
            return str(path.relative_to(self.root.parent.parent))
        except ValueError:
            return str(path)

    def answer(self, body: dict[str, Any]) -> httpx.Response:
        parsed = parse_request(body)
        candidates = [
            f for f in self.fixtures if f.key and f.key.user_sha256 == parsed.key.user_sha256
        ]
        if not candidates:
            # 404 is not retried by the openai SDK, so a miss costs one lookup.
            return _error(
                404,
                "missing",
                f"no LLM fixture for this article (user message sha256 "
                f"{parsed.key.user_sha256[:12]}) under {self.root}. {NO_FIXTURE_HELP}",
            )
        fixture = next((f for f in candidates if f.key == parsed.key), None)
        if fixture is None:
            stale = "; ".join(
                f"{self._relative(f.path)} differs in {', '.join(parsed.key.differences(f.key))}"
                for f in candidates
                if f.key
            )
            return _error(
                410,
                "stale",
                f"stale LLM fixture: {stale}. Refresh it: re-record with FACTDIFF_LLM_MODE=record, "
                "or for a hand-written fixture review it and run `factdiff fixtures stamp`.",
            )
        exchanges = fixture.data["exchanges"]
        if parsed.attempt > len(exchanges):
            return _error(
                410,
                "stale",
                f"LLM fixture {self._relative(fixture.path)} has {len(exchanges)} attempt(s) but "
                f"attempt {parsed.attempt} was requested: its last answer no longer passes "
                "validation. Refresh the fixture.",
            )
        exchange = exchanges[parsed.attempt - 1]
        if "response" in exchange:
            return httpx.Response(200, json=exchange["response"])
        payload = completion_from_answer(exchange["answer"], exchange.get("usage"), body)
        return httpx.Response(200, json=payload)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if not request.url.path.endswith("/chat/completions"):
            return _error(
                404, "missing", f"replay serves /chat/completions only, not {request.url.path}"
            )
        body = json.loads(request.content or b"{}")
        response = self.answer(body)
        response.request = request
        return response


class StampTransport(ReplayTransport):
    """Re-keys one hand-written fixture to the requests the current code sends.

    Used by ``factdiff fixtures stamp`` after a reviewed change to a prompt or schema; it
    refuses recorded fixtures, which only a new recording may refresh.
    """

    def __init__(self, fixture: Fixture) -> None:
        if not fixture.authored:
            raise ValueError(f"{fixture.path} is a recorded fixture: re-record it instead")
        self.fixture = fixture
        self.root = fixture.path.parent

    def answer(self, body: dict[str, Any]) -> httpx.Response:
        parsed = parse_request(body)
        self.fixture.data["key"] = asdict(parsed.key)
        exchanges = self.fixture.data["exchanges"]
        if parsed.attempt > len(exchanges):
            return _error(410, "stale", f"{self.fixture.path} has no attempt {parsed.attempt}")
        exchange = exchanges[parsed.attempt - 1]
        return httpx.Response(
            200,
            json=completion_from_answer(exchange["answer"], exchange.get("usage"), body),
        )


class RecordTransport(httpx.AsyncBaseTransport):
    """Forwards to the real endpoint and writes each successful exchange as a fixture."""

    def __init__(self, root: Path, endpoint: str, wrapped: httpx.AsyncBaseTransport | None = None):
        self.root = root
        self.endpoint = endpoint
        self.wrapped = wrapped or httpx.AsyncHTTPTransport()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.wrapped.handle_async_request(request)
        if response.status_code != 200 or not request.url.path.endswith("/chat/completions"):
            return response
        content = await response.aread()
        parsed = parse_request(json.loads(request.content or b"{}"))
        path = (
            self.root / "recorded" / f"{parsed.key.user_sha256[:16]}-{_slug(parsed.key.model)}.json"
        )
        fixture = Fixture(path=path, data={})
        if path.exists() and parsed.attempt > 1:
            fixture.data = json.loads(path.read_text(encoding="utf-8"))
        else:
            fixture.data = {
                "provenance": {
                    "kind": "recorded",
                    "statement": f"Recorded from model {parsed.key.model} at {self.endpoint} "
                    f"on {datetime.now(UTC).date().isoformat()}.",
                    "recorded_at": datetime.now(UTC).isoformat(timespec="seconds"),
                },
                "key": asdict(parsed.key),
                "exchanges": [],
            }
        exchanges = fixture.data["exchanges"][: parsed.attempt - 1]
        exchanges.append({"attempt": parsed.attempt, "response": json.loads(content)})
        fixture.data["exchanges"] = exchanges
        fixture.save()
        return httpx.Response(
            response.status_code, headers=response.headers, content=content, request=request
        )

    async def aclose(self) -> None:
        await self.wrapped.aclose()


def _slug(text: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-." else "-" for ch in text)[:60]
