"""``factdiff eval``: score a running factdiff against a gold set, or run it all offline.

With ``--stand-in WORDING`` the command starts the stand-in model (app.eval.stand_in) and a
throwaway factdiff (``uvicorn app.main:app`` on a fresh SQLite file) pointed at it through
FACTDIFF_LLM_BASE_URL, evaluates, and stops both. With ``--serve-only`` it serves the stand-in
alone, for a service run by hand.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import httpx
import typer
import uvicorn
from rich.console import Console

from app.cli.loop import run_coroutine
from app.cli.options import DEFAULT_SERVER, ApiKeyOption, ServerOption
from app.eval.gold import GoldError, GoldStory, Wording, load_stories
from app.eval.report import TARGETS, print_report, report_json, total
from app.eval.score import score_story
from app.eval.service import ServiceError, ServiceOptions, collect, health
from app.eval.stand_in import GoldAnswers, create_app, serve_in_thread

STAND_IN_API_KEY = "sk-stand-in"  # the stand-in checks no key; the SDK wants one
STAND_IN_PORT = 9300
# Piped or redirected, rich would fold the figures into 80 columns.
console = Console() if sys.stdout.isatty() else Console(width=140)


def eval_command(
    gold: Annotated[
        Path, typer.Argument(help="A story file (.json, .jsonl) or a folder of them: eval/")
    ],
    split: Annotated[str | None, typer.Option(help="Only the stories of this split")] = None,
    wording: Annotated[
        Wording | None,
        typer.Option(help="The gold wording to score against; default: the stand-in's"),
    ] = None,
    stand_in: Annotated[
        Wording | None,
        typer.Option(
            "--stand-in",
            help="Offline: a stand-in model answering every article with this wording of its "
            "gold claims, and a throwaway factdiff (fresh SQLite) extracting through it",
        ),
    ] = None,
    serve_only: Annotated[
        bool, typer.Option(help="With --stand-in: only serve the stand-in model, on --port")
    ] = False,
    port: Annotated[int, typer.Option(help="The stand-in's port with --serve-only")] = (
        STAND_IN_PORT
    ),
    server: ServerOption = DEFAULT_SERVER,
    api_key: ApiKeyOption = None,
    json_out: Annotated[Path | None, typer.Option("--json", help="Also write it as JSON")] = None,
    schema: Annotated[
        str | None, typer.Option(help="Extraction schema; default the service's")
    ] = None,
    concurrency: Annotated[int, typer.Option(min=1, max=64, help="Articles in flight")] = 4,
    timeout: Annotated[float, typer.Option(min=1, help="Seconds to wait for one article")] = 600,
    check_targets: Annotated[
        bool, typer.Option(help="Exit 1 when a target of issue 13 is not met")
    ] = False,
) -> None:
    """Score a running factdiff against gold stories: claims, grounding, alignment, relations."""
    if stand_in and wording and wording is not stand_in:
        raise typer.BadParameter(
            f"the stand-in answers in the {stand_in.value} wording; score against that one",
            param_hint="--wording",
        )
    if serve_only and not stand_in:
        raise typer.BadParameter("--serve-only serves the stand-in: give --stand-in too")
    try:
        stories = load_stories(gold, split)
    except GoldError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from exc
    if stand_in and serve_only:
        serve_stand_in(stories, stand_in, port, console)
        return
    options = ServiceOptions(server, api_key, schema, concurrency, timeout)
    request = EvalRequest(
        gold=gold,
        wording=stand_in or wording or Wording.canonical,
        split=split,
        service=options,
        json_out=json_out,
        check_targets=check_targets,
    )
    try:
        if stand_in is None:
            code = evaluate(request, stories, console)
        else:
            with stand_in_model(stories, stand_in) as llm_url, throwaway_service(llm_url) as url:
                request.service.server = url
                code = evaluate(request, stories, console, stand_in=stand_in.value)
    except (ServiceError, RuntimeError, OSError) as exc:  # RuntimeError: a server did not start
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from exc
    raise typer.Exit(code)


@dataclass
class EvalRequest:
    gold: Path
    wording: Wording
    split: str | None
    service: ServiceOptions
    json_out: Path | None = None
    check_targets: bool = False


def evaluate(
    request: EvalRequest,
    stories: list[GoldStory],
    console: Console,
    *,
    stand_in: str | None = None,
) -> int:
    """Evaluate, print the report, write the JSON; the exit code (1: targets unmet, if asked)."""
    about = run_coroutine(health(request.service))
    outcomes = run_coroutine(collect(stories, request.service))
    scores = [score_story(s, o, request.wording) for s, o in zip(stories, outcomes, strict=True)]
    split = request.split or "all splits"
    title = f"factdiff eval · {request.gold} · {split} · {request.wording} wording"
    print_report(console, scores, title)
    if judge := about.get("adjudicator_model"):
        console.print(f"undecided pairs put to the adjudicator: {judge}")
    reused = sum(a.reused for o in outcomes for a in o.articles.values())
    if reused:
        console.print(
            f"[yellow]{reused} article(s) were already stored: their runs were reused, "
            "so their claims come from whichever model extracted them first.[/]"
        )
    context = {
        "gold": str(request.gold),
        "split": request.split,
        "wording": request.wording.value,
        "server": request.service.server,
        "model": about.get("model"),
        "llm_mode": about.get("llm_mode"),
        "adjudicator_model": about.get("adjudicator_model"),
        "stand_in": stand_in,
        "reused_runs": reused,
    }
    document = report_json(scores, context=context)
    if request.json_out:
        request.json_out.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
        console.print(f"JSON report: {request.json_out}")
    figures = total(scores).figures()
    unmet = [n for n, goal in TARGETS.items() if (figures[n] or 0.0) < goal]
    return 1 if request.check_targets and unmet else 0


@contextmanager
def stand_in_model(stories: list[GoldStory], wording: Wording, port: int = 0) -> Iterator[str]:
    """The stand-in model served in a thread; yields its /v1 base URL."""
    with serve_in_thread(create_app(GoldAnswers(stories, wording)), port) as url:
        yield f"{url}/v1"


def serve_stand_in(stories: list[GoldStory], wording: Wording, port: int, console: Console) -> None:
    """Serve the stand-in in the foreground until interrupted."""
    console.print(
        f"stand-in model for {len(stories)} stories ({wording.value} wording). Run factdiff "
        f"against it:\n  FACTDIFF_LLM_MODE=live FACTDIFF_LLM_BASE_URL=http://127.0.0.1:{port}/v1 "
        f"FACTDIFF_LLM_API_KEY={STAND_IN_API_KEY} factdiff serve"
    )
    app = create_app(GoldAnswers(stories, wording))
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning")


@contextmanager
def throwaway_service(llm_base_url: str, startup_s: float = 60.0) -> Iterator[str]:
    """factdiff on a fresh SQLite file, its LLM the given endpoint; yields its base URL."""
    with tempfile.TemporaryDirectory(prefix="factdiff-eval-") as folder:
        port = _free_port()
        env = {k: v for k, v in os.environ.items() if k != "FACTDIFF_API_KEYS"}
        env |= {
            "FACTDIFF_DATABASE_URL": f"sqlite:///{Path(folder) / 'eval.db'}",
            "FACTDIFF_LLM_MODE": "live",
            "FACTDIFF_LLM_PROVIDER": "openai",
            "FACTDIFF_LLM_BASE_URL": llm_base_url,
            "FACTDIFF_LLM_API_KEY": STAND_IN_API_KEY,
        }
        command = [sys.executable, "-m", "uvicorn", "app.main:app", "--host", "127.0.0.1"]
        command += ["--port", str(port), "--log-level", "warning"]
        log = (Path(folder) / "service.log").open("w", encoding="utf-8")
        process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
        url = f"http://127.0.0.1:{port}"
        try:
            if not _wait_healthy(url, process, startup_s):
                log.flush()
                tail = (Path(folder) / "service.log").read_text(encoding="utf-8")[-2000:]
                raise RuntimeError(f"the throwaway factdiff did not start:\n{tail}")
            yield url
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            log.close()


def _wait_healthy(url: str, process: subprocess.Popen[Any], deadline_s: float) -> bool:
    end = time.monotonic() + deadline_s
    while time.monotonic() < end and process.poll() is None:
        try:
            if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                return True
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    return False


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port
