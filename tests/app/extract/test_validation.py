"""The time of a grounded claim: resolved from its words, the model's dates kept only where the
words allow them."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from app.extract.validation import resolve_claim_time
from schemas import ExtractedClaim, TimeRef
from schemas.news_claims_v2 import ExtractedClaimV2

EVAL = Path(__file__).resolve().parents[3] / "eval"

# Wednesday 14 October 2026: an article on a vote to come and a protest that has been.
PUBLISHED = date(2026, 10, 14)


def _claim(text: str, start: date | None, end: date | None) -> ExtractedClaim:
    return ExtractedClaim.model_validate(
        {
            "statement": "Corvia's parliament is due to vote on the tuition fee increase.",
            "claim_type": "event",
            "subject": {"name": "Corvia parliament", "type": "organization"},
            "predicate": "is due to vote on",
            "time": {"text": text, "start": start, "end": end},
            "modality": "expected",
            "evidence": "parliament votes on the increase",
        }
    )


def _time(claim: ExtractedClaim) -> TimeRef:
    assert claim.time is not None
    return claim.time


@pytest.mark.parametrize(
    ("text", "model_start", "model_end", "start", "end"),
    [
        # The model read "is due to vote on 21 October" as the coming one: it stands.
        ("on 21 October", date(2026, 10, 21), date(2026, 10, 21), date(2026, 10, 21), None),
        ("on Friday", date(2026, 10, 16), None, date(2026, 10, 16), date(2026, 10, 16)),
        # A date the words cannot name is the model's error: the last Friday is taken.
        ("on Friday", date(2026, 10, 17), date(2026, 10, 17), date(2026, 10, 9), None),
        # Without the model's dates, the words name the last one.
        ("on 21 October", None, None, date(2025, 10, 21), None),
        # "since" runs to the publication day, whatever the model said.
        ("since June", date(2026, 6, 1), date(2026, 6, 30), date(2026, 6, 1), PUBLISHED),
    ],
)
def test_the_models_dates_stand_only_as_a_reading_of_the_words(
    text: str,
    model_start: date | None,
    model_end: date | None,
    start: date,
    end: date | None,
) -> None:
    got = _time(resolve_claim_time(_claim(text, model_start, model_end), PUBLISHED))
    assert (got.text, got.start, got.end) == (text, start, end or start)


def test_the_evaluation_sets_gold_times_come_out_as_the_gold_has_them() -> None:
    """Every gold claim's time, its dates given as the model's, resolved as extraction does."""
    differ = []
    for path in sorted(EVAL.glob("*/*.json")):
        story = json.loads(path.read_text(encoding="utf-8"))
        published = {a["key"]: a["published_at"][:10] for a in story["articles"]}
        for wording, articles in story["claims"].items():
            for key, claims in articles.items():
                for c in claims:
                    if not c.get("time"):
                        continue
                    claim = ExtractedClaimV2.model_validate(
                        {k: v for k, v in c.items() if k != "id"}
                    )
                    got = _time(resolve_claim_time(claim, date.fromisoformat(published[key])))
                    gold = (c["time"]["start"], c["time"]["end"])
                    if (str(got.start), str(got.end)) != gold:
                        differ.append((path.stem, wording, c["id"], c["time"]["text"]))
    assert differ == [
        ("ferry-sinking-aurelia-star", "canonical", "c9", "on Saturday night"),
        ("ferry-sinking-aurelia-star", "varied", "c9", "on Saturday night"),
    ]
