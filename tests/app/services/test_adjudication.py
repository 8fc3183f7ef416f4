"""The optional LLM adjudicator of undecided pairs (FACTDIFF_ADJUDICATOR=llm), through GET /diff.

The LLM endpoint is mocked with respx at the HTTP layer: extraction answers with the
hand-written claims of tests/app/indicators.py, and the adjudicator's questions are answered
from the hand-written verdicts under fixtures/llm/adjudicate_pair, which the replay transport
serves only when the request is exactly the one they were stamped for (prompt, schema, model
and pair).
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import httpx
import pytest
import respx
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import Engine
from sqlmodel import Session, select

from app.api.deps import get_engine
from app.api.main import app
from app.core.config import PROJECT_ROOT, AdjudicatorKind, Settings
from app.diff.types import Pair, Relation
from app.llm.client import build_client
from app.llm.replay import ReplayTransport
from app.services import comparison
from app.services.adjudication import adjudicator_of, ask_all, settle
from app.services.adjudicator import Adjudicator
from app.store.verdict_models import PairVerdictRow
from tests.app.conftest import race
from tests.app.diff.test_align import claim
from tests.app.indicators import (
    QUOTE_A,
    QUOTE_C,
    QUOTE_CORE,
    extraction_answer,
    post_indicator_articles,
)
from tests.conftest import LIVE_BASE_URL, ClientFactory
from tests.llm_stub import ok, tool_completion, verdict_completion

COMPLETIONS = f"{LIVE_BASE_URL}/chat/completions"
VERDICTS = ReplayTransport(PROJECT_ROOT / "fixtures" / "llm" / "adjudicate_pair")
SAME_REASON = (
    "Both give Estmark's consumer price growth for March, 3.4 vs 3.1 percent: two outlets "
    "disagree on one figure."
)
APART_REASON = (
    "Different measures: headline consumer price growth (3.4%) and underlying price growth "
    "(2.9%) are two indicators."
)


def is_verdict_request(request: httpx.Request) -> bool:
    body = json.loads(request.content)
    return bool(body["tool_choice"]["function"]["name"] == "PairVerdict")


class Endpoint:
    """The mocked LLM endpoint: extraction answers, and verdicts (or a fault) for the
    adjudicator, counting the adjudicator's requests."""

    def __init__(self) -> None:
        self.verdict_requests: list[dict[str, Any]] = []
        self.fault: httpx.Response | Exception | None = None
        self.gate: threading.Barrier | None = None  # verdicts wait for every racer to ask

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if not is_verdict_request(request):
            return extraction_answer(request)
        self.verdict_requests.append(json.loads(request.content))
        if self.gate is not None:
            self.gate.wait()
        if isinstance(self.fault, Exception):
            raise self.fault
        if self.fault is not None:
            return self.fault
        return VERDICTS.answer(json.loads(request.content))


@pytest.fixture
def endpoint() -> Iterator[Endpoint]:
    mocked = Endpoint()
    with respx.mock:
        respx.post(COMPLETIONS).mock(side_effect=mocked)
        yield mocked


@pytest.fixture
def judged_settings(live_settings: Settings) -> Settings:
    return live_settings.model_copy(update={"adjudicator": AdjudicatorKind.llm})


@pytest.fixture
def ids(make_client: ClientFactory, live_settings: Settings, endpoint: Endpoint) -> list[int]:
    return list(post_indicator_articles(make_client(live_settings)))


def get_diff(http: TestClient, left: int, right: int) -> dict[str, Any]:
    response = http.get("/diff", params={"left": f"article:{left}", "right": f"article:{right}"})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def test_off_by_default_the_pair_stays_undecided_and_no_one_is_asked(
    make_client: ClientFactory, live_settings: Settings, endpoint: Endpoint, ids: list[int]
) -> None:
    assert Settings(_env_file=None).adjudicator is AdjudicatorKind.off  # type: ignore[call-arg]
    diff = get_diff(make_client(live_settings), ids[0], ids[2])
    assert [p["right"]["evidence"]["quote"] for p in diff["undecided"]] == [QUOTE_C]
    assert diff["pairs"] == [] and endpoint.verdict_requests == []


