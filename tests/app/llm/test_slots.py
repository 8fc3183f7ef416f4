"""The process-wide cap on LLM requests in flight (FACTDIFF_LLM_MAX_IN_FLIGHT)."""

from __future__ import annotations

import asyncio

import httpx
import respx

from app.core.config import Settings
from app.llm.client import build_client
from app.llm.slots import InFlightLimitedTransport
from tests.conftest import LIVE_BASE_URL


class SlowCountingTransport(httpx.AsyncBaseTransport):
    def __init__(self) -> None:
        self.in_flight = self.peak = self.served = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.in_flight += 1
        self.peak = max(self.peak, self.in_flight)
        await asyncio.sleep(0.01)
        self.in_flight -= 1
        self.served += 1
        return httpx.Response(200, json={"n": self.served})


async def test_no_more_than_the_limit_are_in_flight_and_every_request_is_answered() -> None:
    inner = SlowCountingTransport()
    async with httpx.AsyncClient(transport=InFlightLimitedTransport(inner, 3)) as client:
        responses = await asyncio.gather(*(client.get("http://llm.test/x") for _ in range(10)))

    assert [r.status_code for r in responses] == [200] * 10
    assert sorted(r.json()["n"] for r in responses) == list(range(1, 11))
    assert (inner.peak, inner.served) == (3, 10)


@respx.mock
async def test_the_client_factory_puts_the_cap_under_the_sdk(live_settings: Settings) -> None:
    capped = live_settings.model_copy(update={"llm_max_in_flight": 2})
    route = respx.get(f"{LIVE_BASE_URL}/models").respond(200, json={"object": "list", "data": []})

    client = build_client(capped)
    transport = client.client._client._transport  # type: ignore[union-attr]
    await client.client.models.list()  # type: ignore[union-attr]

    assert isinstance(transport, InFlightLimitedTransport) and transport.limit == 2
    assert route.call_count == 1
