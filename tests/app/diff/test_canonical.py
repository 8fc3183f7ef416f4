"""The diff of claims with canonical fact fields (news_claims@v2): alignment without shared
words, and the time-aware relations on the traps of issue 13."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from app.diff.align import DiffClaim, Relation, diff_claims
from app.diff.bridges import relation_reason
from app.diff.entities import name_similarity
from app.diff.ledger import build_ledger
from app.diff.undecided import why
from app.extract.grounding import quantity_in_evidence
from tests.app.diff.test_align import ARTICLE_IDS, article_text, d, one_pair, unaligned

FIXTURES = Path(__file__).resolve().parents[3] / "fixtures"


def v2_claims(stem: str) -> list[DiffClaim]:
    """The news_claims@v2 fixture's final answer as DiffClaims, as the service would store it:
    claims whose figure is not in their evidence are left out, as grounding leaves them out."""
    article = json.loads((FIXTURES / "articles" / f"{stem}.json").read_text("utf-8"))
    answer = json.loads((FIXTURES / "llm" / "news_claims_v2" / f"{stem}.json").read_text("utf-8"))
    published = datetime.fromisoformat(article["published_at"].replace("Z", "+00:00"))
    out = []
    for n, c in enumerate(answer["exchanges"][-1]["answer"]["claims"]):
        q, t, obj = c.get("quantity") or {}, c.get("time") or {}, c.get("object_entity")
        if q and not quantity_in_evidence(q["value"], c["evidence"]):
            continue
        start = article["text"].find(c["evidence"])
        out.append(
            DiffClaim(
                id=ARTICLE_IDS[stem] * 100 + n,
                article_id=ARTICLE_IDS[stem],
                run_id=1,
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
                char_end=start + len(c["evidence"]),
                fact_kind=c["fact_kind"],
                object_entity=obj["name"].casefold() if obj else None,
                unit_kind=q.get("unit_kind"),
                aspect=q.get("aspect"),
            )
        )
    return out


Q217 = "Kenya dispatched 217 more police officers to Haiti on Saturday"
Q270 = "Kenya has sent another 270 police officers to Haiti"


def test_v2_217_vs_270_is_one_conflict_decided_by_the_figure_with_both_quotes() -> None:
    result = diff_claims(v2_claims("kenya-haiti-217"), v2_claims("kenya-haiti-270"))
    [conflict] = [p for p in result.pairs if p.relation is Relation.conflict]
    assert (conflict.left.quote, conflict.right.quote) == (Q217, Q270)
    for claim, stem in ((conflict.left, "kenya-haiti-217"), (conflict.right, "kenya-haiti-270")):
        assert article_text(stem)[claim.char_start : claim.char_end] == claim.quote
    assert conflict.explanation.startswith(
        "figure decides: 217 officers vs 270 officers; date: on Saturday (2025-01-18) vs on "
        "Friday night (2025-01-17): 1 day apart, within a day's precision"
    )


def test_v2_kenyan_total_in_june_and_in_january_is_an_update_not_a_conflict() -> None:
    result = diff_claims(v2_claims("kenya-haiti-270"), v2_claims("kenya-haiti-217"))
    [update] = [p for p in result.pairs if p.relation is Relation.updates]
    assert (update.left.value, update.right.value) == (400, 600)
    assert update.explanation.startswith(
        "as-of time decides: as of 2024-06 vs as of 2025-01-18: right is the later value; "
        "figure: 400 officers vs over 600 officers"
    )
    assert result.summary["conflict"] == 1  # only 217 vs 270


def test_v2_ledger_keeps_the_deployment_conflict_as_one_fact_with_every_source() -> None:
    claims = [c for stem in ARTICLE_IDS for c in v2_claims(stem)]
    facts = build_ledger(claims)
    [conflict] = [f for f in facts if f.status == "conflict"]
    assert {(c.outlet, c.value) for c in conflict.sources} == {
        ("Harbor Wire", 217),
        ("Nairobi Ledger", 270),
        ("Meridian Newswire", 200),
        ("Le Courrier de l’Artibonite", 217),
    }
    [totals] = [f for f in facts if f.status == "updates"]
    assert {(c.outlet, c.value) for c in totals.sources} >= {
        ("Nairobi Ledger", 400),
        ("Harbor Wire", 600),
    }


# --- hand-built cases: the traps of issue 13 -------------------------------------------------

_ids = iter(range(50_000, 1_000_000))
STATE = dict(fact_kind="deployment", unit_kind="persons", aspect="state", object_entity="haiti")


def v2(**fields: Any) -> DiffClaim:
    base = DiffClaim(
        id=0,
        article_id=0,
        run_id=1,
        outlet="Harbor Wire",
        published_at=datetime(2025, 1, 18, tzinfo=UTC),
        statement="Kenya deployed 217 more police officers to Haiti on Saturday.",
        claim_type="event",
        subject="kenya",
        subject_type="country",
        predicate="deployed",
        object="police officers to Haiti",
        value=217,
        unit="officers",
        qualifier="exact",
        time_text="on Saturday",
        time_start=d("2025-01-18"),
        time_end=d("2025-01-18"),
        location="Haiti",
        attribution=None,
        modality="asserted",
        quote="q",
        char_start=0,
        char_end=1,
        fact_kind="deployment",
        object_entity="haiti",
        unit_kind="persons",
        aspect="event",
    )
    n = next(_ids)
    return replace(base, **{"id": n, "article_id": n, **fields})


def test_one_fact_worded_differently_aligns_without_shared_words() -> None:
    # Another model: the country's police as subject, another verb, another noun, the figure
    # typed as a quantity; the canonical fields still say deployment / Haiti / persons / event.
    arrival = v2()
    departure = v2(
        statement="Kenyan police flew out a fresh contingent of 270 on Friday night.",
        claim_type="quantity",
        subject="kenyan police",
        predicate="flew out",
        object="a fresh contingent",
        value=270,
        unit="police",
        time_text="on Friday night",
        time_start=d("2025-01-17"),
        time_end=d("2025-01-17"),
    )
    relation, explanation = one_pair(arrival, departure)
    assert relation is Relation.conflict
    assert explanation.startswith("figure decides: 217 officers vs 270 police; date: ")


@pytest.mark.parametrize(
    ("change", "why"),
    [
        ({"fact_kind": "pledge"}, "another kind of fact"),
        ({"unit_kind": "currency", "unit": "USD"}, "another unit kind"),
        (
            {
                "subject": "guatemala",
                "object_entity": "el salvador",
                "statement": "Guatemala deployed 217 more police officers to El Salvador.",
                "object": "police officers to El Salvador",
                "location": "El Salvador",
            },
            "no entity in common",
        ),
    ],
)
def test_structured_claims_are_blocked_by_kind_unit_and_entity(
    change: dict[str, Any], why: str
) -> None:
    assert unaligned(v2(), v2(**change)), why


def test_an_entity_named_only_in_the_other_sentence_is_a_weak_tie() -> None:
    # Another model names the actor after the disease and the place after its district; the
    # sentence still names the place, so the pair is scored, not blocked, and it aligns only
    # because the rest (kind, unit, figure, time, words) agrees.
    common: dict[str, Any] = dict(
        claim_type="quantity", subject_type="other", object=None, object_entity=None,
        value=19, fact_kind="casualties", aspect="state", time_text="by Sunday",
        time_start=d("2026-08-02"), time_end=d("2026-08-02"), location="Kaleno",
    )  # fmt: skip
    killed = v2(
        **common,
        subject="cholera",
        predicate="killed",
        unit="people",
        statement="Cholera has killed 19 people in Kaleno district since mid-July.",
    )
    recorded = {
        "subject": "kaleno district",
        "predicate": "recorded",
        "unit": "deaths",
        "statement": "Kaleno district has recorded 19 cholera deaths since mid-July.",
    }
    elsewhere = {
        "subject": "tarvin province",
        "predicate": "recorded",
        "unit": "deaths",
        "statement": "Tarvin province has recorded 19 cholera deaths since mid-July.",
    }
    assert one_pair(killed, v2(**common | recorded))[0] is Relation.agree
    assert unaligned(killed, v2(**common | elsewhere | {"location": "Tarvin"}))


def test_a_total_and_one_arrival_of_one_deployment_do_not_align() -> None:
    total = v2(
        statement="Kenya's deployments to Haiti total over 600 officers.",
        value=600,
        qualifier="over",
        aspect="state",
        time_text=None,
        time_start=None,
        time_end=None,
    )
    assert unaligned(v2(), total)


def test_departure_evening_and_arrival_next_day_agree_on_the_figure() -> None:
    left = v2(time_text="on Friday night", time_start=d("2025-01-17"), time_end=d("2025-01-17"))
    relation, explanation = one_pair(left, v2(statement="217 Kenyan officers landed Saturday."))
    assert relation is Relation.agree
    assert explanation.startswith("figure decides: 217 officers in both; date: ")


def test_running_totals_at_different_times_are_updates() -> None:
    june = v2(
        **STATE,
        value=400,
        time_text="in June",
        time_start=d("2024-06-01"),
        time_end=d("2024-06-30"),
        statement="Kenya's contingent numbered 400 in June.",
        quote="a first contingent of 400 officers that Kenya sent in June",
    )
    january = v2(
        **STATE,
        value=600,
        qualifier="over",
        time_text=None,
        time_start=None,
        time_end=None,
        statement="Kenya's deployments now total over 600 officers.",
        quote="its deployments to the Caribbean nation total over 600 officers",
    )
    relation, explanation = one_pair(june, january)
    assert relation is Relation.updates
    assert explanation.startswith("as-of time decides: as of 2024-06 vs as of 2025-01-18: right")
    relation, _ = one_pair(january, june)
    assert relation is Relation.updates  # and the later value is named from either side


def test_states_as_of_one_day_conflict_when_their_figures_do() -> None:
    union = v2(
        **STATE,
        value=4200,
        qualifier="about",
        time_text=None,
        time_start=None,
        time_end=None,
        statement="About 4,200 dockworkers are on strike, the union says.",
        attribution="union",
        modality="reported",
    )
    employer = replace(
        union,
        id=next(_ids),
        article_id=next(_ids),
        value=3800,
        attribution="employer",
        statement="About 3,800 workers are on strike, the employer says.",
    )
    relation, explanation = one_pair(union, employer)
    assert relation is Relation.conflict
    assert explanation.startswith(
        "figure decides: about 4,200 officers vs about 3,800 officers: two estimates further "
        "apart than about = ±5%"
    )


@pytest.mark.parametrize(
    ("left", "right", "relation", "note"),
    [
        (("about", 40), ("about", 45), "conflict", "further apart than about = ±1 point"),
        (("about", 40), ("about", 41), "agree", "about = ±1 point"),
        (("about", 53), ("exact", 52.9), "refines", "right is more precise (about = ±1 point)"),
        (("about", 44), ("exact", 43.6), "refines", "right is more precise"),
        (("exact", 4.5), ("exact", 5), "conflict", "4.5 percent vs 5 percent"),
        (("over", 61), ("exact", 61.2), "refines", "right is more precise"),
    ],
)
def test_percentages_compare_in_points(
    left: tuple[str, float], right: tuple[str, float], relation: str, note: str
) -> None:
    share = dict(
        fact_kind="vote_share",
        unit="percent",
        unit_kind="percent",
        aspect="state",
        subject="elena marsh",
        object_entity="riverton mayoral election",
        statement="Elena Marsh won a share of the vote.",
    )
    a = v2(**share, qualifier=left[0], value=left[1])
    b = v2(**share, qualifier=right[0], value=right[1])
    found, explanation = one_pair(a, b)
    assert found == relation
    assert note in explanation


def test_a_secondary_difference_never_overrides_the_figure() -> None:
    a, b = v2(attribution="Reuters", modality="reported"), v2(location="Port-au-Prince")
    relation, explanation = one_pair(a, b)
    assert relation is Relation.agree
    assert explanation.startswith("figure decides: 217 officers in both; date: same date")
    assert "left: reported by Reuters; right: asserted" in explanation


@pytest.mark.parametrize(
    ("a", "b", "similar"),
    [
        ("kenya", "kenyan police", True),  # a demonym is the country's name plus a suffix
        ("government of kenya", "kenya", True),
        ("mss", "multinational security support mission", True),  # an acronym
        ("u.s. government", "united states", True),
        ("un security council", "united nations security council", True),
        ("united states", "trump administration", False),
        ("guatemala, el salvador, jamaica and belize", "kenya", False),
    ],
)
def test_entity_names_meet_by_words_stems_and_acronyms(a: str, b: str, similar: bool) -> None:
    assert (name_similarity(a, b) > 0) is similar
    assert name_similarity(a, b) == name_similarity(b, a)


def test_one_number_reported_on_two_days_is_not_an_update() -> None:
    undated = {"time_text": None, "time_start": None, "time_end": None}
    monday = v2(**{**STATE, "unit_kind": "currency"}, **undated, value=180_000_000, unit="USD",
                qualifier="about", statement="Cuts save about $180 million.")  # fmt: skip
    tuesday = replace(monday, id=next(_ids), article_id=next(_ids), qualifier="exact",
                      published_at=datetime(2025, 1, 19, tzinfo=UTC))  # fmt: skip
    relation, explanation = one_pair(monday, tuesday)
    assert relation is Relation.refines  # the same number, the exact report more precise
    assert explanation.startswith(
        "figure decides: about 180,000,000 USD vs 180,000,000 USD: right is more precise"
    )
    later = replace(tuesday, id=next(_ids), article_id=next(_ids), value=520_000_000)
    assert one_pair(monday, later)[0] is Relation.updates


def test_a_count_pinned_down_within_days_refines_and_a_month_later_updates() -> None:
    tuesday = v2(**STATE, value=40_000, qualifier="over", unit="depositors", time_text="on Tuesday",
                 time_start=d("2027-03-09"), time_end=d("2027-03-09"),
                 statement="Over 40,000 depositors are locked out.")  # fmt: skip
    wednesday = replace(tuesday, id=next(_ids), article_id=next(_ids), value=41_300,
                        qualifier="exact", time_text="on Wednesday", time_start=d("2027-03-10"),
                        time_end=d("2027-03-10"),
                        statement="41,300 depositors are locked out.")  # fmt: skip
    relation, explanation = one_pair(tuesday, wednesday)
    assert relation is Relation.refines  # one number told more precisely, not a change
    assert explanation.startswith(
        "figure decides: over 40,000 depositors vs 41,300 depositors: right is more precise"
    )
    # An estimate within bounds says more than an open-ended figure it overlaps.
    friday = replace(wednesday, id=next(_ids), article_id=next(_ids), value=41_000,
                     qualifier="about", time_text="on Friday", time_start=d("2027-03-12"),
                     time_end=d("2027-03-12"))  # fmt: skip
    relation, explanation = one_pair(tuesday, friday)
    assert relation is Relation.refines
    assert explanation.startswith(
        "figure decides: over 40,000 depositors and about 41,000 depositors overlap: right is "
        "more precise (about = ±5%)"
    )
    # Outside one rounding (5%), or a month on, the later figure is a new reading.
    grown = replace(wednesday, id=next(_ids), article_id=next(_ids), value=43_000)
    assert one_pair(tuesday, grown)[0] is Relation.updates
    month = replace(wednesday, id=next(_ids), article_id=next(_ids), time_text="on 9 April",
                    time_start=d("2027-04-09"), time_end=d("2027-04-09"))  # fmt: skip
    relation, explanation = one_pair(tuesday, month)
    assert relation is Relation.updates
    assert explanation.startswith(
        "as-of time decides: as of 2027-03-09 vs as of 2027-04-09: right is the later value"
    )


# Two reports of one toll whose actors share no name: the ministry that counts, the workers who
# counted. Hand-written for these tests, in the seed story's two articles' context.
_TOLL = dict(fact_kind="casualties", unit_kind="persons", aspect="state", object_entity=None,
             claim_type="quantity", time_text="on Friday", time_start=d("2025-01-17"),
             time_end=d("2025-01-17"), location=None, qualifier="exact")  # fmt: skip


def _tolls(right_value: int) -> tuple[DiffClaim, DiffClaim]:
    left = v2(**_TOLL, id=901, article_id=ARTICLE_IDS["kenya-haiti-217"], value=9, unit="dead",
              subject="haitian health ministry", subject_type="government",
              predicate="put the death toll at", object="gang attack",
              statement="The health ministry put Friday's death toll from the gang attack at nine.",
              quote="the health ministry put Friday's death toll at nine")  # fmt: skip
    right = v2(**_TOLL, id=902, article_id=ARTICLE_IDS["kenya-haiti-270"], value=right_value,
               unit="people killed", subject="aid workers", subject_type="organization",
               predicate="counted killed", object="attack", outlet="Nairobi Ledger",
               statement=f"Aid workers counted {right_value} people killed in Friday's attack.",
               quote=f"aid workers counted {right_value} people killed on Friday")  # fmt: skip
    return left, right


def test_two_articles_of_one_story_pair_a_toll_whose_actors_share_no_name() -> None:
    left, right = _tolls(9)
    seed = v2_claims("kenya-haiti-217"), v2_claims("kenya-haiti-270")
    result = diff_claims([*seed[0], left], [*seed[1], right])
    [pair] = [p for p in result.pairs if p.left is left]
    assert (pair.right, pair.relation, round(pair.score, 3)) == (right, Relation.agree, 0.497)
    assert pair.explanation.startswith(
        "no entity named in common, paired as their articles make 2 other pairs: figure "
        "decides: 9 dead vs 9 people killed: same count"
    )
    assert pair.story_pairs == 2  # the page says so on a line of its own, as for a third source
    assert relation_reason(pair).startswith("figure decides: 9 dead vs 9 people killed")
    # Alone, nothing says the two articles tell one story: the pair is for a judge only.
    alone = diff_claims([left], [right], with_untied=True)
    assert (alone.pairs, alone.undecided, [p.right for p in alone.for_judge]) == ([], [], [right])


def test_a_conflict_the_story_alone_ties_is_offered_to_check_not_called() -> None:
    left, right = _tolls(7)
    seed = v2_claims("kenya-haiti-217"), v2_claims("kenya-haiti-270")
    result = diff_claims([*seed[0], left], [*seed[1], right])
    assert [p.relation for p in result.pairs] == [Relation.conflict, Relation.updates]  # 217/270
    [offer] = [p for p in result.undecided if p.left is left]
    assert (offer.right, offer.relation) == (right, Relation.conflict)
    assert why(offer) == (
        "They name no entity in common, so calling the difference a conflict would be a guess."
    )
