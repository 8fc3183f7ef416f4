"""bench.judge_eval: which pairs it asks about, and how it scores a judge's verdicts."""

from __future__ import annotations

import asyncio

import respx

from app.core.config import Settings
from app.llm.client import build_client
from app.services.adjudicator import Adjudicator
from bench.diff_eval import load
from bench.judge_eval import judge, questions
from tests.conftest import LIVE_BASE_URL
from tests.llm_stub import ok, verdict_completion


def test_the_pairs_asked_are_the_undecided_ones_with_their_gold() -> None:
    asked = questions(load("dev"), "varied")

    assert (len(asked), sum(q.gold is not None for q in asked)) == (71, 45)
    # Seven name no entity in common. Two articles making two or more other pairs tell one
    # story, and there such a pair is made (seven of dev's, all gold: not asked) or, as a
    # conflict, offered to a reader (the first two and the outbreak's two grants of money);
    # the rest are put to the judge alone.
    untied = [
        (q.story, q.pair.left.value, q.pair.right.value, q.pair.relation.value, q.gold)
        for q in asked
        if q.pair.explanation.startswith("no entity named in common: ")
    ]
    assert untied == [
        ("bank-collapse-sorrel", 38, 46, "conflict", "conflict"),
        ("cyclone-merrow-coast", 2, 3, "conflict", None),
        ("election-tallow-districts", 61.4, 61.4, "agree", "agree"),
        ("ferry-sinking-aurelia-star", 298, 240, "updates", None),
        ("outbreak-marsh-fever-counties", 5_000_000, 3_000_000, "conflict", None),
        ("referendum-ostvald", 240, 240, "agree", "agree"),
        ("satellite-launch-kestrel", 5, 7, "updates", "updates"),
    ]
    assert all(q.pair.left.article_id != q.pair.right.article_id for q in asked)
    # The seed story's two Kenyan totals (400 in June 2024, more than 600 now) are one of them.
    figures = [
        (q.pair.left.value, q.pair.right.value, q.gold) for q in asked if q.story == "kenya-haiti"
    ]
    assert figures == [(600, 400, "updates")]


def test_a_judge_that_always_says_one_fact_is_right_on_the_gold_pairs_only(
    live_settings: Settings,
) -> None:
    asked = questions(load("dev"), "varied")
    with respx.mock:
        # Written for this test: a judge that always gives the same answer.
        answer = ok(verdict_completion(True, "updates", "always the same"))
        respx.post(f"{LIVE_BASE_URL}/chat/completions").mock(return_value=answer)
        tally = asyncio.run(judge(Adjudicator(build_client(live_settings), live_settings), asked))

    updates = sum(q.gold == "updates" for q in asked)
    assert (tally.asked, tally.failed, tally.right, tally.said_same) == (71, 0, 45, 71)
    assert (tally.said_same_gold, tally.relation_right) == (45, updates)
