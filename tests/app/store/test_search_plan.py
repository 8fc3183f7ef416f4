"""Which stretch of a search the trigram index looks up, and FTS5's folding for the check."""

from __future__ import annotations

import pytest

from app.store import search_index
from app.store.search_plan import TextSample, index_stretch

KINDS = [
    "{e} deployed {n} police officers to Haiti.",
    "{e} pledged {n} dollars to the mission.",
    "{e} said it will stay in Haiti.",
    "The mission led by {e} has {n} members.",
]


@pytest.fixture(scope="module")
def sample() -> TextSample:
    """400 claims about 37 organisations, each with the first 40 characters as evidence."""
    texts = []
    for i in range(400):
        statement = KINDS[i % 4].format(e=f"Org {i % 37}", n=100 + 7 * i)
        texts.append(f"{statement}\x1f{statement[:40]}".lower())
    return TextSample(text="\x00".join(texts), claims=400)


def stretch(needle: str, sample: TextSample) -> str:
    start, end = index_stretch(needle, sample)
    return needle[start:end]


def test_sample_counts_trigrams_per_claim(sample: TextSample) -> None:
    assert sample.density("org") == 2.0  # every statement, and its evidence
    assert sample.density(" de") == 0.5
    assert sample.density("zeb") == 0.0


@pytest.mark.parametrize(
    ("needle", "expected"),
    [
        # "org" and "rg " are in every claim, "g 2" in the claims of Org 2 and Org 20-29;
        # "27 d" all but always goes on "deployed".
        ("org 27 deployed", " 27 d"),
        ("org 5 pledged 1", "g 5 p"),
        ("org 3 said it", " 3 s"),
        # Every trigram common: the rarest is looked up.
        ("police", "lic"),
        # Trigrams the sample never shows: the whole search.
        ("zebra crossing", "zebra crossing"),
        ("org", "org"),
    ],
)
def test_stretch_leaves_out_what_narrows_nothing(
    sample: TextSample, needle: str, expected: str
) -> None:
    assert stretch(needle, sample) == expected


def test_without_a_sample_the_whole_search_is_looked_up() -> None:
    empty = TextSample(text="", claims=0)

    assert stretch("org 27 deployed", empty) == "org 27 deployed"


def test_fts5_fold_is_sqlites_own() -> None:
    # FTS5 folds one character into one: final sigma and sigma alike, sharp s kept, and the
    # Kelvin sign to k, where str.casefold would give "ss" and str.lower keep the Kelvin sign.
    assert search_index.fts5_fold("ΣΟΦΊΑ ς Straße \u212aELVIN") == "σοφία σ straße kelvin"
    assert search_index.fts5_fold("Org 27 DEPLOYED") == "org 27 deployed"


@pytest.mark.parametrize(
    ("needle", "texts", "expected"),
    [
        ("org 27 deployed", ("Org 27 deployed 300 officers.", None), True),
        ("org 27 deployed", ("Org 2 deployed", "org 27 DEPLOYED"), True),
        ("org 27 deployed", ("Org 27 pledged", "deployed"), False),
        ("straße", ("STRASSE", None), False),  # as FTS5 finds it, not as casefold would
        ("σοφία", ("ΣΟΦΊΑ", None), True),
    ],
)
def test_contains_checks_as_an_fts5_phrase_would(
    needle: str, texts: tuple[str | None, str | None], expected: bool
) -> None:
    assert search_index.contains(needle, *texts) is expected
