"""Chat-completion bodies for respx mocks of an OpenAI-compatible endpoint.

Claims are news_claims@v2-shaped (the default schema) unless ``v1=True``; a v1 answer goes
with ``tool="ClaimSet"``, the tool a news_claims@v1 request asks for.
"""

from __future__ import annotations

import json
from typing import Any

import httpx


def claim(
    statement: str,
    evidence: str,
    *,
    value: float | None = None,
    unit: str = "officers",
    qualifier: str = "exact",
    subject: str = "Kenya",
    time: str | None = None,
    v1: bool = False,
) -> dict[str, Any]:
    quantity = None if value is None else {"value": value, "unit": unit, "qualifier": qualifier}
    answer: dict[str, Any] = {
        "statement": statement,
        "claim_type": "quantity" if value is not None else "event",
        "subject": {"name": subject, "type": "country"},
        "predicate": "deployed",
        "object": "police officers to Haiti",
        "quantity": quantity,
        "time": None if time is None else {"text": time},
        "location": "Haiti",
        "attribution": None,
        "modality": "asserted",
        "evidence": evidence,
    }
    if not v1:
        answer["fact_kind"] = "deployment"
        answer["object_entity"] = {"name": "Haiti", "type": "country"}
        if quantity is not None:
            quantity.update(unit_kind="persons", aspect="event")
    return answer


def tool_completion(
    claims: list[dict[str, Any]],
    *,
    prompt_tokens: int = 100,
    completion_tokens: int = 50,
    cached_tokens: int = 0,
    finish_reason: str = "tool_calls",
    tool: str = "ClaimSetV2",
) -> dict[str, Any]:
    arguments = json.dumps({"claims": claims})
    return {
        "id": "chatcmpl-test",
        "object": "chat.completion",
        "created": 0,
        "model": "gpt-4.1-mini",
        "choices": [
            {
                "index": 0,
                "message": {
                    "role": "assistant",
                    "content": None,
                    "tool_calls": [
                        {
                            "id": "call_1",
                            "type": "function",
                            "function": {"name": tool, "arguments": arguments},
                        }
                    ],
                },
                "finish_reason": finish_reason,
            }
        ],
        "usage": {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens,
            "prompt_tokens_details": {"cached_tokens": cached_tokens},
        },
    }


def verdict_completion(same_fact: bool, relation: str, reason: str) -> dict[str, Any]:
    """An adjudicator's answer (schemas/adjudication.py PairVerdict), as a tool call."""
    body = tool_completion([], tool="PairVerdict")
    arguments = {"same_fact": same_fact, "relation": relation, "reason": reason}
    body["choices"][0]["message"]["tool_calls"][0]["function"]["arguments"] = json.dumps(arguments)
    return body


def content_completion(content: str, *, finish_reason: str = "stop") -> dict[str, Any]:
    body = tool_completion([])
    body["choices"][0]["message"] = {"role": "assistant", "content": content}
    body["choices"][0]["finish_reason"] = finish_reason
    return body


def ok(body: dict[str, Any]) -> httpx.Response:
    return httpx.Response(200, json=body)


def request_article(request: httpx.Request) -> str:
    """The article text a request carries, between the prompt's delimiter lines."""
    messages = json.loads(request.content)["messages"]
    user = next(m["content"] for m in messages if m["role"] == "user")
    body = user.split("<<<ARTICLE ", 1)[1]
    return body.split("\n", 1)[1].rsplit("\nARTICLE ", 1)[0]