def test_a_same_fact_verdict_makes_the_pair_with_the_adjudicated_relation(
    make_client: ClientFactory,
    judged_settings: Settings,
    endpoint: Endpoint,
    ids: list[int],
    engine: Engine,
) -> None:
    http = make_client(judged_settings)
    diff = get_diff(http, ids[0], ids[2])
    [pair] = diff["pairs"]
    assert pair["relation"] == "conflict"
    assert pair["explanation"] == (
        f"decided by the adjudicator (gpt-4.1-mini), which judged them one fact: {SAME_REASON}"
    )
    assert (pair["left"]["evidence"]["quote"], pair["right"]["evidence"]["quote"]) == (
        QUOTE_A,
        QUOTE_C,
    )
    assert diff["undecided"] == [] and diff["warnings"] == []
    assert diff["summary"] == {
        "agree": 0, "conflict": 1, "refines": 0, "updates": 0, "only_left": 0, "only_right": 1,
    }  # fmt: skip
    # The prompt carried both claims' statements, quotes, figures, dates and outlets as data.
    [request] = endpoint.verdict_requests
    user = request["messages"][1]["content"]
    for shown in (QUOTE_A, QUOTE_C, '"value": 3.4', '"value": 3.1', '"start": "2026-03-01"',
                  '"outlet": "Harbor Wire"', '"outlet": "Meridian Newswire"'):  # fmt: skip
        assert shown in user
    assert '"statement": "Estmark\'s consumer price growth was 3.1 percent in March."' in user
    assert user.count("<<<CLAIMS ") == 1 and request["temperature"] == 0.0
    with Session(engine) as session:
        [stored] = session.exec(select(PairVerdictRow)).all()
    assert (stored.same_fact, stored.relation, stored.model, stored.prompt) == (
        True,
        "conflict",
        "gpt-4.1-mini",
        "adjudicate_pair/v1",
    )
    # The Markdown and the page show the adjudicated conflict as a conflict.
    md = http.get(
        "/diff", params={"left": f"article:{ids[0]}", "right": f"article:{ids[2]}", "format": "md"}
    ).text
    assert "## Conflicts (1)" in md and "To check" not in md
    page = http.get(
        "/pages/diff", params={"left": f"article:{ids[0]}", "right": f"article:{ids[2]}"}
    )
    assert "⚠ Conflict: decided by the adjudicator (gpt-4.1-mini)" in page.text


def test_a_different_fact_verdict_keeps_the_pair_undecided_with_the_reason(
    make_client: ClientFactory, judged_settings: Settings, endpoint: Endpoint, ids: list[int]
) -> None:
    diff = get_diff(make_client(judged_settings), ids[0], ids[1])
    assert diff["pairs"] == [] and diff["warnings"] == []
    assert diff["summary"]["conflict"] == 0 and diff["summary"]["only_left"] == 1
    [held] = diff["undecided"]
    assert held["right"]["evidence"]["quote"] == QUOTE_CORE
    assert held["explanation"].endswith(
        f"(estmark · had consumer price growth of); the adjudicator judged them different "
        f"facts: {APART_REASON}"
    )
    assert held["why"] == (
        "They differ, but another claim matches one of them about as well, so calling this pair "
        f"a conflict would be a guess. The adjudicator judged them different facts: {APART_REASON}"
    )


def test_a_verdict_is_asked_once_then_read_back_for_the_pair_and_its_mirror(
    make_client: ClientFactory, judged_settings: Settings, endpoint: Endpoint, ids: list[int]
) -> None:
    http = make_client(judged_settings)
    first = get_diff(http, ids[0], ids[2])
    assert len(endpoint.verdict_requests) == 1
    again = get_diff(http, ids[0], ids[2])
    mirrored = get_diff(http, ids[2], ids[0])
    assert len(endpoint.verdict_requests) == 1  # no request since the first
    assert again == first
    [pair] = mirrored["pairs"]
    assert pair["relation"] == "conflict" and pair["left"]["evidence"]["quote"] == QUOTE_C
    # Another model is another question.
    other = make_client(judged_settings.model_copy(update={"llm_model": "other-model"}))
    endpoint.fault = httpx.Response(404, json={"error": {"message": "model not found"}})
    assert get_diff(other, ids[0], ids[2])["undecided"] != []
    assert len(endpoint.verdict_requests) == 2


