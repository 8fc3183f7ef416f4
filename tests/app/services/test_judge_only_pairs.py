"""Pairs that name no entity in common go to the adjudicator alone (DiffResult.for_judge).

Words cannot tell that "five satellites were in touch with ground control" (the article's
subject: ground control) and "seven satellites are operating normally, according to the
agency" (the agency) count one fleet: the tie gate closes the pair before any scoring, and no
reader is shown it. A judge can tell, so with FACTDIFF_ADJUDICATOR=llm it is asked.
"""

from __future__ import annotations

from dataclasses import replace

import httpx
import respx
from sqlalchemy.pool import StaticPool
from sqlmodel import Session, SQLModel, create_engine

from app.core.config import AdjudicatorKind, Settings
from app.diff.align import diff_claims
from app.diff.evaluation import gold_diff_claims
from app.diff.types import DiffResult, Relation
from app.llm.client import build_client
from app.services.adjudication import adjudicator_of, settle
from bench.diff_eval import load
from tests.conftest import LIVE_BASE_URL
from tests.llm_stub import ok, verdict_completion

COMPLETIONS = f"{LIVE_BASE_URL}/chat/completions"


def satellites(*, with_untied: bool) -> DiffResult:
    """The Kestrel launch's second and third articles under the varied wording."""
    (story,) = (s for s in load("dev") if s["story"] == "satellite-launch-kestrel")
    claims = gold_diff_claims(story, "varied")
    left, right = ([c for _, c in claims[k]] for k in ("b", "c"))
    return diff_claims(left, right, with_untied=with_untied)


def test_the_pair_is_listed_for_a_judge_only_when_asked_for() -> None:
    plain, asked = satellites(with_untied=False), satellites(with_untied=True)

    assert (plain.pairs, plain.undecided) == (asked.pairs, asked.undecided)
    assert plain.for_judge == []
    (pair,) = asked.for_judge
    assert (pair.left.value, pair.right.value, pair.relation) == (5, 7, Relation.updates)
    assert (
        pair.left.statement
        == "Five satellites were in touch with ground control on Friday morning."
    )
    assert pair.explanation.startswith("no entity named in common: as-of time decides: ")
    assert round(pair.score, 3) == 0.127


def judged(live_settings: Settings, answer: httpx.Response) -> tuple[DiffResult, list[str], int]:
    settings = live_settings.model_copy(update={"adjudicator": AdjudicatorKind.llm})
    adjudicator = adjudicator_of(settings, build_client(settings))
    assert adjudicator is not None
    result = replace(satellites(with_untied=True), undecided=[])  # the judge-only pair alone
    engine = create_engine("sqlite://", poolclass=StaticPool)  # where verdicts are kept
    SQLModel.metadata.create_all(engine)
    with respx.mock, Session(engine) as session:
        route = respx.post(COMPLETIONS).mock(return_value=answer)
        settled, warnings = settle(session, result, adjudicator)
    return settled, warnings, route.call_count


def test_a_judge_that_finds_one_fact_makes_the_pair(live_settings: Settings) -> None:
    answer = ok(verdict_completion(True, "updates", "One fleet counted on two days."))

    settled, warnings, calls = judged(live_settings, answer)

    assert (calls, warnings) == (1, [])
    (made,) = [p for p in settled.pairs if p.left.value == 5]
    assert (made.right.value, made.relation) == (7, Relation.updates)
    assert made.explanation == (
        "decided by the adjudicator (gpt-4.1-mini), which judged them one fact: "
        "One fleet counted on two days."
    )
    assert settled.for_judge == [] and settled.summary["updates"] >= 1


def test_a_judge_that_finds_two_facts_or_fails_leaves_no_trace_for_a_reader(
    live_settings: Settings,
) -> None:
    apart = ok(verdict_completion(False, "agree", "Different counts."))
    for answer in (apart, httpx.Response(500, json={"error": {"message": "down"}})):
        settled, warnings, calls = judged(live_settings, answer)

        assert calls >= 1 and warnings == []
        assert all(p.left.value != 5 for p in settled.pairs + settled.undecided)
        assert settled.for_judge == []
