"""A story scored from what a service returned (hand-made outcomes, no server)."""

from __future__ import annotations

from typing import Any

from app.eval.gold import GoldStory, Wording
from app.eval.score import ArticleOutcome, StoryOutcome, score_story, spans_of
from tests.app.eval.story import TEXT_A, TEXT_B, story


def stored(
    cid: int, text: str, evidence: str, value: float | None, run_id: int = 1
) -> dict[str, Any]:
    """A claim as GET /articles/{id}/claims shows it."""
    start = text.index(evidence)
    quantity = None if value is None else {"value": value, "unit": "x", "qualifier": "exact"}
    return {
        "id": cid,
        "run_id": run_id,
        "statement": f"claim {cid}",
        "subject": {"name": "Lindqvist Bridge", "type": "location"},
        "quantity": quantity,
        "evidence": {"quote": evidence, "char_start": start, "char_end": start + len(evidence)},
    }


def pair(left: int, right: int, relation: str) -> dict[str, Any]:
    return {"left": {"id": left}, "right": {"id": right}, "relation": relation, "explanation": "…"}


def test_spans_of_finds_every_place_and_nfc() -> None:
    assert spans_of("ab", "xxabyyab") == ((2, 4), (6, 8))
    assert spans_of("cafe\u0301", "un café") == ((3, 7),)  # decomposed é found as stored (NFC)
    assert spans_of("zz", "abc") == ()


def test_a_story_scored_claim_by_claim_and_pair_by_pair() -> None:
    gold = GoldStory.model_validate(story())
    a = ArticleOutcome(
        "a",
        article_id=1,
        text=TEXT_A,
        run={"id": 1, "llm_calls": 2, "prompt_tokens": 900, "completion_tokens": 300},
        claims=[
            stored(11, TEXT_A, "close to all traffic for 14 weeks", 14),  # a1
            stored(12, TEXT_A, "will cost 8.5 million euros", 8_500_000),  # a2
            stored(13, TEXT_A, "About 23,000 vehicles", 23_000),  # a3
            stored(14, TEXT_A, "detours would be signposted", 5),  # a4 has no figure: no match
        ],
        rejected=[{"reason": "quote not found", "payload": {"statement": "Made up."}}],
    )
    b = ArticleOutcome(
        "b",
        article_id=2,
        text=TEXT_B,
        run={"id": 2, "llm_calls": 1, "prompt_tokens": 800, "completion_tokens": 200},
        claims=[
            stored(21, TEXT_B, "shut for 14 weeks", 14, run_id=2),  # b1
            stored(22, TEXT_B, "at 11 million euros", 11_000_000, run_id=2),  # b2
            stored(24, TEXT_B, "Sundline plans extra crossings", None, run_id=2),  # b4
        ],
    )
    outcome = StoryOutcome(
        "bridge-orsa",
        {"a": a, "b": b},
        # a1~b1 right; a2~b2 found but called agree; a3~b3 missed (b3 never stored);
        # a4's stand-in (14, unmatched) paired with b4: a false pair.
        {("a", "b"): [pair(11, 21, "agree"), pair(12, 22, "agree"), pair(14, 24, "conflict")]},
    )
    score = score_story(gold, outcome, Wording.canonical)
    counts = score.counts
    assert (counts.gold_claims, counts.stored_claims, counts.matched_claims) == (8, 7, 6)
    assert counts.rejected_claims == 1
    figures = counts.figures()
    assert figures["claim_precision"] == 6 / 7
    assert figures["claim_recall"] == 6 / 8
    assert figures["grounding_rate"] == 7 / 8
    assert figures["alignment_precision"] == 2 / 3
    assert figures["alignment_recall"] == 2 / 3
    assert figures["relation_accuracy"] == 1 / 2
    assert figures["conflict_precision"] == 0.0
    assert figures["conflict_recall"] == 0.0
    assert figures["llm_calls_per_article"] == 1.5
    assert figures["tokens_per_article"] == 1100.0
    assert score.details["missed_claims"] == ["a4", "b3"]
    assert score.details["unmatched_claims"] == [
        {"article": "a", "id": 14, "statement": "claim 14"}
    ]
    assert score.details["missed_pairs"] == [
        {"left": "a3", "right": "b3", "relation": "agree", "offered_to_check": False}
    ]
    assert score.details["wrong_relations"] == [
        {"left": "a2", "right": "b2", "gold": "conflict", "predicted": "agree", "explanation": "…"}
    ]
    assert score.details["false_pairs"] == [
        {"left": "stored:14", "right": "b4", "relation": "conflict", "explanation": "…"}
    ]
    assert score.details["rejected"] == [
        {"article": "a", "reason": "quote not found", "statement": "Made up."}
    ]


def test_a_failed_article_misses_its_claims_and_pairs() -> None:
    gold = GoldStory.model_validate(story())
    a = ArticleOutcome("a", article_id=1, text=TEXT_A, run={"id": 1, "llm_calls": 1})
    a.error = "run 1 failed: llm_unavailable: connection refused"
    b = ArticleOutcome("b", article_id=2, text=TEXT_B, run={"id": 2, "llm_calls": 1})
    score = score_story(gold, StoryOutcome("bridge-orsa", {"a": a, "b": b}, {}), Wording.varied)
    counts = score.counts
    assert (counts.failed_articles, counts.matched_claims, counts.gold_claims) == (1, 0, 8)
    assert (counts.gold_pairs, counts.aligned_pairs) == (3, 0)
    assert counts.confusion_matrix()["conflict"]["none"] == 1
    assert score.details["failed_articles"] == {"a": a.error}
