"""Score one story: what the service stored and paired, against the story's gold (pure).

The outcome classes are what app.eval.service collects over HTTP; nothing here talks to it."""

from __future__ import annotations

import itertools
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from app.eval.gold import GoldStory, Wording
from app.eval.metrics import (
    Counts,
    GoldClaim,
    GoldPair,
    PredictedPair,
    StoredClaim,
    match_claims,
    score_pairs,
)


@dataclass
class ArticleOutcome:
    key: str
    article_id: int | None = None
    text: str = ""
    run: dict[str, Any] = field(default_factory=dict)
    claims: list[dict[str, Any]] = field(default_factory=list)
    rejected: list[dict[str, Any]] = field(default_factory=list)
    reused: bool = False
    error: str | None = None  # why the service made no claims of it


@dataclass
class StoryOutcome:
    story: str
    articles: dict[str, ArticleOutcome]
    diffs: dict[tuple[str, str], list[dict[str, Any]]]  # (left key, right key) -> its pairs
    offered: dict[tuple[str, str], list[dict[str, Any]]] = field(default_factory=dict)  # undecided


@dataclass
class StoryScore:
    story: str
    split: str
    counts: Counts
    details: dict[str, Any] = field(default_factory=dict)  # what went wrong, by name


def spans_of(evidence: str, text: str) -> tuple[tuple[int, int], ...]:
    """Every place the evidence stands in the text (as stored: NFC)."""
    needle = unicodedata.normalize("NFC", evidence)
    spans, start = [], text.find(needle)
    while needle and start >= 0:
        spans.append((start, start + len(needle)))
        start = text.find(needle, start + 1)
    return tuple(spans)


def gold_claim(claim: dict[str, Any], text: str) -> GoldClaim:
    quantity = claim.get("quantity") or {}
    subject = claim.get("subject") or {}
    return GoldClaim(
        id=str(claim["id"]),
        spans=spans_of(str(claim["evidence"]), text),
        value=quantity.get("value"),
        fact_kind=claim.get("fact_kind"),
        subject=subject.get("name") if isinstance(subject, dict) else None,
    )


def stored_claim(claim: dict[str, Any]) -> StoredClaim:
    quantity = claim.get("quantity") or {}
    evidence = claim["evidence"]
    return StoredClaim(
        id=int(claim["id"]),
        span=(int(evidence["char_start"]), int(evidence["char_end"])),
        value=quantity.get("value"),
        fact_kind=claim.get("fact_kind"),
        subject=(claim.get("subject") or {}).get("name"),
    )


def score_story(story: GoldStory, outcome: StoryOutcome, wording: Wording) -> StoryScore:
    counts = Counts()
    details: dict[str, Any] = {
        "missed_claims": [],
        "unmatched_claims": [],
        "rejected": [],
        "failed_articles": {},
        "missed_pairs": [],
        "false_pairs": [],
        "wrong_relations": [],
    }
    matched: dict[int, str] = {}
    for article in story.articles:
        got = outcome.articles[article.key]
        gold = [
            gold_claim(c, got.text or article.text) for c in story.claims_of(wording, article.key)
        ]
        stored = [stored_claim(c) for c in got.claims]
        found = match_claims(gold, stored)
        matched |= found
        counts.articles += 1
        counts.failed_articles += got.error is not None
        counts.gold_claims += len(gold)
        counts.stored_claims += len(stored)
        counts.matched_claims += len(found)
        counts.rejected_claims += len(got.rejected)
        counts.llm_calls += int(got.run.get("llm_calls") or 0)
        counts.prompt_tokens += int(got.run.get("prompt_tokens") or 0)
        counts.completion_tokens += int(got.run.get("completion_tokens") or 0)
        if got.error:
            details["failed_articles"][article.key] = got.error
        taken = set(found.values())
        details["missed_claims"] += [g.id for g in gold if g.id not in taken]
        details["unmatched_claims"] += [
            {"article": article.key, "id": c["id"], "statement": c["statement"]}
            for c in got.claims
            if c["id"] not in found
        ]
        details["rejected"] += [
            {"article": article.key, "reason": r.get("reason"), "statement": _statement(r)}
            for r in got.rejected
        ]
    for left, right in itertools.combinations([a.key for a in story.articles], 2):
        pairs = outcome.diffs.get((left, right), [])
        gold_pairs = [
            GoldPair(p.left, p.right, p.relation)
            for p in story.pairs
            if {story.article_of(p.left), story.article_of(p.right)} == {left, right}
        ]
        offered = outcome.offered.get((left, right), [])
        result = score_pairs(gold_pairs, _pairs(pairs), matched, _pairs(offered))
        counts.add(result.counts)
        details["missed_pairs"] += [
            {"left": p.left, "right": p.right, "relation": p.relation,
             "offered_to_check": p in result.offered}
            for p in result.missed
        ]  # fmt: skip
        details["false_pairs"] += [
            {"left": gl or f"stored:{p.left}", "right": gr or f"stored:{p.right}",
             "relation": p.relation, "explanation": p.explanation}
            for p, gl, gr in result.false
        ]  # fmt: skip
        details["wrong_relations"] += [
            {"left": g.left, "right": g.right, "gold": g.relation, "predicted": p.relation,
             "explanation": p.explanation}
            for g, p in result.wrong
        ]  # fmt: skip
    return StoryScore(story.story, story.split, counts, details)


def _pairs(answered: list[dict[str, Any]]) -> list[PredictedPair]:
    """The pairs of a diff's answer (made or offered to check), by stored claim ids."""
    return [
        PredictedPair(
            p["left"]["id"],
            p["right"]["id"],
            p["relation"],
            p.get("explanation", ""),
            linked=p.get("linked_by") is not None,
        )
        for p in answered
    ]


def _statement(rejected: dict[str, Any]) -> str | None:
    payload = rejected.get("payload") or {}
    statement = payload.get("statement") if isinstance(payload, dict) else None
    return str(statement) if statement is not None else None
