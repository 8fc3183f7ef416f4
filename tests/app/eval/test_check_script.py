"""eval/check.py, the stdlib checker of the evaluation set, run as a user runs it."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

from app.core.config import PROJECT_ROOT

CHECK = PROJECT_ROOT / "eval" / "check.py"


def run_check(*paths: Path) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, str(CHECK), *map(str, paths)]
    return subprocess.run(command, capture_output=True, text=True, check=False, timeout=60)


def test_without_arguments_it_checks_every_split_folder_and_passes() -> None:
    result = run_check()
    assert result.returncode == 0, result.stdout
    files = sorted((PROJECT_ROOT / "eval").glob("*/*.json"))
    assert {f.parent.name for f in files} >= {"dev", "test", "holdout"}
    for f in files:
        assert f"{f.parent.name}/{f.name}" in result.stdout
    assert re.search(r"holdout \(8 stories\) +24 +226 +65 ", result.stdout)
    assert result.stdout.rstrip().endswith(f"{len(files)} of {len(files)} files ok")


def test_a_holdout_story_whose_split_is_not_its_folder_fails(tmp_path: Path) -> None:
    source = PROJECT_ROOT / "eval" / "holdout" / "wildfire-ashbury-ridge.json"
    data = json.loads(source.read_text(encoding="utf-8"))
    data["split"] = "test"
    path = tmp_path / "holdout" / "wildfire-ashbury-ridge.json"
    path.parent.mkdir()
    path.write_text(json.dumps(data), encoding="utf-8")
    result = run_check(path)
    assert result.returncode == 1
    assert "split 'test' but the file is in holdout/" in result.stdout
