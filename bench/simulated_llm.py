"""A simulated OpenAI-compatible LLM for benchmarks and fault tests (no real LLM is reachable).

    python -m bench.simulated_llm --port 9100 --latency-ms 1500 --latency-jitter-ms 200 \\
        --error-rate 0.02 --rate-429 0.01 --rpm 600 --tpm 0 --seed 1

It answers any article with claims shaped like the fixtures: one quantity claim per figure
written in digits, quoting the sentence verbatim so that factdiff's grounding keeps it
(bench.sim_claims, answered by bench.sim_answers).
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
import gc
import json
import math
import random
import time
from collections import Counter, deque
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import uvicorn
from fastapi import FastAPI
from starlette.requests import ClientDisconnect, Request
from starlette.responses import PlainTextResponse, Response
from starlette.types import Receive, Scope, Send

from app.eval.stand_in import serve_in_thread
from bench.sim_answers import Fault, SimConfig, simulate_completion

__all__ = ["Fault", "Limits", "SimConfig", "create_app", "running", "simulate_completion"]


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


def _json(content: Any) -> bytes:
    """Rendered as Starlette's JSONResponse renders it, byte for byte."""
    return json.dumps(
        content, ensure_ascii=False, allow_nan=False, indent=None, separators=(",", ":")
    ).encode("utf-8")


# Starlette's answer to an exception in an endpoint, which this app gives in its place.
_CRASH = PlainTextResponse("Internal Server Error", status_code=500)


class SimulatedLLM:
    """The ASGI app. Chat completions, nearly every request, are answered here directly:
    FastAPI's middleware, routing and Request (a fifth of a call's CPU) stand for nothing a
    remote model would cost factdiff's machine. The other routes are FastAPI's, as are its
    404 and 405 answers."""

    def __init__(self, config: SimConfig) -> None:
        self.config = config
        self.state = SimState(config)
        self.api = _other_routes(self.state)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"] == COMPLETIONS and scope["method"] == "POST":
            await self._completion(scope, receive, send)
        else:
            await self.api(scope, receive, send)

    async def _completion(self, scope: Scope, receive: Receive, send: Send) -> None:
        state = self.state
        state.requests += 1
        state.in_flight += 1
        state.max_in_flight = max(state.max_in_flight, state.in_flight)
        try:
            status, content, extra = await self._answer(receive)
        except Exception:
            await _CRASH(scope, receive, send)
            raise
        finally:
            state.in_flight -= 1
        state.by_status[status] += 1
        headers = state.limits.headers(time.monotonic()) | extra
        body = _json(content)
        listed = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers.items()]
        listed += [(b"content-length", str(len(body)).encode()), _CONTENT_TYPE]
        await send({"type": "http.response.start", "status": status, "headers": listed})
        await send({"type": "http.response.body", "body": body})

    async def _answer(self, receive: Receive) -> tuple[int, Any, dict[str, str]]:
        """The status, JSON content and headers of the answer to a completion request."""
        state, config = self.state, self.config
        # Draw every random number up front, in arrival order, so a seed replays the
        # same faults whatever the bodies and however the requests interleave later.
        delay = max(0.0, state.rng.gauss(config.latency_ms, config.latency_jitter_ms)) / 1000
        fail, throttle = state.rng.random(), state.rng.random()
        raw = await _read_body(receive)
        try:
            body = json.loads(raw)
        except ValueError:
            body = None
        if not isinstance(body, dict) or body.get("stream"):
            message = "expected a non-streaming chat completion request as a JSON object"
            return 400, _error("invalid_request_error", message), {}
        payload, fault = simulate_completion(body, config, size=len(raw))
        if fault:
            state.faults[fault.value] += 1
        wait = state.limits.admit(payload["usage"]["total_tokens"], time.monotonic())
        if wait is not None:
            message = f"Rate limit reached (simulated: {config.rpm} RPM, {config.tpm} TPM)."
            retry = str(max(1, math.ceil(wait)))
            error = _error("requests", message, "rate_limit_exceeded")
            return 429, error, {"retry-after": retry}
        if throttle < config.rate_429:
            error = _error("requests", "Rate limit reached (simulated).", "rate_limit_exceeded")
            return 429, error, {"retry-after": str(config.retry_after_s)}
        await asyncio.sleep(delay)  # never time.sleep: the loop must serve 64+ requests at once
        if fail < config.error_rate:
            message = "The server had an error while processing your request (simulated)."
            return 500, _error("server_error", message), {}
        state.prompt_tokens += payload["usage"]["prompt_tokens"]
        state.completion_tokens += payload["usage"]["completion_tokens"]
        return 200, payload, {}


COMPLETIONS = "/v1/chat/completions"
_CONTENT_TYPE = (b"content-type", b"application/json")


async def _read_body(receive: Receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise ClientDisconnect()
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks)


def _other_routes(state: SimState) -> FastAPI:
    app = FastAPI(title="factdiff simulated LLM")

    # Never called (SimulatedLLM answers the POSTs): listed for FastAPI's 405 on other methods.
    async def answered_before_routing(request: Request) -> Response:
        raise NotImplementedError(request.url.path)

    app.router.add_route(COMPLETIONS, answered_before_routing, methods=["POST"])

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


def create_app(config: SimConfig) -> SimulatedLLM:
    return SimulatedLLM(config)


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
    app = create_app(config)
    # Modules and schemas live as long as the server: frozen, a full collection stops walking
    # them (a benchmark's LLM should take as little of the machine's CPU as it can).
    gc.freeze()
    uvicorn.run(app, host="127.0.0.1", port=args.port, log_level=args.log_level)


if __name__ == "__main__":
    main()
