"""The factdiff commands that talk to a service: where it is and the key, from options or the
environment, against a live service that requires a key."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer.main
from fastapi.testclient import TestClient
from typer.core import TyperGroup, TyperOption
from typer.testing import CliRunner, Result

from app.api.auth import INVALID_KEY, MISSING_KEY
from app.cli.main import app as cli
from app.core.config import ApiKey, ApiKeyScope, Settings
from tests.app.cli.test_submit import engine_fixture  # noqa: F401  (its file database)
from tests.conftest import ARTICLES_DIR

WRITE_KEY = "cli-write-0123456789abcdef"
CLIENT_COMMANDS = ("load-samples", "diff", "submit", "export", "eval")


@pytest.fixture
def settings() -> Settings:
    """Replay mode, and every endpoint but /healthz needs a key."""
    key = ApiKey(name="desk", key=WRITE_KEY, scope=ApiKeyScope.write)
    return Settings(llm_mode="replay", database_url="sqlite://", _env_file=None, api_keys=[key])  # type: ignore[call-arg]


@pytest.fixture
def samples(tmp_path: Path) -> Path:
    folder = tmp_path / "samples"
    folder.mkdir()
    for stem in ("kenya-haiti-217", "kenya-haiti-270"):
        (folder / f"{stem}.json").write_bytes((ARTICLES_DIR / f"{stem}.json").read_bytes())
    return folder


def run(args: list[str], **env: str) -> Result:
    return CliRunner().invoke(cli, args, env=env, catch_exceptions=False)


def test_every_client_command_reads_server_and_key_from_the_environment(
    client: TestClient, live_server: str, samples: Path
) -> None:
    env = {"FACTDIFF_SERVER": live_server, "FACTDIFF_API_KEY": WRITE_KEY}

    loaded = run(["load-samples", "--folder", str(samples)], **env)
    assert loaded.exit_code == 0, loaded.output
    table = [line.split("│")[1:3] for line in loaded.output.splitlines() if "kenya" in line]
    assert [(a.strip(), s.strip()) for a, s in table] == [
        ("kenya-haiti-217", "201"),
        ("kenya-haiti-270", "201"),
    ]

    diffed = run(["diff", "article:1", "article:2"], **env)
    assert diffed.exit_code == 0, diffed.output
    assert diffed.output.startswith("# Claim diff: article 1 vs article 2\n")
    assert "## Conflicts (1)" in diffed.output

    submitted = run(["submit", str(samples)], **env)
    assert submitted.exit_code == 0, submitted.output
    assert "0 succeeded, 2 skipped, 0 failed, 0 invalid" in submitted.output

    exported = run(["export", "--format", "jsonl", "--article-id", "1"], **env)
    assert exported.exit_code == 0, exported.output
    claims = client.get(
        "/claims", params={"article_id": 1}, headers={"X-API-Key": WRITE_KEY}
    ).json()["data"]
    lines = exported.stdout.splitlines()
    assert [json.loads(line)["id"] for line in lines] == [c["id"] for c in claims]
    assert exported.stderr == f"{len(claims)} claim(s) exported\n"


def test_options_name_the_server_and_key_over_the_environment(
    client: TestClient, live_server: str, samples: Path
) -> None:
    # The environment points elsewhere, with a wrong key: the options win.
    env = {"FACTDIFF_SERVER": "http://127.0.0.1:9", "FACTDIFF_API_KEY": "wrong-key-0123456789"}
    given = ["--server", live_server, "--api-key", WRITE_KEY]

    loaded = run(["load-samples", "--folder", str(samples), *given], **env)
    diffed = run(["diff", "article:1", "article:2", *given], **env)
    submitted = run(["submit", str(samples), *given], **env)
    exported = run(["export", "--article-id", "2", *given], **env)

    assert [r.exit_code for r in (loaded, diffed, submitted, exported)] == [0, 0, 0, 0]
    assert "## Conflicts (1)" in diffed.output
    assert "0 succeeded, 2 skipped, 0 failed, 0 invalid" in submitted.output


def test_without_a_key_each_command_says_401_and_fails(
    client: TestClient, live_server: str, samples: Path
) -> None:
    env = {"FACTDIFF_SERVER": live_server}

    loaded = run(["load-samples", "--folder", str(samples)], **env)
    diffed = run(["diff", "article:1", "article:2"], **env)
    submitted = run(["submit", str(samples), "--concurrency", "1"], **env)
    exported = run(["export"], FACTDIFF_API_KEY="wrong-key-0123456789", **env)

    assert loaded.exit_code == 1
    rows = [line.split("│")[1:3] for line in loaded.output.splitlines() if "kenya" in line]
    assert [(a.strip(), s.strip()) for a, s in rows] == [
        ("kenya-haiti-217", "401"),
        ("kenya-haiti-270", "401"),
    ]
    assert (diffed.exit_code, diffed.output) == (1, f"401: {MISSING_KEY}\n")
    assert submitted.exit_code == 1
    assert f"failed 2 articles: POST /articles: 401 {MISSING_KEY}" in submitted.output
    assert (exported.exit_code, exported.stderr) == (1, f"GET /claims: 401 {INVALID_KEY}\n")


def test_an_unreachable_server_is_said_so_without_a_traceback() -> None:
    loaded = run(["load-samples"], FACTDIFF_SERVER="http://127.0.0.1:9")
    assert loaded.exit_code == 2
    assert loaded.output.startswith("cannot reach http://127.0.0.1:9: ")


def test_every_client_command_takes_both_options_and_both_variables() -> None:
    group = typer.main.get_command(cli)
    assert isinstance(group, TyperGroup)
    takes_server = {
        name
        for name, command in group.commands.items()
        if any(p.name == "server" for p in command.params)
    }
    assert takes_server == set(CLIENT_COMMANDS)
    for name in (*CLIENT_COMMANDS, "serve"):
        params = {p.name: p for p in group.commands[name].params}
        assert isinstance(params["api_key"], TyperOption)
        assert (params["api_key"].opts, params["api_key"].envvar) == (
            ["--api-key"],
            "FACTDIFF_API_KEY",
        )
        if name != "serve":
            server = params["server"]
            assert isinstance(server, TyperOption)
            assert (server.opts, server.envvar, server.default) == (
                ["--server"],
                "FACTDIFF_SERVER",
                "http://127.0.0.1:8000",
            )
