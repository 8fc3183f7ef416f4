"""The ``factdiff`` command line: run the service, load samples, maintain fixtures."""

from __future__ import annotations

import asyncio
import gc
import threading
from pathlib import Path
from typing import Annotated, Literal

import httpx
import typer
from rich.console import Console
from rich.text import Text

from app.cli.evaluate import eval_command
from app.cli.facts import facts_app
from app.cli.fixtures import fixtures_app
from app.cli.loop import run_coroutine, run_event_loop
from app.cli.options import (
    DEFAULT_SERVER,
    ApiKeyOption,
    ServerOption,
    auth_headers,
    message_of,
)
from app.cli.samples import SAMPLES_DIR, post_samples, wait_healthy
from app.core.config import get_settings

app = typer.Typer(help="factdiff: grounded claims from news articles.", no_args_is_help=True)
app.add_typer(fixtures_app, name="fixtures")
app.command("eval")(eval_command)
app.add_typer(facts_app, name="facts")
console = Console()


@app.command()
def serve(
    host: str = "127.0.0.1",
    port: int = 8000,
    load_samples: Annotated[
        bool, typer.Option(help="POST fixtures/articles/*.json once up")
    ] = False,
    api_key: ApiKeyOption = None,
) -> None:
    """Run the HTTP service (uvicorn app.main:app)."""
    import uvicorn

    server_url = f"http://{host}:{port}"
    if load_samples:

        def loader() -> None:
            if wait_healthy(server_url):
                post_samples(server_url, api_key=api_key)
                console.print(f"[bold]factdiff is up:[/] {server_url}/  ·  {server_url}/docs")

        threading.Thread(target=loader, daemon=True).start()
    uvicorn.run("app.main:app", host=host, port=port)


@app.command()
def worker(
    concurrency: Annotated[
        int | None, typer.Option(help="Runs in flight; default FACTDIFF_WORKER_CONCURRENCY")
    ] = None,
) -> None:
    """Process queued runs without serving HTTP: start several against one PostgreSQL."""
    import signal

    from app.core.logs import configure_logging
    from app.jobs.worker import WorkerPool
    from app.llm.client import build_client, close_client
    from app.services.facts import assign_facts
    from app.store import db

    configure_logging()
    settings = get_settings()
    if concurrency is not None:  # the runs' pool is sized by it
        settings = settings.model_copy(update={"worker_concurrency": concurrency})
    engine = db.get_engine()
    db.migrate(engine)
    # What is loaded by now lives as long as the process: frozen, the cyclic collector stops
    # walking it at every full collection (half the collector's time in a busy worker).
    gc.freeze()
    # A run's answer, its rows and a pass of fact assignment make tens of thousands of
    # short-lived objects: at the default threshold (700 allocations) the collector ran some
    # 900 times per 1,000 runs, and a full collection walked the claims' features kept for
    # assignment, a sixth of a worker's CPU (bench.ingest_bench's overhead scenario). Every
    # 100,000 allocations it runs a few times per 1,000 runs, each pass some 70 ms.
    gc.set_threshold(100_000, 50, 50)

    async def main() -> None:
        pool = WorkerPool(
            db.jobs_engine(engine, settings),
            build_client(settings),
            settings,
            concurrency=concurrency,
            after_store=assign_facts(settings),
        )
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, pool.stop)
        await pool.run()
        await close_client(pool.client)
        console.print(f"worker {pool.owner} stopped after {pool.processed} run(s)")

    run_event_loop(main())


@app.command("load-samples")
def load_samples_command(
    server: ServerOption = DEFAULT_SERVER,
    api_key: ApiKeyOption = None,
    folder: Path = SAMPLES_DIR,
    timeout: Annotated[
        float, typer.Option(min=1, help="Seconds to wait for each article's extraction")
    ] = 120.0,
) -> None:
    """POST the sample articles to a running service and show what each yielded."""
    try:
        failures = post_samples(server.rstrip("/"), folder, timeout=timeout, api_key=api_key)
    except httpx.HTTPError as exc:
        console.print(Text(f"cannot reach {server}: {exc}", style="red"), soft_wrap=True)
        raise typer.Exit(2) from exc
    raise typer.Exit(1 if failures else 0)


