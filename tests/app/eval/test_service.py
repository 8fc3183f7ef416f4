"""What the collector does with a service that refuses, fails an article or answers oddly
(the service mocked at the HTTP layer with respx)."""

from __future__ import annotations

import httpx
import pytest
import respx

from app.eval.gold import GoldStory
from app.eval.service import ServiceError, ServiceOptions, collect
from tests.app.eval.story import TEXT_B, story

SERVER = "http://factdiff.test"
GOLD = GoldStory.model_validate(story())


def options() -> ServiceOptions:
    return ServiceOptions(SERVER, api_key="read-only-key-0123456789", poll_s=0.01)


@respx.mock
async def test_a_refused_key_stops_the_evaluation_with_a_hint() -> None:
    respx.post(f"{SERVER}/articles").respond(403, json={"detail": "this key may only read"})
    with pytest.raises(ServiceError) as caught:
        await collect([GOLD], options())
    assert str(caught.value) == (
        "POST /articles: 403 this key may only read (pass --api-key or set FACTDIFF_API_KEY; "
        "submitting needs a write key)"
    )
    assert respx.calls[0].request.headers["authorization"] == "Bearer read-only-key-0123456789"


@respx.mock
async def test_an_answer_of_the_wrong_shape_is_named() -> None:
    respx.post(f"{SERVER}/articles").respond(201, json={"article": {"id": "seven"}, "run": {}})
    with pytest.raises(ServiceError) as caught:
        await collect([GOLD], options())
    assert str(caught.value) == (
        "POST /articles: unexpected answer: article.id: "
        "Input should be a valid integer, unable to parse string as an integer"
    )


@respx.mock
async def test_a_failed_article_is_recorded_and_the_rest_evaluated() -> None:
    def submit(request: httpx.Request) -> httpx.Response:
        if b"Orsa city council has announced" in request.content:  # article b
            run = {"id": 2, "status": "queued", "llm_calls": 0}
            return httpx.Response(202, json={"article": {"id": 2}, "run": run, "claims": []})
        detail = {"reason": "llm_unavailable", "message": "connection refused", "run_id": 1,
                  "article_id": 1}  # fmt: skip
        return httpx.Response(503, json={"detail": detail})

    respx.post(f"{SERVER}/articles").mock(side_effect=submit)
    respx.get(f"{SERVER}/runs/2").mock(
        side_effect=[
            httpx.Response(200, json={"id": 2, "status": "running"}),
            httpx.Response(200, json={"id": 2, "status": "succeeded", "llm_calls": 1}),
        ]
    )
    respx.get(f"{SERVER}/articles/2").respond(200, json={"id": 2, "text": TEXT_B})
    claim = {"id": 9, "run_id": 2, "statement": "The ferry runs.", "fact_kind": "other",
             "evidence": {"char_start": 3, "char_end": 9}}  # fmt: skip
    other_run = claim | {"id": 10, "run_id": 5}
    respx.get(f"{SERVER}/articles/2/claims").respond(200, json={"data": [claim, other_run]})
    respx.get(f"{SERVER}/runs/2/rejected").respond(200, json={"data": []})
    diff = respx.get(f"{SERVER}/diff").respond(200, json={"pairs": []})

    (outcome,) = await collect([GOLD], options())
    a, b = outcome.articles["a"], outcome.articles["b"]
    assert a.error == (
        "POST /articles: 503 {'reason': 'llm_unavailable', 'message': 'connection refused', "
        "'run_id': 1, 'article_id': 1}"
    )
    assert (a.article_id, a.claims) == (1, [])
    assert b.error is None and b.run["llm_calls"] == 1
    assert [c["id"] for c in b.claims] == [9]  # the run's claims only
    assert b.claims[0]["fact_kind"] == "other"  # fields the figures may use are kept
    assert diff.calls.last.request.url.params["left"] == "article:1"
    assert outcome.diffs == {("a", "b"): []}
