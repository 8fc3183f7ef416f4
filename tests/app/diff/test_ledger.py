"""The cross-source fact ledger over the fixture articles and hand-built claims."""

from __future__ import annotations

import random
from dataclasses import replace

from app.diff.align import DiffClaim
from app.diff.ledger import Fact, build_ledger
from tests.app.diff.test_align import ARTICLE_IDS, claim, fixture_claims


def all_fixture_claims() -> list[DiffClaim]:
    return [c for stem in ARTICLE_IDS for c in fixture_claims(stem)]


def fact_with(facts: list[Fact], claim_id: int) -> Fact:
    return next(f for f in facts if any(c.id == claim_id for c in f.sources))


def test_the_deployment_is_a_conflict_with_every_report() -> None:
    facts = build_ledger(all_fixture_claims())
    top = facts[0]  # conflicts sort first
    assert top.status == "conflict"
    assert {c.value for c in top.sources} == {217, 270, 200}  # 217 twice: Harbor Wire and fr
    assert {c.outlet for c in top.sources} >= {"Harbor Wire", "Nairobi Ledger"}
    assert "217 officers, 2025-01-18" in top.values
    assert "270 officers, 2025-01-17" in top.values
    assert "217 officers vs 270 officers" in top.explanation
    assert [f.status for f in facts].count("conflict") == 1


def test_agreeing_facts_form_consensus() -> None:
    facts = build_ledger(all_fixture_claims())
    pledge = fact_with(facts, 103)  # Kenya's 1,000 personnel, Harbor Wire
    assert pledge.status == "consensus"
    assert {c.article_id for c in pledge.sources} == {1, 3, 4}  # Harbor Wire, wire, fr
    assert set(pledge.values) == {"1,000 personnel", "1,000 officers"}
    money = fact_with(facts, 207)  # the United States' over $300 million, Nairobi Ledger
    assert money.status == "consensus"
    assert [c.article_id for c in money.sources] == [2, 3]
    assert money.values == ["over 300,000,000 USD"]


def test_unrelated_claims_stay_single() -> None:
    facts = build_ledger(all_fixture_claims())
    budget = [f for f in facts if any(c.article_id == 5 for c in f.sources)]
    assert budget and all(f.status == "single" and len(f.sources) == 1 for f in budget)


def test_ordering_is_conflicts_then_source_count_then_key() -> None:
    facts = build_ledger(all_fixture_claims())
    keys = [(f.status != "conflict", -len(f.sources), f.key) for f in facts]
    assert keys == sorted(keys)
    assert len({f.key for f in facts}) == len(facts)


def test_ledger_is_deterministic_under_input_order() -> None:
    claims = all_fixture_claims()
    shuffled = claims[:]
    random.Random(7).shuffle(shuffled)
    assert build_ledger(shuffled) == build_ledger(claims)


def test_claims_of_one_article_never_cluster() -> None:
    a = claim()
    twin = replace(a, id=a.id + 1)  # same article, same words
    other = claim()  # another article
    facts = build_ledger([a, twin, other])
    assert sorted(len(f.sources) for f in facts) == [1, 2]
    pair = next(f for f in facts if len(f.sources) == 2)
    assert len({c.article_id for c in pair.sources}) == 2


def test_different_scopes_and_subjects_do_not_chain() -> None:
    more = claim()  # 217 additional officers on Saturday
    total = claim(statement="Kenya's deployments to Haiti now total over 600 officers.",
                  predicate="has deployed in total", object="police officers to Haiti",
                  value=600, qualifier="over", time_text=None, time_start=None,
                  time_end=None)  # fmt: skip
    elsewhere = claim(subject="uganda")
    facts = build_ledger([more, total, elsewhere])
    assert all(f.status == "single" for f in facts) and len(facts) == 3


def test_denial_in_a_cluster_is_a_conflict() -> None:
    said = claim(value=None, unit=None, qualifier=None, time_text=None, time_start=None,
                 time_end=None, statement="The mission received resignations from officers.",
                 subject="mss", predicate="received", object="resignations")  # fmt: skip
    denied = replace(said, id=said.id + 1, article_id=said.id + 1, modality="denied")
    [fact] = build_ledger([said, denied])
    assert fact.status == "conflict" and "denies" in fact.explanation


def test_fact_sources_expose_value_time_and_outlet() -> None:
    fact = fact_with(build_ledger(all_fixture_claims()), 100)
    views = {s.claim.id: s for s in fact.fact_sources()}
    assert views[100].value == "217 officers"
    assert views[100].time == "on Saturday (2025-01-18)"
    assert views[100].outlet == "Harbor Wire"


def test_hand_added_claim_without_a_run_joins_a_fact() -> None:
    [fact] = build_ledger([claim(), claim(run_id=None, outlet=None)])
    assert fact.status == "consensus" and len(fact.sources) == 2


def test_wire_copy_in_many_outlets_is_one_fact() -> None:
    # Verbatim copies share one scoring key, whose scores against a full cluster are reused.
    wire = [claim(outlet=f"Outlet {n}") for n in range(8)]
    wrong = [claim(value=270, statement="Kenya deployed 270 additional police officers to Haiti.")
             for _ in range(3)]  # fmt: skip
    budget = [claim(subject="larkhaven", statement="The council passed its budget.", value=None,
                    unit=None, qualifier=None) for _ in range(3)]  # fmt: skip
    facts = build_ledger([*wire[:4], *wrong, *wire[4:], *budget])
    assert [(f.status, len(f.sources)) for f in facts] == [("conflict", 11), ("consensus", 3)]
    assert "217 officers vs 270 officers" in facts[0].explanation
    shuffled = [*wire, *wrong, *budget]
    random.Random(3).shuffle(shuffled)
    assert build_ledger(shuffled) == facts
