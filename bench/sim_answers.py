"""What the simulated LLM answers a chat completion request with (bench.simulated_llm serves it):
claims built from the request's article (bench.sim_claims), cut to the request's schema, broken
as a fault marker or the config asks, in the envelope of the request's instructor mode."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from app.eval.stand_in import prune, request_schema
from app.llm.replay import article_from_request, completion_from_answer
from bench.sim_claims import FABRICATED, build_claims, claim, clause_of, sentences


class Fault(StrEnum):
    malformed = "malformed"  # arguments are cut-off JSON
    truncated = "truncated"  # cut-off JSON and finish_reason "length"
    ungrounded = "ungrounded"  # one extra claim quotes a passage the article lacks
    wrong_number = "wrong-number"  # a quantity differs from the number in its evidence
    empty = "empty"  # arguments are "{}"
    huge = "huge"  # 5,000 claims, over the schema's limit


@dataclass(frozen=True)
class SimConfig:
    latency_ms: float = 0.0  # mean of a normal distribution, clipped at 0
    latency_jitter_ms: float = 0.0  # its standard deviation
    error_rate: float = 0.0  # fraction answered 500
    rate_429: float = 0.0  # fraction answered 429 regardless of the limits
    retry_after_s: int = 1  # Retry-After of those random 429s
    rpm: int = 0  # requests per sliding minute; 0 = unlimited
    tpm: int = 0  # tokens (prompt + completion estimate) per sliding minute; 0 = unlimited
    seed: int = 0
    max_claims: int = 20
    prose_claims: bool = True  # one non-numeric claim per paragraph
    fault: Fault | None = None  # applied to every request, as if the article had the marker


_MARKER = re.compile(r"SIMLLM:([a-z-]+)")
_FAULTS = {f.value: f for f in Fault}


def _first_sentence(text: str) -> str:
    first = next(iter(sentences(text)), None)
    return text[first[0] : first[1]] if first else FABRICATED


def _answer(text: str, config: SimConfig) -> tuple[dict[str, Any], Fault | None]:
    marker = _MARKER.search(text)
    fault = _FAULTS.get(marker.group(1)) if marker else None
    fault = fault or config.fault
    claims = build_claims(text, config.max_claims, config.prose_claims)
    if fault is Fault.empty:
        return {}, fault
    if fault is Fault.huge:
        sentence = _first_sentence(text)
        pool = claims or [claim(f"The article says: {sentence}", clause_of(sentence), sentence)]
        return {"claims": [pool[i % len(pool)] for i in range(5000)]}, fault
    if fault is Fault.ungrounded:
        claims.append(claim(FABRICATED, clause_of(FABRICATED), FABRICATED))
    if fault is Fault.wrong_number:
        target = next((c for c in claims if c["quantity"]), None)
        if target is None:
            sentence = _first_sentence(text)
            quantity = {"value": 0, "unit": "units", "qualifier": "exact"}
            target = claim(f"A figure: {sentence}", clause_of(sentence), sentence, quantity)
            claims.append(target)
        # A value the passage it came from cannot plausibly contain.
        target["quantity"]["value"] = target["quantity"]["value"] * 10 + 987654321
    return {"claims": claims}, fault


def simulate_completion(
    body: dict[str, Any], config: SimConfig, size: int | None = None
) -> tuple[dict[str, Any], Fault | None]:
    """The chat.completion for a request, in the envelope its instructor mode expects;
    ``size`` is the request's length in bytes, when known (its prompt tokens are a quarter of
    it, as estimate_tokens counts them; otherwise the body is serialised again to count)."""
    answer, fault = _answer(article_from_request(body), config)
    schema = request_schema(body)
    if not _keeps_all(schema):
        answer = prune(answer, schema, schema or {})  # a v1 request gets no v2 fields
    usage = {"prompt_tokens": max(1, size // 4)} if size else None
    payload = completion_from_answer(answer, usage, body)
    if fault in (Fault.malformed, Fault.truncated):
        choice = payload["choices"][0]
        raw = json.dumps(answer, ensure_ascii=False)
        cut = raw[: len(raw) // 2]  # any proper prefix of a JSON object is invalid JSON
        if choice["message"].get("tool_calls"):
            choice["message"]["tool_calls"][0]["function"]["arguments"] = cut
        else:
            choice["message"]["content"] = cut
        if fault is Fault.truncated:
            choice["finish_reason"] = "length"
    return payload, fault


# Answers of each shape the simulator gives (a figure's claim, a prose claim), every field
# filled as build_claims fills it; what the schema cuts from these it cuts from any answer.
_PROBES = [{"claims": build_claims("Agency 1 reported that 1,200 officers arrived.\n\nIt rained.")}]
# Schemas seen, found again by equality: a request's schema is parsed anew each time, and
# comparing it with a known one costs a fraction of serialising it to make a key.
_KNOWN_SCHEMAS: list[tuple[dict[str, Any], bool]] = []


def _keeps_all(schema: dict[str, Any] | None) -> bool:
    """Whether the schema keeps every field of the simulator's answers (news_claims@v2 does),
    so that pruning, most of a call's work after building the claims, can be skipped."""
    if schema is None:
        return True  # prune leaves an answer without a schema as it is
    for known, kept in _KNOWN_SCHEMAS:
        if known == schema:
            return kept
    kept = all(prune(p, schema, schema) == p for p in _PROBES)
    _KNOWN_SCHEMAS.insert(0, (schema, kept))
    del _KNOWN_SCHEMAS[8:]
    return kept
