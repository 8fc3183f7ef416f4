"""Reading gold stories: files, folders, JSONL, splits, and what a broken file says."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.core.config import PROJECT_ROOT
from app.eval.gold import GoldError, Wording, load_stories
from tests.app.eval.story import story


def write(path: Path, data: object) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_a_folder_read_recursively_and_filtered_by_split(tmp_path: Path) -> None:
    write(tmp_path / "dev" / "one.json", story("one", "dev"))
    write(tmp_path / "test" / "two.json", story("two", "test"))
    lines = "\n".join(json.dumps(story(n, "test")) for n in ("three", "four")) + "\n\n"
    (tmp_path / "test" / "more.jsonl").write_text(lines, encoding="utf-8")
    assert [s.story for s in load_stories(tmp_path)] == ["one", "three", "four", "two"]
    assert [s.story for s in load_stories(tmp_path, "test")] == ["three", "four", "two"]
    chosen = load_stories(tmp_path / "dev" / "one.json")[0]
    assert chosen.article_of("b2") == "b"
    assert chosen.claims_of(Wording.varied, "a")[0]["statement"].startswith("Reported: ")


def test_the_projects_evaluation_set_reads(tmp_path: Path) -> None:
    stories = load_stories(PROJECT_ROOT / "eval")
    assert "kenya-haiti" in [s.story for s in stories]
    for s in stories:
        assert {w.value for w in s.claims} == {"canonical", "varied"}
    holdout = load_stories(PROJECT_ROOT / "eval", "holdout")
    assert [s.story for s in holdout] == [
        "budget-vote-marrenland",
        "car-recall-torvane",
        "data-breach-quillfern",
        "mine-rescue-harwick-deep",
        "prisoner-exchange-varnia-teluria",
        "takeover-vestry-orlan",
        "train-derailment-tolvenmoor",
        "wildfire-ashbury-ridge",
    ]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda s: s["pairs"].append({"left": "a1", "right": "b9", "relation": "agree"}),
         "story.json: pair a1~b9: no claim ['b9']"),
        (lambda s: s["claims"]["varied"]["b"][0].update(id="a1"),
         "story.json: claim id 'a1' stands for two claims"),
        (lambda s: s["claims"]["canonical"].update(c=[]),
         "story.json: claims.canonical: no article ['c']"),
        (lambda s: s["claims"]["canonical"]["a"][0].pop("evidence"),
         "story.json: claims.canonical.a.0.evidence: Field required"),
        (lambda s: s["claims"].update(literal={}),
         "story.json: claims.literal.[key]: Input should be 'canonical' or 'varied'"),
    ],
)  # fmt: skip
def test_a_broken_story_is_refused_with_where(tmp_path: Path, change, message) -> None:
    data = story()
    change(data)
    path = write(tmp_path / "story.json", data)
    with pytest.raises(GoldError) as caught:
        load_stories(path)
    assert str(caught.value) == f"{tmp_path}/{message}"


def test_missing_paths_empty_folders_repeats_and_unknown_splits(tmp_path: Path) -> None:
    with pytest.raises(GoldError, match=r"nothing\.json: no such file or folder"):
        load_stories(tmp_path / "nothing.json")
    with pytest.raises(GoldError, match=r"no story found \(\.json or \.jsonl files\)"):
        load_stories(tmp_path)
    write(tmp_path / "x" / "a.json", story("same"))
    write(tmp_path / "y" / "b.json", story("same"))
    with pytest.raises(GoldError, match="the story 'same' appears twice"):
        load_stories(tmp_path)
    with pytest.raises(GoldError, match=r"no story in the split 'dev' \(splits here: \['test'\]\)"):
        load_stories(tmp_path / "x", "dev")
    (tmp_path / "bad.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(GoldError, match=r"bad\.json: Invalid JSON"):
        load_stories(tmp_path / "bad.json")
    write(tmp_path / "x" / "report.json", {"gold": "eval", "split": "dev", "figures": {}})
    with pytest.raises(GoldError) as caught:
        load_stories(tmp_path / "x")
    assert str(caught.value) == (
        f"{tmp_path}/x/report.json: not a gold story (it has no 'story' and no 'articles'); "
        "keep other JSON files, such as eval reports, out of the gold folder"
    )