def verdict_call(arguments: str) -> httpx.Response:
    """A completion calling PairVerdict with ``arguments`` as they are."""
    body = tool_completion([])
    body["choices"][0]["message"]["tool_calls"][0]["function"] = {
        "name": "PairVerdict",
        "arguments": arguments,
    }
    return ok(body)


FAULTS = {
    "timeout": (
        httpx.ReadTimeout("slow"),
        "(llm_unavailable): the LLM endpoint timed out (FACTDIFF_LLM_TIMEOUT_S)",
        3,
    ),
    "429": (
        httpx.Response(429, json={"error": {"message": "slow down"}}),
        "(llm_unavailable): the LLM endpoint is rate limiting (429): slow down",
        3,
    ),
    "bad-answer": (
        verdict_call('{"same_fact": "perhaps", "relation": "maybe"}'),
        "(llm_bad_output): the model's verdict did not fit the schema after 2 attempt(s)",
        2,
    ),
}


@pytest.mark.parametrize("fault", FAULTS, ids=list(FAULTS))
def test_a_fault_leaves_the_pair_undecided_with_a_warning(
    make_client: ClientFactory,
    judged_settings: Settings,
    endpoint: Endpoint,
    ids: list[int],
    engine: Engine,
    sleeps: list[float],
    fault: str,
) -> None:
    endpoint.fault, message, requests = FAULTS[fault]
    diff = get_diff(make_client(judged_settings), ids[0], ids[2])
    [held] = diff["undecided"]
    assert held["right"]["evidence"]["quote"] == QUOTE_C and diff["pairs"] == []
    [left_id, right_id] = held["left"]["id"], held["right"]["id"]
    assert diff["warnings"] == [
        f"the adjudicator could not judge claims {left_id} and {right_id} {message}; "
        "the pair stays undecided"
    ]
    assert len(endpoint.verdict_requests) == requests
    page = make_client(judged_settings).get(
        "/pages/diff", params={"left": f"article:{ids[0]}", "right": f"article:{ids[2]}"}
    )
    assert f"could not judge claims {left_id} and {right_id}" in page.text
    assert "To check: may be the same fact (1)" in page.text
    with Session(engine) as session:
        assert session.exec(select(PairVerdictRow)).all() == []  # a fault is not a verdict


def test_at_most_max_pairs_are_asked_and_the_rest_are_warned_of(
    judged_settings: Settings, endpoint: Endpoint, ids: list[int], engine: Engine
) -> None:
    # Called as a script would, outside the service: the adjudicator runs a loop of its own.
    settings = judged_settings.model_copy(update={"adjudicator_max_pairs": 1})
    adjudicator = adjudicator_of(settings, build_client(settings))
    assert adjudicator is not None
    with Session(engine) as session:
        one_fact, two_facts = (
            comparison.diff_sources(
                session, left=f"article:{ids[0]}", right=f"article:{other}",
                schema_name="news_claims",
            ).result
            for other in (ids[2], ids[1])
        )  # fmt: skip
        both = replace(one_fact, undecided=one_fact.undecided + two_facts.undecided)
        settled, warnings = settle(session, both, adjudicator)
    assert warnings == [
        "1 undecided pair(s) were not put to the adjudicator: at most 1 per diff "
        "(FACTDIFF_ADJUDICATOR_MAX_PAIRS)"
    ]
    assert len(endpoint.verdict_requests) == 1
    assert [p.relation for p in settled.pairs] == [Relation.conflict]
    assert settled.undecided == two_facts.undecided  # as it was: not asked
    assert settled.summary["conflict"] == 1 and settled.summary["only_left"] == 0


