"""A fact's "to check" list: facts scored at least the threshold less the undecided band,
best first, at most five, each with its best pair's relation."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any

from app.diff.align import UNDECIDED_BAND, pair_score
from app.diff.ledger import build_ledger
from app.diff.related import MAX_TO_CHECK, facts_to_check
from app.diff.scoring import DEFAULT_THRESHOLD
from app.diff.types import DiffClaim, Relation

# Hand-written v2 claims after the seed story's two Kenyan totals: the contingent sent in June
# 2024, and the total on the ground in January 2025, worded far apart (as in eval/dev's
# kenya-haiti, varied wording).
JUNE = DiffClaim(
    id=1, article_id=1, run_id=1, outlet="Nairobi Ledger",
    published_at=datetime(2025, 1, 18, tzinfo=UTC),
    statement="Kenya sent a first contingent of 400 police officers to Haiti in June 2024.",
    claim_type="event", subject="government of kenya", subject_type="government",
    predicate="sent", object="first police contingent", value=400, unit="police officers",
    qualifier="exact", time_text="in June", time_start=date(2024, 6, 1),
    time_end=date(2024, 6, 30), location="Haiti", attribution=None, modality="asserted",
    quote="a first contingent of 400 officers that Kenya sent in June", char_start=0,
    char_end=58, fact_kind="deployment", object_entity="haiti", unit_kind="persons",
    aspect="state",
)  # fmt: skip
NOW = replace(
    JUNE, id=2, article_id=2, outlet="Harbor Wire", claim_type="status",
    statement="Kenya now has more than 600 police deployed in Haiti.",
    subject="kenya national police service", subject_type="organization",
    predicate="has on the ground", object="police deployed in Haiti", value=600, unit="police",
    qualifier="over", time_text=None, time_start=None, time_end=None,
    quote="its deployments to the Caribbean nation total over 600 officers",
)  # fmt: skip
PLEDGE = replace(
    JUNE, id=3, article_id=3, statement="Kenya has pledged 1,000 police officers in all.",
    predicate="pledged", object="police officers for the mission", value=1000,
    time_text=None, time_start=None, time_end=None, aspect="event",
    quote="Nairobi has promised 1,000 personnel in all",
)  # fmt: skip


def variant(n: int, **fields: Any) -> DiffClaim:
    """The January total with some fields changed, in an article of its own."""
    return replace(NOW, **{"id": n, "article_id": n, **fields})


# Seven totals within the band, each one fact of a claim; their scores against JUNE, best first.
NEAR = {
    24: variant(24, subject="government of kenya", subject_type="government"),
    26: variant(26, object="initial police contingent", predicate="sent"),
    22: variant(22, predicate="has deployed", object="police officers in Haiti"),
    23: variant(23, statement="Kenya's police deployment in Haiti totals over 600 officers."),
    21: variant(
        21, time_text="in January", time_start=date(2025, 1, 1), time_end=date(2025, 1, 31)
    ),
    2: NOW,
    20: variant(20, value=650),
}


def test_the_january_total_is_offered_as_an_update_of_the_june_contingent() -> None:
    (offer,) = facts_to_check([JUNE], {7: [NOW]})
    assert (offer.fact_id, round(offer.score, 3), offer.relation) == (7, 0.226, Relation.updates)
    assert (offer.claim, offer.other) == (JUNE, NOW)
    assert offer.explanation.startswith(
        "as-of time decides: as of 2024-06 vs as of 2025-01-18: right is the later value"
    )
    assert offer.why == "They scored 0.23, under the 0.65 a claim needs to join a fact."


def test_facts_under_the_band_are_not_offered_and_a_fact_over_the_threshold_is() -> None:
    copy = replace(JUNE, id=5, article_id=5, outlet="Meridian Newswire")  # the same fact
    far = variant(25, value=800, qualifier="about")
    scores = {k: pair_score(JUNE, c) for k, c in ((5, copy), (25, far), (3, PLEDGE))}
    assert scores[5] >= DEFAULT_THRESHOLD
    assert scores[25] < DEFAULT_THRESHOLD - UNDECIDED_BAND
    assert scores[3] < DEFAULT_THRESHOLD - UNDECIDED_BAND
    offered = facts_to_check([JUNE], {5: [copy], 25: [far], 3: [PLEDGE], 2: [NOW]})
    # A copy left in a fact of its own (filed before this fact's claims came, or kept apart
    # by a better match of its article) is the first a curator should merge.
    assert [o.fact_id for o in offered] == [5, 2]
    assert offered[0].relation is Relation.agree
    assert offered[0].why == (
        "They scored 1.00, over the 0.65 a claim needs, but assignment, which files each "
        "claim once and in order, kept them apart."
    )


def test_a_fact_an_article_tells_apart_is_not_offered_however_it_scores() -> None:
    # The candidate holds a copy of JUNE and a claim of JUNE's own article: that article
    # reports both facts, one claim each, so it told them apart (several indicators of one
    # economy in one month score as one fact; each article names each once).
    copy = replace(JUNE, id=5, article_id=5, outlet="Meridian Newswire")
    sibling = replace(PLEDGE, id=6, article_id=JUNE.article_id)
    assert facts_to_check([JUNE], {5: [copy]})[0].score >= DEFAULT_THRESHOLD
    assert facts_to_check([JUNE], {5: [copy, sibling]}) == []


def test_an_events_figure_in_conflict_with_a_states_is_offered_not_filed_with_it() -> None:
    # 217 officers deployed in June (an event) against the June contingent of 400 (a state):
    # they score as one fact, and the difference may be one; the diff holds such a conflict
    # back (app.diff.align), and so does assignment.
    event = replace(
        JUNE, id=6, article_id=6, outlet="Coast Courier", aspect="event", value=217,
        statement="Kenya deployed 217 police officers to Haiti in June 2024.",
        quote="217 officers were deployed in June",
    )  # fmt: skip
    assert pair_score(JUNE, event) >= DEFAULT_THRESHOLD
    assert [[c.id for c in f.sources] for f in build_ledger([JUNE, event])] == [[1], [6]]
    (offer,) = facts_to_check([JUNE], {6: [event]})
    assert (offer.fact_id, offer.relation, round(offer.score, 2)) == (6, Relation.conflict, 0.97)
    assert offer.why == (
        "They scored 0.97, but one figure counts what happened at a time and the other what "
        "held at a time, so filing them as one fact in conflict would be a guess."
    )
    assert offer.explanation.startswith(
        "figure decides: 400 police officers vs 217 police officers"
    )


def test_the_best_five_are_offered_best_first() -> None:
    offered = facts_to_check([JUNE], {k: [c] for k, c in sorted(NEAR.items())})
    assert len(NEAR) > MAX_TO_CHECK
    assert [o.fact_id for o in offered] == [24, 26, 22, 23, 21]
    assert [round(o.score, 3) for o in offered] == [0.422, 0.33, 0.319, 0.291, 0.262]
    # Without the limit, the two lowest follow.
    everything = facts_to_check([JUNE], {k: [c] for k, c in NEAR.items()}, limit=10)
    assert [o.fact_id for o in everything] == [24, 26, 22, 23, 21, 2, 20]


def test_a_claim_of_the_other_fact_is_scored_against_this_one_too() -> None:
    # The other fact's leader (a pledge) is far from JUNE; its January total is near.
    leader = replace(PLEDGE, id=1, article_id=30)
    june, total = replace(JUNE, id=40, article_id=40), variant(50)
    (offer,) = facts_to_check([june], {9: [total, leader]})
    assert (offer.fact_id, offer.claim.id, offer.other.id) == (9, 40, 50)
    assert offer.relation is Relation.updates


def test_a_fact_holding_a_claim_of_the_same_article_is_not_offered() -> None:
    # One article stating both figures tells them apart itself, as assignment has it.
    same_article = variant(60, article_id=JUNE.article_id)
    assert facts_to_check([JUNE], {9: [same_article]}) == []
    assert facts_to_check([], {9: [NOW]}) == []
    assert facts_to_check([JUNE], {9: []}) == []
