"""Cutting an article's text into the stretches that claims' quotes cover."""

from __future__ import annotations

from app.web.marks import Span, Stretch, stretches

TEXT = "Kenya sent 217 officers 🚓 to Haiti on Saturday."


def quote_of(parts: list[Stretch], claim_id: int) -> str:
    return "".join(p.text for p in parts if claim_id in p.claims)


def test_overlapping_and_nested_quotes_each_join_back_to_their_offsets() -> None:
    spans = [Span(1, 0, 23), Span(2, 11, 34), Span(3, 15, 25)]  # 2 overlaps 1; 3 inside both
    parts = stretches(TEXT, spans)
    assert "".join(p.text for p in parts) == TEXT
    for span in spans:
        assert quote_of(parts, span.claim_id) == TEXT[span.start : span.end]
    assert [(p.text, p.claims) for p in parts] == [
        ("Kenya sent ", (1,)),
        ("217 ", (1, 2)),
        ("officers", (1, 2, 3)),
        (" 🚓", (2, 3)),
        (" to Haiti", (2,)),
        (" on Saturday.", ()),
    ]
    assert [p.starts for p in parts][:3] == [(1,), (2,), (3,)]
    assert [p.ends for p in parts][:5] == [(), (), (1,), (3,), (2,)]


def test_offsets_outside_the_text_are_clipped_and_empty_quotes_dropped() -> None:
    parts = stretches("short", [Span(1, 2, 99), Span(2, 3, 3), Span(3, -4, 1)])
    assert [(p.text, p.claims) for p in parts] == [
        ("s", (3,)),
        ("h", ()),
        ("ort", (1,)),
    ]


def test_a_text_without_claims_is_one_unmarked_stretch() -> None:
    assert stretches(TEXT, []) == [Stretch(TEXT, (), (), ())]
