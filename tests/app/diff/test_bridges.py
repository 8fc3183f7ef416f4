"""app.diff.bridges: an undecided pair made because a third outlet's claim matches both sides.

eval/dev's bank collapse story, varied wording: the Brisca Ledger's "counts 41,300 savers with
frozen accounts" (on Wednesday) and Continental Business Wire's "around 41,000 of the bank's
customers still cannot get at their accounts" score under the threshold; the Ambrel Herald's
"over 40,000 customers are caught by the freeze" matches each of them."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from pathlib import Path

from app.diff.align import diff_claims
from app.diff.bridges import bridge_undecided, bridgeable, relation_reason
from app.diff.evaluation import gold_diff_claims, without_canonical_fields
from app.diff.types import DiffClaim, DiffResult, Relation
from app.diff.undecided import HELD_BACK

EVAL = Path(__file__).resolve().parents[3] / "eval"


def bank() -> dict[str, list[DiffClaim]]:
    story = json.loads((EVAL / "dev" / "bank-collapse-sorrel.json").read_text("utf-8"))
    return {key: [c for _, c in rows] for key, rows in gold_diff_claims(story, "varied").items()}


def frozen(claims: list[DiffClaim]) -> DiffClaim:
    """The article's count of customers whose accounts are frozen."""
    (found,) = [c for c in claims if c.value is not None and 40_000 <= c.value <= 42_000]
    return found


def statements(result: DiffResult) -> set[tuple[str, str]]:
    return {(p.left.statement, p.right.statement) for p in result.pairs}


LEDGER = "The regulator said on Wednesday it now counts 41,300 savers with frozen accounts."
WIRE = "Around 41,000 of the bank's customers still cannot get at their accounts."


def test_the_frozen_accounts_two_outlets_word_apart_are_paired_through_the_third() -> None:
    claims = bank()
    alone = diff_claims(claims["b"], claims["c"])
    (offered,) = [p for p in alone.undecided if p.left.value == 41_300]
    assert (offered.left.statement, offered.right.statement) == (LEDGER, WIRE)
    assert round(offered.score, 3) == 0.585
    assert (LEDGER, WIRE) not in statements(alone)

    bridged = bridge_undecided(alone, claims["a"])

    (pair,) = [p for p in bridged.pairs if p.left.statement == LEDGER]
    assert pair.right.statement == WIRE
    assert pair.relation is Relation.refines  # 41,300 refines "about 41,000"
    assert round(pair.score, 3) == 0.585  # its own score, under the threshold
    middle = frozen(claims["a"])
    assert pair.explanation.startswith(
        f"linked through The Ambrel Herald's claim {middle.id} "
        '("Over 40,000 customers are caught by the freeze on Sorrel accounts."), which matches '
        "both: "
    )
    assert pair not in bridged.undecided and offered not in bridged.undecided
    assert pair.left not in bridged.only_left and pair.right not in bridged.only_right
    assert bridged.summary["refines"] == alone.summary["refines"] + 1
    assert bridged.summary["only_left"] == alone.summary["only_left"] - 1


def test_diffing_the_other_way_round_pairs_them_the_same() -> None:
    claims = bank()
    bridged = bridge_undecided(diff_claims(claims["c"], claims["b"]), claims["a"])
    assert (WIRE, LEDGER) in statements(bridged)


def test_a_claim_of_either_side_is_no_third_source() -> None:
    claims = bank()
    alone = diff_claims(claims["b"], claims["c"])
    # The Herald's claim, as if the Ledger's own article had said it too.
    same_article = replace(frozen(claims["a"]), article_id=frozen(claims["b"]).article_id)
    assert bridge_undecided(alone, [same_article]) == alone
    assert bridge_undecided(alone, []) == alone


def test_claims_of_older_schemas_and_held_back_conflicts_are_not_bridged() -> None:
    claims = bank()
    alone = diff_claims(claims["b"], claims["c"])
    # The same offer between claims of news_claims@v1, aligned by their words: left undecided.
    older = replace(
        alone,
        undecided=[
            replace(
                p, left=without_canonical_fields(p.left), right=without_canonical_fields(p.right)
            )
            for p in alone.undecided
        ],
    )
    assert [bridgeable(p) for p in alone.undecided] == [True, True]
    assert [bridgeable(p) for p in older.undecided] == [False, False]
    assert bridge_undecided(older, claims["a"]) == older
    # A conflict the diff held back as ambiguous is left for a reader too.
    held = replace(
        alone,
        undecided=[
            replace(p, explanation=f"{HELD_BACK}: {p.explanation}") for p in alone.undecided
        ],
    )
    assert bridge_undecided(held, claims["a"]) == held


def test_a_third_source_stating_another_figure_makes_nothing() -> None:
    claims = bank()
    alone = diff_claims(claims["b"], claims["c"])
    other = replace(frozen(claims["a"]), value=80.0, statement="Sorrel will close 80 branches.")
    assert bridge_undecided(alone, [other]) == alone


def test_a_third_source_in_conflict_with_both_sides_makes_nothing() -> None:
    claims = bank()
    alone = diff_claims(claims["b"], claims["c"])
    middle = frozen(claims["a"])
    # The Herald counting over 45,000 from Wednesday to Friday still matches both (0.77 and
    # 0.70), but contradicts both.
    other = replace(
        middle,
        value=45_000.0,
        time_start=date(2027, 3, 10),
        time_end=date(2027, 3, 12),
        statement=middle.statement.replace("40,000", "45,000"),
        quote=middle.quote.replace("40,000", "45,000"),
    )
    assert bridge_undecided(alone, [other]) == alone
    assert bridge_undecided(alone, [middle]) != alone


def test_the_relation_reason_survives_a_third_statement_quoting_the_link_words() -> None:
    claims = bank()
    middle = frozen(claims["a"])
    odd = replace(middle, statement=f"{middle.statement[:-1]}, which matches both: it says so.")
    (pair,) = [
        p
        for p in bridge_undecided(diff_claims(claims["b"], claims["c"]), [odd]).pairs
        if p.linked_by is not None
    ]
    assert relation_reason(pair).startswith("figure decides: 41,300 savers vs about 41,000")
    assert pair.explanation.endswith(relation_reason(pair))