def test_two_diffs_storing_one_verdict_at_once_keep_one_row(
    backend: Engine,
    live_settings: Settings,
    judged_settings: Settings,
    endpoint: Endpoint,
    make_client: ClientFactory,
) -> None:
    http = make_client(live_settings)
    app.dependency_overrides[get_engine] = lambda: backend
    a, _, c = post_indicator_articles(http)
    endpoint.gate = threading.Barrier(2, timeout=30)

    def diff(_: int) -> tuple[list[tuple[Relation, str]], list[str]]:
        adjudicator = adjudicator_of(judged_settings, build_client(judged_settings))
        with Session(backend) as session:
            done = comparison.diff_sources(
                session, left=f"article:{a}", right=f"article:{c}", schema_name="news_claims",
                adjudicator=adjudicator,
            )  # fmt: skip
        return [(p.relation, p.explanation) for p in done.result.pairs], done.warnings

    results = race(2, diff)
    made = [(Relation.conflict, "decided by the adjudicator (gpt-4.1-mini), which judged them "
             f"one fact: {SAME_REASON}")]  # fmt: skip
    assert results == [(made, [])] * 2
    assert len(endpoint.verdict_requests) == 2  # both asked before either stored
    with Session(backend) as session:
        [row] = session.exec(select(PairVerdictRow)).all()
    assert (row.same_fact, row.reason) == (True, SAME_REASON)


def test_an_adjudicator_with_an_endpoint_of_its_own_is_asked_there_with_its_model_and_key(
    make_client: ClientFactory,
    judged_settings: Settings,
    endpoint: Endpoint,
    ids: list[int],
    engine: Engine,
) -> None:
    """FACTDIFF_ADJUDICATOR_BASE_URL/_MODEL/_API_KEY: extraction stays on its endpoint, the
    verdicts come from the judge's, in its model's name."""
    judge_url = "http://judge.test/v1"
    settings = judged_settings.model_copy(
        update={
            "adjudicator_base_url": judge_url,
            "adjudicator_model": "judge-7b",
            "adjudicator_api_key": SecretStr("sk-judge"),
        }
    )
    # Written for this test: the judge's verdict on the pair the diff leaves undecided.
    answer = ok(verdict_completion(True, "conflict", SAME_REASON))
    judge = respx.post(f"{judge_url}/chat/completions").mock(return_value=answer)

    with make_client(settings) as http:
        diff = get_diff(http, ids[0], ids[2])

    [pair] = diff["pairs"]
    assert pair["relation"] == "conflict"
    assert pair["explanation"] == (
        f"decided by the adjudicator (judge-7b), which judged them one fact: {SAME_REASON}"
    )
    assert endpoint.verdict_requests == []  # the extraction endpoint was not asked
    [asked] = judge.calls
    assert json.loads(asked.request.content)["model"] == "judge-7b"
    assert asked.request.headers["authorization"] == "Bearer sk-judge"
    with Session(engine) as session:
        [stored] = session.exec(select(PairVerdictRow)).all()
    assert (stored.same_fact, stored.relation, stored.model) == (True, "conflict", "judge-7b")


def test_a_judge_that_answers_in_turn_is_asked_one_question_at_a_time(
    live_settings: Settings,
) -> None:
    """FACTDIFF_ADJUDICATOR_MAX_IN_FLIGHT=1: a diff's questions wait for each other on our
    side, not in the queue of a local server (where they would time out)."""
    left, right = claim(), claim(value=270, quote="Kenya has sent another 270 police officers")
    pairs = [Pair(Relation.conflict, left, right, 0.6, "scored under the threshold")] * 4
    in_flight = peak = 0

    async def answer(request: httpx.Request) -> httpx.Response:
        nonlocal in_flight, peak
        in_flight += 1
        peak = max(peak, in_flight)
        await asyncio.sleep(0.05)
        in_flight -= 1
        return ok(verdict_completion(True, "conflict", SAME_REASON))

    peaks = []
    for cap in (0, 1):
        judge = live_settings.model_copy(
            update={"adjudicator": AdjudicatorKind.llm, "adjudicator_max_in_flight": cap}
        ).adjudicator_settings()
        peak = 0
        with respx.mock:
            respx.post(COMPLETIONS).mock(side_effect=answer)
            verdicts = asyncio.run(ask_all(Adjudicator(build_client(judge), judge), pairs))
        assert [v.same_fact for v in verdicts if not isinstance(v, Exception)] == [True] * 4
        peaks.append(peak)
    assert peaks == [4, 1]  # 0: as extraction's (FACTDIFF_LLM_MAX_CONCURRENCY, 8 by default)