@app.command("diff")
def diff_command(
    left: Annotated[str, typer.Argument(help="article:ID, run:ID or outlet:NAME")],
    right: Annotated[str, typer.Argument(help="article:ID, run:ID or outlet:NAME")],
    server: ServerOption = DEFAULT_SERVER,
    api_key: ApiKeyOption = None,
    schema: Annotated[
        str | None, typer.Option(help="Extraction schema; default news_claims")
    ] = None,
) -> None:
    """Print the Markdown diff of two articles, runs or outlets from a running service."""
    params = {"left": left, "right": right, "format": "md"}
    if schema:
        params["schema"] = schema
    try:
        response = httpx.get(
            f"{server.rstrip('/')}/diff", params=params, headers=auth_headers(api_key), timeout=60
        )
    except httpx.HTTPError as exc:
        console.print(Text(f"cannot reach {server}: {exc}", style="red"), soft_wrap=True)
        raise typer.Exit(2) from exc
    if response.status_code != 200:
        problem = f"{response.status_code}: {message_of(response)}"
        console.print(Text(problem, style="red"), soft_wrap=True)
        raise typer.Exit(1)
    # Plain print: the Markdown is meant to be read as is, or piped into a report.
    print(response.text)


@app.command("submit")
def submit_command(
    paths: Annotated[
        list[Path], typer.Argument(exists=True, help="Files or folders: .txt, .md, .json, .jsonl")
    ],
    server: ServerOption = DEFAULT_SERVER,
    api_key: ApiKeyOption = None,
    concurrency: Annotated[int, typer.Option(min=1, max=256, help="Articles in flight")] = 8,
    report: Annotated[
        Path | None,
        typer.Option(
            help="JSONL report, one outcome per line as each ends; appended to, so a resumed "
            "batch keeps the earlier lines (started afresh with --no-resume)"
        ),
    ] = None,
    schema: Annotated[
        str | None, typer.Option(help="Extraction schema for articles that name none")
    ] = None,
    resume: Annotated[
        bool, typer.Option(help="Skip articles the server already stores with claims")
    ] = True,
    poll_interval: Annotated[float, typer.Option(min=0.05, help="Seconds between polls")] = 0.5,
    timeout: Annotated[float, typer.Option(min=1, help="Seconds to wait for one article")] = 600,
) -> None:
    """Submit many articles to a running service; report what each yielded."""
    from app.cli.outcomes import exit_code
    from app.cli.submit import SubmitOptions, submit

    options = SubmitOptions(
        server=server,
        api_key=api_key,
        concurrency=concurrency,
        report=report,
        schema=schema,
        resume=resume,
        poll_interval=poll_interval,
        timeout=timeout,
    )
    try:
        outcomes = run_coroutine(submit(paths, options, console))
    except KeyboardInterrupt:
        # submit() has printed the summary and closed the report already.
        raise typer.Exit(130) from None
    raise typer.Exit(exit_code(outcomes))


@app.command("export")
def export_command(
    out: Annotated[Path | None, typer.Option("--out", "-o", help="File; default stdout")] = None,
    fmt: Annotated[
        Literal["jsonl", "csv"], typer.Option("--format", help="jsonl or csv")
    ] = "jsonl",
    server: ServerOption = DEFAULT_SERVER,
    api_key: ApiKeyOption = None,
    article_id: int | None = None,
    run_id: int | None = None,
    outlet: str | None = None,
    entity: str | None = None,
    claim_type: str | None = None,
    q: Annotated[str | None, typer.Option(help="Text in the statement or evidence")] = None,
    date_from: Annotated[str | None, typer.Option(help="YYYY-MM-DD")] = None,
    date_to: Annotated[str | None, typer.Option(help="YYYY-MM-DD")] = None,
    include_inactive: Annotated[
        bool, typer.Option(help="Also export retracted and superseded claims")
    ] = False,
) -> None:
    """Export the stored claims, filtered like GET /claims, as JSONL or CSV."""
    import sys

    from app.cli.export import ExportError, export_claims

    given = {
        "article_id": article_id,
        "run_id": run_id,
        "outlet": outlet,
        "entity": entity,
        "claim_type": claim_type,
        "q": q,
        "date_from": date_from,
        "date_to": date_to,
        "include_inactive": "true" if include_inactive else None,
    }
    filters = {key: str(value) for key, value in given.items() if value is not None}
    try:
        if out is None:
            count = export_claims(server, api_key, sys.stdout, fmt, filters)
        else:
            # newline="": the csv module writes its own line ends.
            with out.open("w", encoding="utf-8", newline="") as stream:
                count = export_claims(server, api_key, stream, fmt, filters)
    except ExportError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(1) from exc
    # stderr: stdout may be the export itself.
    typer.echo(f"{count} claim(s) exported", err=True)


@app.command("backup")
def backup_command(
    target: Annotated[Path, typer.Argument(help="A new file to write the copy to")],
) -> None:
    """Copy the SQLite database while the service runs (PostgreSQL: pg_dump -Fc)."""
    from app.store.backup import BackupError, backup_sqlite

    try:
        pages = backup_sqlite(get_settings().database_url, target)
    except BackupError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(1) from exc
    console.print(f"backed up {pages} page(s) to {target}")


if __name__ == "__main__":
    app()
