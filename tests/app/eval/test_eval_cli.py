"""`factdiff eval` end to end: the service over HTTP, extracting through the stand-in model
answering one small story's gold claims; the figures read from the JSON report."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from app.cli.main import app as cli
from app.core.config import Settings
from app.eval.gold import GoldStory, Wording
from app.eval.stand_in import GoldAnswers, create_app, serve_in_thread
from tests.app.eval.story import story
from tests.conftest import ClientFactory

runner = CliRunner()


@pytest.fixture
def gold_file(tmp_path: Path) -> Path:
    path = tmp_path / "test" / "bridge-orsa.json"
    path.parent.mkdir()
    path.write_text(json.dumps(story()), encoding="utf-8")
    return path


@pytest.fixture
def stand_in() -> Iterator[str]:
    answers = GoldAnswers([GoldStory.model_validate(story())], Wording.canonical)
    with serve_in_thread(create_app(answers)) as url:
        yield url


@pytest.fixture
def client(make_client: ClientFactory, stand_in: str) -> TestClient:
    """The service extracting live through the stand-in (live_server serves it over HTTP)."""
    return make_client(stand_in_settings(stand_in))


def stand_in_settings(url: str) -> Settings:
    """Live extraction through the stand-in model served at ``url``, over SQLite in memory."""
    return Settings(  # type: ignore[call-arg]
        llm_mode="live",
        llm_base_url=f"{url}/v1",
        llm_api_key="sk-stand-in",
        database_url="sqlite://",
        _env_file=None,
    )


def run_eval(*args: str) -> tuple[int, str]:
    result = runner.invoke(cli, ["eval", *args], env={"FACTDIFF_API_KEY": ""})
    return result.exit_code, result.output


def check_bridge_figures(report: dict[str, Any]) -> None:
    """What a correct model and a diff that gets this plain story right must score."""
    assert report["counts"] == {
        "gold_claims": 8,
        "stored_claims": 8,
        "matched_claims": 8,
        "rejected_claims": 0,
        "gold_pairs": 3,
        "predicted_pairs": 3,
        "aligned_pairs": 3,
        "offered_pairs": 0,
        "offered_gold_pairs": 0,
        "linked_pairs": 0,
        "linked_gold_pairs": 0,
        "right_relations": 3,
        "articles": 2,
        "failed_articles": 0,
        "llm_calls": 2,
        "prompt_tokens": report["counts"]["prompt_tokens"],
        "completion_tokens": report["counts"]["completion_tokens"],
    }
    figures = report["figures"]
    assert figures["offered_precision"] is None  # nothing was offered to check
    rates = [n for n in figures if not n.endswith("per_article") and n != "offered_precision"]
    assert len(rates) == 9
    for name in rates:
        assert figures[name] == 1.0, name
    assert figures["llm_calls_per_article"] == 1.0
    assert report["confusion"]["agree"]["agree"] == 2
    assert report["confusion"]["conflict"]["conflict"] == 1
    assert sum(n for row in report["confusion"].values() for n in row.values()) == 3
    assert all(t["met"] for t in report["targets"].values())
    (only,) = report["stories"]
    assert only["story"] == "bridge-orsa" and only["split"] == "test"
    assert only["missed_claims"] == only["missed_pairs"] == only["false_pairs"] == []


def test_eval_against_a_running_service(
    live_server: str, stand_in: str, gold_file: Path, tmp_path: Path
) -> None:
    out = tmp_path / "report.json"
    code, output = run_eval(
        str(gold_file.parent.parent), "--split", "test", "--server", live_server,
        "--json", str(out), "--check-targets",
    )  # fmt: skip
    assert code == 0, output
    assert "bridge-orsa" in output and "alignment recall" in output
    report = json.loads(out.read_text(encoding="utf-8"))
    check_bridge_figures(report)
    assert (report["wording"], report["split"], report["llm_mode"]) == ("canonical", "test", "live")
    # Tokens per article are the runs' usage, which is what the stand-in counted.
    used = httpx.get(f"{stand_in}/stats").json()
    tokens = used["prompt_tokens"] + used["completion_tokens"]
    assert report["figures"]["tokens_per_article"] == round(tokens / 2, 1)
    # Evaluated again, the stored runs are reused (and said to be): no new LLM call.
    code, output = run_eval(str(gold_file), "--server", live_server)
    assert code == 0, output
    assert "2 article(s) were already stored" in output
    assert httpx.get(f"{stand_in}/stats").json()["requests"] == used["requests"]


def test_eval_offline_with_the_stand_in_and_a_throwaway_service(
    gold_file: Path, tmp_path: Path
) -> None:
    out = tmp_path / "report.json"
    code, output = run_eval(str(gold_file), "--stand-in", "varied", "--json", str(out))
    assert code == 0, output
    report = json.loads(out.read_text(encoding="utf-8"))
    check_bridge_figures(report)
    assert (report["wording"], report["stand_in"], report["reused_runs"]) == ("varied", "varied", 0)


def test_bad_invocations_say_what_is_wrong(gold_file: Path, tmp_path: Path) -> None:
    code, output = run_eval(str(gold_file), "--stand-in", "varied", "--wording", "canonical")
    assert code == 2
    flat = " ".join(output.replace("│", " ").split())  # typer boxes and wraps the message
    assert "the stand-in answers in the varied wording; score against that one" in flat
    code, output = run_eval(str(tmp_path / "none.json"))
    assert (code, output.strip()) == (2, f"{tmp_path / 'none.json'}: no such file or folder")
    code, output = run_eval(str(gold_file), "--server", "http://127.0.0.1:9")
    assert code == 2
    assert output.startswith("cannot reach http://127.0.0.1:9:")
