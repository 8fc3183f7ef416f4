"""A simulated OpenAI-compatible LLM for benchmarks and fault tests (no real LLM is reachable).

    python -m bench.simulated_llm --port 9100 --latency-ms 1500 --latency-jitter-ms 200 \\
        --error-rate 0.02 --rate-429 0.01 --rpm 600 --tpm 0 --seed 1

It answers any article with claims shaped like the fixtures: one quantity claim per figure
written in digits, quoting the sentence verbatim so that factdiff's grounding keeps it.
Claims carry news_claims@v2's canonical fields (fact kind ``other``: the simulator cannot
tell one fact from another), cut to whatever schema the request asks for, so a
news_claims@v1 request gets v1 claims.
Latency, 500s, 429s, RPM/TPM limits and broken answers are configurable and seeded.
A marker in the article (``SIMLLM:malformed``, ``truncated``, ``ungrounded``, ``wrong-number``,
``empty``, ``huge``) breaks the answer for that article only. ``GET /stats``, ``POST /reset``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import random
import re
import time
from collections import Counter, deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from app.eval.stand_in import prune, request_schema, serve_in_thread
from app.llm.replay import article_from_request, completion_from_answer, parse_request


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


# ---------------------------------------------------------------------------
# Article -> claims
# ---------------------------------------------------------------------------

_MARKER = re.compile(r"SIMLLM:([a-z-]+)")
# Conservative on purpose: a figure the grounding would read differently ("2,5", "1 000",
# "7-2", "US$5") is skipped rather than risk a claim that factdiff rightly rejects.
_NUMBER = re.compile(
    r"(?<![\w.,$€£¥-])(?<!\d\s)(?P<cur>[$€£¥]\s?)?"
    r"(?P<digits>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
    r"(?:\s(?P<word>thousands?|millions?|billions?|trillions?|milliards?)|(?P<glued>bn|k|m))?"
    r"(?P<pct>\s?%|\s(?:percent|per\scent))?(?![.,]?\w)(?!\s\d)"
)
_SCALES = {"thousand": 1e3, "million": 1e6, "milliard": 1e9, "billion": 1e9, "trillion": 1e12}
_GLUED = {"k": 1e3, "m": 1e6, "bn": 1e9}
_CURRENCIES = {"$": "USD", "€": "EUR", "£": "GBP", "¥": "JPY"}
_QUALIFIER = re.compile(
    r"\b(more than|at least|up to|fewer than|less than|over|above|under|below|about|around"
    r"|nearly|almost|roughly|approximately)\s+$",
    re.IGNORECASE,
)
_QUALIFIERS = {"more than": "over", "above": "over", "at least": "at_least", "up to": "up_to"}
_QUALIFIERS |= dict.fromkeys(("fewer than", "less than", "under", "below"), "under")
_QUALIFIERS |= dict.fromkeys(("around", "nearly", "almost", "roughly", "approximately"), "about")
_UNIT_SKIP = frozenset("more additional extra new other further another".split())
_STOP = frozenset(
    "a an the to of in on at for from by and or but with that which who whom were was are is "
    "be been have has had will would could should can may said than as per into since after "
    "before during while when this these those it its their they he she we not all each across "
    "through last next so if".split()
)
_PAST = r"[a-z]{2,}ed|said|says|sent|gave|made|paid|took|won|lost|rose|fell|grew|spent|cut|ran|left"
_PAST += r"|came|went|fled|told|hit|built"
_AUX = r"has|have|had|was|were|is|are|will"
_VERB = re.compile(rf"\b(?:(?:{_AUX})\s+(?:{_PAST}|[a-z]+(?:en|wn))|{_PAST}|{_AUX})\b")
_CAPITALISED = re.compile(r"[A-Z][\w'’.&-]*(?:\s+[A-Z][\w'’.&-]*)*")
_LEADING = frozenset(
    "The A An On In At But And According It He She They This That Yet As About Up Over Under "
    "Fewer More Less Nearly Some Around Almost".split()
)
_SENTENCE_END = re.compile(r"[.!?…][\"'”’»)\]]*(?=\s)")
_ABBREVIATION = re.compile(
    r"(?:\b(?:[A-Z]\.)+|\b(?:Mr|Mrs|Ms|Dr|Prof|St|Gen|Sen|Gov|No|vs"
    r"|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)\.)$"
)
# Counted nouns that are people (unit kind persons); other nouns count things.
_PERSONS = frozenset(
    "people persons officers police troops soldiers personnel workers employees staff members "
    "residents voters students patients children adults civilians refugees migrants protesters "
    "strikers volunteers visitors passengers fans players teachers nurses doctors ministers "
    "users".split()
)
_FABRICATED = "Officials confirmed the figures in a statement released late on Tuesday night."


def sentences(text: str) -> Iterator[tuple[int, int, bool]]:
    """(start, end, first in its paragraph) of each sentence; lines count as paragraphs."""
    line_start = 0
    for line in text.split("\n"):
        cursor, first = line_start, True
        bounds = [m.end() for m in _SENTENCE_END.finditer(line)]
        for end in [*bounds, len(line)]:
            piece = text[cursor : line_start + end]
            if end != len(line) and (
                _ABBREVIATION.search(piece) or line[end:].lstrip()[:1].islower()
            ):
                continue  # "U.S. pledged", "Mr. Ruto": not the end of a sentence
            stripped = piece.strip()
            if stripped:
                start = cursor + len(piece) - len(piece.lstrip())
                yield start, start + len(stripped), first
                first = False
            cursor = line_start + end
        line_start += len(line) + 1


@dataclass(frozen=True)
class _Clause:
    subject: str
    predicate: str
    verb_end: int  # -1 when no verb was found
    named: bool  # the subject is the words before the verb, not a guess


def _clause(sentence: str) -> _Clause:
    verb = _VERB.search(sentence)
    predicate, verb_end = (verb.group(0), verb.end()) if verb else ("reported", -1)
    prefix = sentence[: verb.start()] if verb else ""
    prefix = re.split(r"\s[—–-]\s", prefix)[-1].strip(" ,")  # drop a dateline
    prefix = re.sub(r"^(?:The|A|An)\s+(?=[A-Z])", "", prefix)  # "The U.S." -> "U.S."
    if prefix[:1].isupper() and len(prefix.split()) <= 6 and not re.search(r"\d", prefix):
        return _Clause(prefix[:200], predicate, verb_end, named=True)
    for run in _CAPITALISED.finditer(sentence):
        words = run.group(0).split()
        while words and words[0] in _LEADING:
            words.pop(0)
        if words:  # "January." -> "January", but "U.S." stays
            name = re.sub(r"(?<=[a-z])\.$", "", " ".join(words))
            return _Clause(name[:200], predicate, verb_end, named=False)
    return _Clause("unspecified", predicate, verb_end, named=False)


def _unit_after(sentence: str, pos: int) -> tuple[str, int] | None:
    """The counted noun after a number: the last of up to four adjacent lowercase words."""
    unit, offset = None, pos
    for _ in range(4):
        word = re.match(r"\s+([a-z][a-z'-]*)\b", sentence[offset:])
        if word is None or word.group(1) in _STOP or _VERB.fullmatch(word.group(1)):
            break  # "5 people died": the noun ends where a verb begins
        offset += word.end()
        # "217 more police officers" counts officers; "l" of "l'été" is no unit.
        if word.group(1) not in _UNIT_SKIP and len(word.group(1)) > 2:
            unit = (word.group(1), offset)
    return unit


def _value(match: re.Match[str]) -> float:
    value = float(match["digits"].replace(",", ""))
    if match["word"]:
        value *= _SCALES[match["word"].rstrip("s")]
    elif match["glued"]:
        value *= _GLUED[match["glued"]]
    return value


def _unit_kind(unit: str) -> str:
    if unit in _CURRENCIES.values():
        return "currency"
    if unit == "percent":
        return "percent"
    return "persons" if unit in _PERSONS else "count"


def _claim(
    statement: str, clause: _Clause, evidence: str, quantity: dict[str, Any] | None = None
) -> dict[str, Any]:
    if quantity is not None:
        kind = _unit_kind(quantity["unit"])
        # A share or rate is a level as of a time; any other figure is read as an event.
        quantity = {
            **quantity,
            "unit_kind": kind,
            "aspect": "state" if kind == "percent" else "event",
        }
    return {
        "statement": statement[:600],
        "claim_type": "quantity" if quantity else "event" if clause.verb_end >= 0 else "status",
        "fact_kind": "other",
        "subject": {"name": clause.subject, "type": "other"},
        "predicate": clause.predicate[:120],
        "object": None,
        "object_entity": None,
        "quantity": quantity,
        "time": None,
        "location": None,
        "attribution": None,
        "modality": "asserted",
        "evidence": evidence,
    }


def _quantity_claims(sentence: str) -> list[dict[str, Any]]:
    clause = _clause(sentence)
    claims: list[dict[str, Any]] = []
    seen: set[float] = set()
    statements: set[str] = set()
    for match in _NUMBER.finditer(sentence):
        digits = match["digits"]
        if match["cur"]:
            unit, unit_end = _CURRENCIES[match["cur"].strip()], match.end()
        elif match["pct"]:
            unit, unit_end = "percent", match.end()
        elif match["glued"] == "m" or (digits.isdigit() and 1800 <= int(digits) <= 2100):
            continue  # "5m" is metres as often as millions; a year is a time, not a quantity
        elif found := _unit_after(sentence, match.end()):
            unit, unit_end = found
        else:
            continue  # no counted noun: a date, a score, a reference number
        value = _value(match)
        if value in seen:
            continue
        seen.add(value)
        qualifier = _QUALIFIER.search(sentence[: match.start()])
        word = qualifier.group(1).lower() if qualifier else "exact"
        quantity = {
            "value": int(value) if value.is_integer() else value,
            "unit": unit,
            "qualifier": _QUALIFIERS.get(word, word),
        }
        # "<subject> <verb> <words up to the unit>." when the figure is the verb's object
        # nearby; otherwise the sentence itself, which is always a true statement.
        between = sentence[clause.verb_end : match.start()]
        after_verb = 0 <= clause.verb_end <= match.start() and len(between) <= 60
        if clause.named and after_verb and not re.search(r"[,;:]", between):
            words = " ".join(sentence[clause.verb_end : unit_end].split())
            statement = f"{clause.subject} {clause.predicate} {words}."
        else:
            statement = " ".join(sentence.split())
        if statement in statements:  # one statement per span, or factdiff merges the claims
            phrase = sentence[qualifier.start() if qualifier else match.start() : unit_end]
            statement = f"{statement} ({' '.join(phrase.split())})"
        statements.add(statement)
        # Past the schema's 1,000 characters, quote a window around the figure instead.
        evidence = sentence
        if len(sentence) > 1000:
            evidence = sentence[max(0, match.start() - 300) : match.end() + 300].strip()
        claims.append(_claim(statement, clause, evidence, quantity))
    return claims


def build_claims(text: str, max_claims: int = 20, prose: bool = True) -> list[dict[str, Any]]:
    """Fixture-shaped claims for any article, each quoting it verbatim."""
    claims: list[dict[str, Any]] = []
    paragraph_done = True
    for start, end, first in sentences(text):
        sentence = text[start:end]
        paragraph_done = paragraph_done and not first
        numeric = _quantity_claims(sentence)
        claims += numeric
        if prose and not numeric and not paragraph_done and 8 <= len(sentence) <= 1000:
            claims.append(_claim(" ".join(sentence.split()), _clause(sentence), sentence))
            paragraph_done = True
    return claims[:max_claims]


def _answer(text: str, config: SimConfig) -> tuple[dict[str, Any], Fault | None]:
    marker = _MARKER.search(text)
    faults = {f.value: f for f in Fault}
    fault = faults.get(marker.group(1)) if marker else None
    fault = fault or config.fault
    claims = build_claims(text, config.max_claims, config.prose_claims)
    first = next(iter(sentences(text)), None)
    sentence = text[first[0] : first[1]] if first else _FABRICATED
    if fault is Fault.empty:
        return {}, fault
    if fault is Fault.huge:
        pool = claims or [_claim(f"The article says: {sentence}", _clause(sentence), sentence)]
        return {"claims": [pool[i % len(pool)] for i in range(5000)]}, fault
    if fault is Fault.ungrounded:
        claims.append(_claim(_FABRICATED, _clause(_FABRICATED), _FABRICATED))
    if fault is Fault.wrong_number:
        target = next((c for c in claims if c["quantity"]), None)
        if target is None:
            quantity = {"value": 0, "unit": "units", "qualifier": "exact"}
            target = _claim(f"A figure: {sentence}", _clause(sentence), sentence, quantity)
            claims.append(target)
        # A value the passage it came from cannot plausibly contain.
        target["quantity"]["value"] = target["quantity"]["value"] * 10 + 987654321
    return {"claims": claims}, fault


def simulate_completion(
    body: dict[str, Any], config: SimConfig
) -> tuple[dict[str, Any], Fault | None]:
    """The chat.completion for a request, in the envelope its instructor mode expects."""
    parsed = parse_request(body)
    answer, fault = _answer(article_from_request(body), config)
    schema = request_schema(body)
    answer = prune(answer, schema, schema or {})  # a v1 request gets no v2 fields
    payload = completion_from_answer(answer, None, parsed, body)
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


# ---------------------------------------------------------------------------
# Limits, stats and the server
# ---------------------------------------------------------------------------


class Limits:
    """OpenAI-style RPM/TPM limits over a sliding window of admitted requests."""

    def __init__(self, rpm: int, tpm: int, span_s: float = 60.0) -> None:
        self.rpm, self.tpm, self.span_s = rpm, tpm, span_s
        self.window: deque[tuple[float, int]] = deque()  # (admitted at, tokens)
        self.tokens = 0

    def _expire(self, now: float) -> None:
        while self.window and self.window[0][0] <= now - self.span_s:
            self.tokens -= self.window.popleft()[1]

    def admit(self, tokens: int, now: float) -> float | None:
        """Record the request, or return the seconds until the window would admit it."""
        self._expire(now)
        waits: list[float] = []
        if self.rpm and len(self.window) >= self.rpm:
            waits.append(self.window[len(self.window) - self.rpm][0] + self.span_s - now)
        if self.tpm and self.tokens + tokens > self.tpm:
            waits.append(self.span_s)  # a request over the whole budget never fits
            freed = 0
            for admitted, used in self.window:
                freed += used
                if self.tokens - freed + tokens <= self.tpm:
                    waits[-1] = admitted + self.span_s - now
                    break
        if waits:
            return max(waits)
        self.window.append((now, tokens))
        self.tokens += tokens
        return None

    def headers(self, now: float) -> dict[str, str]:
        self._expire(now)
        headers: dict[str, str] = {}
        if self.rpm:
            headers["x-ratelimit-limit-requests"] = str(self.rpm)
            headers["x-ratelimit-remaining-requests"] = str(max(0, self.rpm - len(self.window)))
        if self.tpm:
            headers["x-ratelimit-limit-tokens"] = str(self.tpm)
            headers["x-ratelimit-remaining-tokens"] = str(max(0, self.tpm - self.tokens))
        return headers


class SimState:
    def __init__(self, config: SimConfig) -> None:
        self.config = config
        self.reset()

    def reset(self) -> None:
        self.rng = random.Random(self.config.seed)
        self.limits = Limits(self.config.rpm, self.config.tpm)
        self.by_status: Counter[int] = Counter()
        self.faults: Counter[str] = Counter()
        self.requests = self.prompt_tokens = self.completion_tokens = 0
        self.in_flight = self.max_in_flight = 0

    def stats(self) -> dict[str, Any]:
        return {
            "requests": self.requests,
            "by_status": {str(code): n for code, n in sorted(self.by_status.items())},
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": self.completion_tokens,
            "total_tokens": self.prompt_tokens + self.completion_tokens,
            "in_flight": self.in_flight,
            "max_in_flight": self.max_in_flight,
            "faults": dict(self.faults),
        }


def _error(kind: str, message: str, code: str | None = None) -> dict[str, Any]:
    return {"error": {"message": message, "type": kind, "param": None, "code": code}}


def create_app(config: SimConfig) -> FastAPI:
    app = FastAPI(title="factdiff simulated LLM")
    state = SimState(config)
    app.state.sim = state

    def respond(status: int, content: Any, headers: dict[str, str] | None = None) -> JSONResponse:
        state.by_status[status] += 1
        headers = state.limits.headers(time.monotonic()) | (headers or {})
        return JSONResponse(content, status_code=status, headers=headers)

    async def answer(request: Request) -> JSONResponse:
        # Draw every random number up front, in arrival order, so a seed replays the
        # same faults whatever the bodies and however the requests interleave later.
        delay = max(0.0, state.rng.gauss(config.latency_ms, config.latency_jitter_ms)) / 1000
        fail, throttle = state.rng.random(), state.rng.random()
        try:
            body = await request.json()
        except ValueError:
            body = None
        if not isinstance(body, dict) or body.get("stream"):
            message = "expected a non-streaming chat completion request as a JSON object"
            return respond(400, _error("invalid_request_error", message))
        payload, fault = simulate_completion(body, config)
        if fault:
            state.faults[fault.value] += 1
        wait = state.limits.admit(payload["usage"]["total_tokens"], time.monotonic())
        if wait is not None:
            message = f"Rate limit reached (simulated: {config.rpm} RPM, {config.tpm} TPM)."
            retry = str(max(1, math.ceil(wait)))
            error = _error("requests", message, "rate_limit_exceeded")
            return respond(429, error, {"retry-after": retry})
        if throttle < config.rate_429:
            error = _error("requests", "Rate limit reached (simulated).", "rate_limit_exceeded")
            return respond(429, error, {"retry-after": str(config.retry_after_s)})
        await asyncio.sleep(delay)  # never time.sleep: the loop must serve 64+ requests at once
        if fail < config.error_rate:
            message = "The server had an error while processing your request (simulated)."
            return respond(500, _error("server_error", message))
        state.prompt_tokens += payload["usage"]["prompt_tokens"]
        state.completion_tokens += payload["usage"]["completion_tokens"]
        return respond(200, payload)

    @app.post("/v1/chat/completions")
    async def chat_completions(request: Request) -> JSONResponse:
        state.requests += 1
        state.in_flight += 1
        state.max_in_flight = max(state.max_in_flight, state.in_flight)
        try:
            return await answer(request)
        finally:
            state.in_flight -= 1

    @app.get("/v1/models")
    async def models() -> dict[str, Any]:
        # Any model name is answered; these are listed for clients that check first.
        names = ("gpt-4.1-mini", "simulated")
        data = [{"id": n, "object": "model", "created": 0, "owned_by": "factdiff"} for n in names]
        return {"object": "list", "data": data}

    @app.get("/stats")
    async def stats() -> dict[str, Any]:
        return state.stats()

    @app.post("/reset")
    async def reset() -> dict[str, Any]:
        in_flight = state.in_flight
        state.reset()
        state.in_flight = in_flight  # requests still running will decrement it
        return state.stats()

    return app


@contextmanager
def running(config: SimConfig) -> Iterator[str]:
    """Serve the simulated LLM on a free 127.0.0.1 port in a thread; yield its /v1 URL."""
    with serve_in_thread(create_app(config), name="the simulated LLM") as url:
        yield f"{url}/v1"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m bench.simulated_llm", description="Simulated OpenAI-compatible LLM."
    )
    add = parser.add_argument
    add("--port", type=int, default=9100)
    add("--latency-ms", type=float, default=0.0, help="mean latency per request")
    add("--latency-jitter-ms", type=float, default=0.0, help="standard deviation")
    add("--error-rate", type=float, default=0.0, help="fraction answered 500")
    add("--rate-429", type=float, default=0.0, help="fraction answered 429 at random")
    add("--retry-after-s", type=int, default=1, help="Retry-After of the random 429s")
    add("--rpm", type=int, default=0, help="requests per minute enforced (0: none)")
    add("--tpm", type=int, default=0, help="tokens per minute enforced (0: none)")
    add("--seed", type=int, default=0)
    add("--max-claims", type=int, default=20)
    add("--no-prose-claims", action="store_true", help="only quantity claims")
    add("--fault", choices=[f.value for f in Fault], help="break every answer this way")
    add("--log-level", default="info")
    args = parser.parse_args(argv)
    config = SimConfig(
        latency_ms=args.latency_ms,
        latency_jitter_ms=args.latency_jitter_ms,
        error_rate=args.error_rate,
        rate_429=args.rate_429,
        retry_after_s=args.retry_after_s,
        rpm=args.rpm,
        tpm=args.tpm,
        seed=args.seed,
        max_claims=args.max_claims,
        prose_claims=not args.no_prose_claims,
        fault=Fault(args.fault) if args.fault else None,
    )
    uvicorn.run(create_app(config), host="127.0.0.1", port=args.port, log_level=args.log_level)


if __name__ == "__main__":
    main()
