"""The claim diff: fixture articles, every relation / qualifier / unit / date case, properties."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.diff.align import (
    DiffClaim,
    DiffResult,
    Relation,
    diff_claims,
    features,
    pair_score,
    score_features,
)

FIXTURES = Path(__file__).resolve().parents[3] / "fixtures"
ARTICLE_IDS = {
    "kenya-haiti-217": 1,
    "kenya-haiti-270": 2,
    "kenya-haiti-wire": 3,
    "kenya-haiti-fr": 4,
    "unrelated-city-budget": 5,
}


def article_text(stem: str) -> str:
    data: dict[str, Any] = json.loads((FIXTURES / "articles" / f"{stem}.json").read_text("utf-8"))
    return str(data["text"])


def fixture_claims(stem: str) -> list[DiffClaim]:
    """The final answer of a hand-written claim fixture as DiffClaims (ids unique per article)."""
    article = json.loads((FIXTURES / "articles" / f"{stem}.json").read_text("utf-8"))
    answer = json.loads((FIXTURES / "llm" / "news_claims" / f"{stem}.json").read_text("utf-8"))
    article_id = ARTICLE_IDS[stem]
    published = datetime.fromisoformat(article["published_at"].replace("Z", "+00:00"))
    out = []
    for n, c in enumerate(answer["exchanges"][-1]["answer"]["claims"]):
        q, t = c.get("quantity") or {}, c.get("time") or {}
        start = article["text"].find(c["evidence"])  # -1 for the fr fixture's normalized quotes
        out.append(
            DiffClaim(
                id=article_id * 100 + n,
                article_id=article_id,
                run_id=article_id,
                outlet=article["outlet"],
                published_at=published,
                statement=c["statement"],
                claim_type=c["claim_type"],
                subject=c["subject"]["name"].casefold(),
                subject_type=c["subject"]["type"],
                predicate=c["predicate"],
                object=c.get("object"),
                value=q.get("value"),
                unit=q.get("unit"),
                qualifier=q.get("qualifier"),
                time_text=t.get("text"),
                time_start=date.fromisoformat(t["start"]) if t.get("start") else None,
                time_end=date.fromisoformat(t["end"]) if t.get("end") else None,
                location=c.get("location"),
                attribution=c.get("attribution"),
                modality=c["modality"],
                quote=c["evidence"],
                char_start=start,
                char_end=start + len(c["evidence"]) if start >= 0 else -1,
            )
        )
    return out


# --- the fixture articles --------------------------------------------------------------------


def test_217_vs_270_is_one_conflict_on_the_deployment() -> None:
    result = diff_claims(fixture_claims("kenya-haiti-217"), fixture_claims("kenya-haiti-270"))
    conflicts = [p for p in result.pairs if p.relation is Relation.conflict]
    assert len(conflicts) == 1
    pair = conflicts[0]
    assert (pair.left.value, pair.right.value) == (217, 270)
    assert pair.left.quote == "Kenya dispatched 217 more police officers to Haiti on Saturday"
    assert pair.right.quote == "Kenya has sent another 270 police officers to Haiti"
    for claim, stem in ((pair.left, "kenya-haiti-217"), (pair.right, "kenya-haiti-270")):
        assert article_text(stem)[claim.char_start : claim.char_end] == claim.quote
    # The figure decides; the date (one journey, a day apart) and the attribution are named.
    assert pair.explanation.startswith("figure decides: 217 officers vs 270 officers; date: ")
    for part in ("2025-01-18", "2025-01-17", "within a day's precision", "Kenyan officials"):
        assert part in pair.explanation
    # The two reports share no other fact about the same subject: nothing else may be invented,
    # least of all the 270 fixture's mislabelled "contingent of 217" claim as an agreement.
    assert result.summary == {
        "agree": 0, "conflict": 1, "refines": 0, "updates": 0, "only_left": 13,
        "only_right": 11,
    }  # fmt: skip


@pytest.mark.parametrize(
    ("left", "right", "value", "unit_words"),
    [
        ("kenya-haiti-217", "kenya-haiti-wire", 1000, ("1,000 personnel", "1,000 officers")),
        ("kenya-haiti-217", "kenya-haiti-wire", 3100, ("over 3,100 troops",)),
        ("kenya-haiti-217", "kenya-haiti-wire", 10, ("10 countries",)),
        ("kenya-haiti-270", "kenya-haiti-wire", 300_000_000, ("over 300,000,000 USD",)),
        ("kenya-haiti-217", "kenya-haiti-fr", 217, ("217 officers",)),
        ("kenya-haiti-217", "kenya-haiti-fr", 1_000_000, ("over 1,000,000 people",)),
    ],
)
def test_facts_both_outlets_state_agree(
    left: str, right: str, value: float, unit_words: tuple[str, ...]
) -> None:
    result = diff_claims(fixture_claims(left), fixture_claims(right))
    [pair] = [p for p in result.pairs if p.left.value == value]
    assert pair.relation is Relation.agree
    assert pair.right.value == value
    assert all(words in pair.explanation for words in unit_words)


def test_vaguer_report_refines_and_dates_are_compared() -> None:
    wire = fixture_claims("kenya-haiti-wire")
    refined = diff_claims(fixture_claims("kenya-haiti-217"), wire)
    [pair] = [p for p in refined.pairs if p.left.value == 217]
    assert pair.relation is Relation.refines  # 217 on the 18th is inside "over 200, 18-19"
    assert pair.right.value == 200
    # 270 left on Friday night, the 17th, and arrived over the weekend: one journey, not a date
    # conflict. The figure fits "over 200" and decides; the date is named.
    dated = diff_claims(fixture_claims("kenya-haiti-270"), wire)
    [pair] = [p for p in dated.pairs if p.left.value == 270]
    assert pair.relation is Relation.refines
    assert pair.explanation.startswith("figure decides: 270 officers vs over 200 officers: ")
    assert "2025-01-17" in pair.explanation and "2025-01-18..2025-01-19" in pair.explanation
    assert "1 day apart, within a day's precision" in pair.explanation


def test_unrelated_article_aligns_with_nothing() -> None:
    budget, kenya = fixture_claims("unrelated-city-budget"), fixture_claims("kenya-haiti-217")
    result = diff_claims(budget, kenya)
    assert result.pairs == []
    assert (len(result.only_left), len(result.only_right)) == (len(budget), len(kenya))


# --- hand-built cases ------------------------------------------------------------------------

_ids = iter(range(10_000, 1_000_000))


def claim(**fields: Any) -> DiffClaim:
    base = DiffClaim(
        id=0, article_id=0, run_id=1, outlet="Harbor Wire",
        published_at=datetime(2025, 1, 18, tzinfo=UTC),
        statement="Kenya deployed 217 additional police officers to Haiti.",
        claim_type="event", subject="kenya", subject_type="country", predicate="deployed",
        object="additional police officers to Haiti", value=217, unit="officers",
        qualifier="exact", time_text="on Saturday", time_start=date(2025, 1, 18),
        time_end=date(2025, 1, 18), location="Haiti", attribution=None, modality="asserted",
        quote="Kenya dispatched 217 more police officers", char_start=0, char_end=41,
    )  # fmt: skip
    n = next(_ids)
    return replace(base, **{"id": n, "article_id": n, **fields})


def one_pair(a: DiffClaim, b: DiffClaim) -> tuple[Relation, str]:
    result = diff_claims([a], [b])
    assert len(result.pairs) == 1, f"not aligned: {pair_score(a, b)}"
    return result.pairs[0].relation, result.pairs[0].explanation


def unaligned(a: DiffClaim, b: DiffClaim) -> bool:
    result = diff_claims([a], [b])
    return not result.pairs and result.only_left == [a] and result.only_right == [b]


@pytest.mark.parametrize(
    ("left", "right", "relation"),
    [
        (("exact", 217), ("exact", 270), "conflict"),
        (("exact", 217), ("exact", 217), "agree"),
        (("over", 200), ("exact", 217), "refines"),  # 217 satisfies "over 200", more precisely
        (("over", 200), ("exact", 200), "conflict"),  # "over" is strict
        (("about", 20), ("about", 20), "agree"),  # "nearly 20" is extracted as about 20
        (("about", 20), ("exact", 20), "refines"),  # the exact count is the precise one
        (("about", 20), ("exact", 21), "refines"),  # inside ±5%
        (("about", 20), ("exact", 22), "conflict"),  # outside ±5%
        (("about", 20), ("about", 21), "agree"),  # two estimates within one rounding
        (("about", 20), ("about", 22), "conflict"),  # two estimates 10% apart
        (("about", 4200), ("about", 3800), "conflict"),  # union vs employer: both hedged
        (("about", 20), ("about", 25), "conflict"),
        (("over", 3100), ("over", 3100), "agree"),
        (("at_least", 1000), ("exact", 1000), "refines"),
        (("at_least", 1000), ("over", 1000), "refines"),
        (("at_least", 1000), ("exact", 900), "conflict"),
        (("up_to", 500), ("exact", 600), "conflict"),
        (("up_to", 500), ("exact", 500), "refines"),
        (("under", 10), ("exact", 12), "conflict"),
        (("under", 10), ("exact", 10), "conflict"),
        (("under", 10), ("exact", 8), "refines"),
        (("over", 200), ("under", 300), "agree"),  # compatible, neither narrower
        (("over", 300), ("under", 200), "conflict"),
        (("about", 20), ("over", 15), "refines"),
    ],
)
def test_qualifiers(left: tuple[str, int], right: tuple[str, int], relation: str) -> None:
    a = claim(qualifier=left[0], value=left[1])
    b = claim(qualifier=right[0], value=right[1])
    assert one_pair(a, b)[0] == relation
    assert one_pair(b, a)[0] == relation  # the relation does not depend on the side


@pytest.mark.parametrize(
    ("left", "right"),
    [
        ("officers", "police officers"),
        ("officer", "officers"),
        ("personnel", "officers"),  # one family: security personnel head counts
        ("troops", "officers"),
        ("USD", "$"),
        ("dollars", "USD"),
        ("countries", "country"),
    ],
)
def test_units_that_compare(left: str, right: str) -> None:
    relation, explanation = one_pair(claim(unit=left, value=1000), claim(unit=right, value=1000))
    assert relation is Relation.agree
    assert left in explanation and right in explanation  # the wording difference is shown


@pytest.mark.parametrize(
    ("left", "right"), [("people", "officers"), ("USD", "EUR"), ("percent", "officers")]
)
def test_units_that_do_not_compare_are_not_aligned(left: str, right: str) -> None:
    assert unaligned(claim(unit=left), claim(unit=right))


def test_figure_on_one_side_only_refines() -> None:
    relation, explanation = one_pair(claim(), claim(value=None, unit=None, qualifier=None))
    assert relation is Relation.refines
    assert "only left gives a figure" in explanation


def d(iso: str) -> date:
    return date.fromisoformat(iso)


@pytest.mark.parametrize(
    ("left", "right", "relation"),
    [
        (("2025-01-18", "2025-01-18"), ("2025-01-18", "2025-01-18"), "agree"),
        (("2025-01-18", "2025-01-18"), ("2025-01-17", "2025-01-17"), "agree"),  # a day apart
        (("2025-01-18", "2025-01-18"), ("2025-01-16", "2025-01-16"), "conflict"),
        (("2025-01-01", "2025-01-31"), ("2025-01-18", "2025-01-18"), "refines"),  # January
        (("2025-01-18", "2025-01-19"), ("2025-01-18", "2025-01-18"), "refines"),  # weekend
        (("2025-01-17", "2025-01-18"), ("2025-01-18", "2025-01-19"), "agree"),  # overlap
        (("2024-06-01", "2024-06-30"), ("2025-01-18", "2025-01-18"), "conflict"),
    ],
)
def test_dates_decide_between_claims_without_figures(
    left: tuple[str, str], right: tuple[str, str], relation: str
) -> None:
    undated = {"value": None, "unit": None, "qualifier": None}
    a = claim(time_start=d(left[0]), time_end=d(left[1]), time_text="x", **undated)
    b = claim(time_start=d(right[0]), time_end=d(right[1]), time_text="y", **undated)
    found, explanation = one_pair(a, b)
    assert found == relation
    assert explanation.startswith("date decides: ")


def test_a_date_difference_never_overrides_an_agreeing_figure() -> None:
    a = claim(time_text="on Saturday")
    b = claim(time_text="on Wednesday", time_start=d("2025-01-22"), time_end=d("2025-01-22"))
    relation, explanation = one_pair(a, b)
    assert relation is Relation.agree
    assert explanation.startswith(
        "figure decides: 217 officers in both; date: on Saturday (2025-01-18) vs on Wednesday "
        "(2025-01-22)"
    )


def test_month_range_is_described_as_a_month() -> None:
    # The figure is the same: a more precise date is named, but the figure decides.
    a = claim(time_text="January", time_start=d("2025-01-01"), time_end=d("2025-01-31"))
    b = claim(time_text="18 January 2025")
    relation, explanation = one_pair(a, b)
    assert relation is Relation.agree
    assert "January (2025-01)" in explanation and "right is more precise" in explanation


def test_a_more_precise_date_refines_when_no_figure_decides() -> None:
    undated = {"value": None, "unit": None, "qualifier": None}
    a = claim(time_text="January", time_start=d("2025-01-01"), time_end=d("2025-01-31"), **undated)
    relation, explanation = one_pair(a, claim(time_text="18 January 2025", **undated))
    assert relation is Relation.refines
    assert explanation.startswith("date decides: January (2025-01) vs 18 January 2025")


def test_a_pair_with_nothing_to_weigh_says_so_rather_than_calling_them_the_same() -> None:
    bare = {"value": None, "unit": None, "qualifier": None,
            "time_text": None, "time_start": None, "time_end": None}  # fmt: skip
    relation, explanation = one_pair(claim(**bare), claim(**bare))
    assert relation is Relation.agree
    assert explanation == (
        "statement decides: no figure or date on either side to tell them apart (kenya · deployed)"
    )


def test_an_undated_side_is_no_evidence_of_another_time() -> None:
    relation, explanation = one_pair(claim(), claim(time_text=None, time_start=None, time_end=None))
    assert relation is Relation.agree and "only left dates it" in explanation
    undated = {"value": None, "unit": None, "qualifier": None}
    relation, explanation = one_pair(
        claim(**undated), claim(time_text=None, time_start=None, time_end=None, **undated)
    )
    assert relation is Relation.agree
    assert explanation.startswith("date decides: only left dates it: on Saturday (2025-01-18)")


def test_quantity_conflict_wins_and_every_difference_is_listed() -> None:
    a = claim()
    b = claim(
        value=270,
        statement="Kenya deployed 270 additional police officers to Haiti.",
        time_text="on Friday night",
        time_start=d("2025-01-17"),
        time_end=d("2025-01-17"),
        attribution="Reuters",
        modality="reported",
    )
    relation, explanation = one_pair(a, b)
    assert relation is Relation.conflict
    assert explanation.startswith("figure decides: 217 officers vs 270 officers; ")
    assert "on Saturday (2025-01-18) vs on Friday night (2025-01-17): 1 day apart" in explanation
    assert "left: asserted; right: reported by Reuters" in explanation
    assert explanation.endswith("(kenya · deployed)")
    # Same figure, same day: the attribution difference is still shown, but it is agreement.
    relation, explanation = one_pair(a, replace(a, id=1, modality="reported", attribution="AP"))
    assert relation is Relation.agree and "right: reported by AP" in explanation


def test_denial_of_the_same_fact_is_a_conflict() -> None:
    said = claim(value=None, unit=None, qualifier=None, time_text=None, time_start=None,
                 time_end=None, statement="The mission received resignations from officers.",
                 subject="mss", predicate="received", object="resignations")  # fmt: skip
    denied = replace(said, id=1, modality="denied", attribution="MSS")
    relation, explanation = one_pair(said, denied)
    assert relation is Relation.conflict
    assert "right denies" in explanation and "denied by MSS" in explanation


def test_different_scopes_are_different_facts() -> None:
    more = claim()  # "217 additional officers"
    total = claim(statement="Kenya's deployments to Haiti now total over 600 officers.",
                  predicate="has deployed in total", object="police officers to Haiti",
                  value=600, qualifier="over", time_text=None, time_start=None,
                  time_end=None)  # fmt: skip
    assert unaligned(more, total)


def test_subjects_are_canonical_keys_compared_casefolded() -> None:
    assert one_pair(claim(subject="Kenya"), claim(subject="kenya"))[0] is Relation.agree
    assert unaligned(claim(subject="kenya"), claim(subject="uganda"))


def test_hand_added_claim_without_a_run_diffs_like_any_other() -> None:
    curated = claim(run_id=None, outlet=None)
    relation, _ = one_pair(claim(), curated)
    assert relation is Relation.agree


def test_assignment_is_one_to_one_and_best_first() -> None:
    exact = claim()
    near = claim(value=270, statement="Kenya deployed 270 additional police officers to Haiti.")
    other = claim(value=400, time_start=d("2024-06-01"), time_end=d("2024-06-30"))
    result = diff_claims([near, exact], [other, claim()])
    assert len(result.pairs) == 2
    assert len({p.right.id for p in result.pairs}) == 2
    best = next(p for p in result.pairs if p.left is exact)
    assert best.relation is Relation.agree  # 217 pairs with 217, leaving 270 vs June's 400


# --- properties ------------------------------------------------------------------------------

SUBJECTS = ["kenya", "united states", "mss", "haiti"]
TEMPLATES = [
    ("deployed", "{s} deployed {n} additional police officers to Haiti.", "officers"),
    ("pledged", "{s} has pledged {n} personnel in total to the mission.", "personnel"),
    ("pledged", "{s} pledged {n} dollars toward the costs of the mission.", "USD"),
    ("displaced", "Gang violence in {s} has displaced {n} people.", "people"),
]
DAYS = [d("2025-01-17"), d("2025-01-18"), d("2025-01-19"), d("2025-01-01"), d("2024-06-01")]


@st.composite
def claims(draw: st.DrawFn) -> DiffClaim:
    subject = draw(st.sampled_from(SUBJECTS))
    predicate, text, unit = draw(st.sampled_from(TEMPLATES))
    value = draw(st.one_of(st.none(), st.sampled_from([10, 20, 22, 200, 217, 270, 1000])))
    start = draw(st.one_of(st.none(), st.sampled_from(DAYS)))
    span = draw(st.sampled_from([0, 0, 1, 30]))
    return claim(
        id=draw(st.integers(1, 10**6)),  # random, so list order and id order differ
        subject=subject,
        predicate=predicate,
        statement=text.format(s=subject.title(), n=value or "some"),
        object=None,
        value=value,
        unit=unit if value is not None else None,
        qualifier=draw(st.sampled_from(["exact", "over", "under", "about", "at_least", "up_to"])),
        time_start=start,
        time_end=None if start is None else date.fromordinal(start.toordinal() + span),
        modality=draw(st.sampled_from(["asserted", "reported", "denied"])),
        attribution=draw(st.sampled_from([None, "Reuters"])),
    )


claim_lists = st.lists(claims(), max_size=8, unique_by=lambda c: c.id)


@st.composite
def two_sides(draw: st.DrawFn) -> tuple[list[DiffClaim], list[DiffClaim]]:
    """Two claim lists whose ids are unique across both, as database keys are."""
    both = draw(st.lists(claims(), max_size=16, unique_by=lambda c: c.id))
    cut = draw(st.integers(0, len(both)))
    return both[:cut], both[cut:]


def signature(result: DiffResult, *, swap: bool = False) -> object:
    pairs = {
        ((p.right.id, p.left.id) if swap else (p.left.id, p.right.id), p.relation, p.score)
        for p in result.pairs
    }
    sides = (result.only_right, result.only_left) if swap else (result.only_left, result.only_right)
    return pairs, [c.id for c in sides[0]], [c.id for c in sides[1]]


@settings(max_examples=300, deadline=None)
@given(two_sides())
def test_diff_is_symmetric(sides: tuple[list[DiffClaim], list[DiffClaim]]) -> None:
    left, right = sides
    forward, backward = diff_claims(left, right), diff_claims(right, left)
    assert signature(backward, swap=True) == signature(forward)
    assert backward.summary["only_left"] == forward.summary["only_right"]


@settings(max_examples=200, deadline=None)
@given(claim_lists)
def test_self_diff_is_all_agree(side: list[DiffClaim]) -> None:
    result = diff_claims(side, side)
    assert all(p.relation is Relation.agree for p in result.pairs)
    assert all(p.left is p.right for p in result.pairs)
    assert result.only_left == [] and result.only_right == []


@settings(max_examples=200, deadline=None)
@given(two_sides(), claims())
def test_unrelated_claim_only_changes_unmatched(
    sides: tuple[list[DiffClaim], list[DiffClaim]], extra: DiffClaim
) -> None:
    left, right = sides
    unrelated = replace(
        extra, id=0, subject="larkhaven city council", statement="Council passed it."
    )
    before, after = diff_claims(left, right), diff_claims(left, [*right, unrelated])
    assert after.pairs == before.pairs
    assert after.only_left == before.only_left
    assert after.only_right == [*before.only_right, unrelated]


@settings(max_examples=200, deadline=None)
@given(claims(), claims(), st.integers(1, 10**6), st.sampled_from([None, "AP", "officials"]))
def test_fields_outside_the_scoring_key_do_not_change_the_score(
    a: DiffClaim, other: DiffClaim, n: int, attribution: str | None
) -> None:
    # The ledger reuses the scores of one scoring key for every claim that has it.
    twin = replace(a, id=n, article_id=n, run_id=None, outlet="Elsewhere", quote="q",
                   attribution=attribution, modality="reported", time_text="some day")  # fmt: skip
    fa, ft, fo = features(a), features(twin), features(other)
    assert fa.scoring_key() == ft.scoring_key()
    assert score_features(fa, fo) == score_features(ft, fo)
    assert score_features(fo, fa) == score_features(fo, ft)
