"""app.diff.bridges: an undecided pair made because a third outlet's claim matches both sides.

eval/dev's layoffs story, varied wording: the Valley Business Journal's "laying off 1,200 staff"
and the Tech Ledger's "job cuts number about 1,200" score under the threshold; Markets Daily's
"will eliminate 1,200 positions" matches each of them."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

from app.diff.align import diff_claims
from app.diff.bridges import bridge_undecided, bridgeable, relation_reason
from app.diff.evaluation import gold_diff_claims, without_canonical_fields
from app.diff.types import DiffClaim, DiffResult, Relation
from app.diff.undecided import HELD_BACK

EVAL = Path(__file__).resolve().parents[3] / "eval"


def layoffs() -> dict[str, list[DiffClaim]]:
    story = json.loads((EVAL / "dev" / "layoffs-brightwell.json").read_text("utf-8"))
    return {key: [c for _, c in rows] for key, rows in gold_diff_claims(story, "varied").items()}


def cuts(claims: list[DiffClaim]) -> DiffClaim:
    (found,) = [c for c in claims if c.value == 1200]
    return found


def statements(result: DiffResult) -> set[tuple[str, str]]:
    return {(p.left.statement, p.right.statement) for p in result.pairs}


JOURNAL = "Brightwell is laying off 1,200 staff."
LEDGER = "Brightwell's announced job cuts number about 1,200."


def test_the_job_cuts_two_outlets_word_apart_are_paired_through_the_third() -> None:
    claims = layoffs()
    alone = diff_claims(claims["a"], claims["c"])
    (offered,) = [p for p in alone.undecided if p.left.value == p.right.value == 1200]
    assert (offered.left.statement, offered.right.statement) == (JOURNAL, LEDGER)
    assert round(offered.score, 3) == 0.601
    assert (JOURNAL, LEDGER) not in statements(alone)

    bridged = bridge_undecided(alone, claims["b"])

    (pair,) = [p for p in bridged.pairs if p.left.statement == JOURNAL]
    assert pair.right.statement == LEDGER
    assert pair.relation is Relation.refines  # "about 1,200" refines "1,200"
    assert round(pair.score, 3) == 0.601  # its own score, under the threshold
    middle = cuts(claims["b"])
    assert pair.explanation.startswith(
        f"linked through Markets Daily's claim {middle.id} "
        '("Brightwell will eliminate 1,200 positions."), which matches both: '
    )
    assert pair not in bridged.undecided and offered not in bridged.undecided
    assert pair.left not in bridged.only_left and pair.right not in bridged.only_right
    assert bridged.summary["refines"] == alone.summary["refines"] + 1
    assert bridged.summary["only_left"] == alone.summary["only_left"] - 1


def test_diffing_the_other_way_round_pairs_them_the_same() -> None:
    claims = layoffs()
    bridged = bridge_undecided(diff_claims(claims["c"], claims["a"]), claims["b"])
    assert (LEDGER, JOURNAL) in statements(bridged)


def test_a_claim_of_either_side_is_no_third_source() -> None:
    claims = layoffs()
    alone = diff_claims(claims["a"], claims["c"])
    # Markets Daily's claim, as if the Journal's own article had said it too.
    same_article = replace(cuts(claims["b"]), article_id=cuts(claims["a"]).article_id)
    assert bridge_undecided(alone, [same_article]) == alone
    assert bridge_undecided(alone, []) == alone


def test_claims_of_older_schemas_and_held_back_conflicts_are_not_bridged() -> None:
    claims = layoffs()
    alone = diff_claims(claims["a"], claims["c"])
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
    assert bridge_undecided(older, claims["b"]) == older
    # A conflict the diff held back as ambiguous is left for a reader too.
    held = replace(
        alone,
        undecided=[
            replace(p, explanation=f"{HELD_BACK}: {p.explanation}") for p in alone.undecided
        ],
    )
    assert bridge_undecided(held, claims["b"]) == held


def test_a_third_source_stating_another_figure_makes_nothing() -> None:
    claims = layoffs()
    alone = diff_claims(claims["a"], claims["c"])
    other = replace(cuts(claims["b"]), value=80.0, statement="Brightwell will close 80 stores.")
    assert bridge_undecided(alone, [other]) == alone


def test_a_third_source_in_conflict_with_both_sides_makes_nothing() -> None:
    claims = layoffs()
    alone = diff_claims(claims["a"], claims["c"])
    middle = cuts(claims["b"])
    # Markets Daily saying 1,300 still matches both (0.65 and 0.74), but contradicts both.
    other = replace(
        middle,
        value=1300.0,
        statement=middle.statement.replace("1,200", "1,300"),
        quote=middle.quote.replace("1,200", "1,300"),
    )
    assert bridge_undecided(alone, [other]) == alone
    assert bridge_undecided(alone, [middle]) != alone


def test_the_relation_reason_survives_a_third_statement_quoting_the_link_words() -> None:
    claims = layoffs()
    middle = cuts(claims["b"])
    odd = replace(middle, statement=f"{middle.statement[:-1]}, which matches both: it says so.")
    (pair,) = [
        p
        for p in bridge_undecided(diff_claims(claims["a"], claims["c"]), [odd]).pairs
        if p.linked_by is not None
    ]
    assert relation_reason(pair).startswith("figure decides: 1,200 employees vs about 1,200")
    assert pair.explanation.endswith(relation_reason(pair))
