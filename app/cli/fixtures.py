"""``factdiff fixtures``: maintain the offline LLM fixtures under fixtures/llm."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from app.cli.loop import run_coroutine
from app.core.config import PROJECT_ROOT, LLMMode, get_settings

fixtures_app = typer.Typer(help="Maintain the offline LLM fixtures under fixtures/llm.")
console = Console()


@fixtures_app.command("stamp")
def stamp(
    paths: Annotated[
        list[Path] | None, typer.Argument(help="Fixture files; default: all authored")
    ] = None,
) -> None:
    """Re-key hand-written fixtures to the current prompts, schemas and model, after review."""
    from app.extract.pipeline import extract_claims
    from app.extract.prompting import ArticleInput
    from app.llm.client import LLMError, build_client
    from app.llm.replay import Fixture, StampTransport, load_fixtures
    from schemas import get_schema

    settings = get_settings().model_copy(update={"llm_mode": LLMMode.replay})
    fixtures = (
        [Fixture(p.resolve(), json.loads(p.read_text(encoding="utf-8"))) for p in paths]
        if paths
        else [f for f in load_fixtures(settings.fixtures_dir) if f.authored]
    )
    for fixture in fixtures:
        if "pair" in fixture.data:  # an adjudicator's verdict (prompts/adjudicate_pair)
            _stamp_verdict(fixture, settings)
            continue
        schema = get_schema(fixture.data.get("schema") or fixture.path.parent.name)
        source = json.loads((PROJECT_ROOT / fixture.data["article"]).read_text(encoding="utf-8"))
        article = ArticleInput(
            source["text"],
            source.get("title"),
            source.get("outlet"),
            _parse_time(source.get("published_at")),
        )
        run_settings = settings.model_copy(
            update={"llm_validation_retries": len(fixture.data["exchanges"]) - 1}
        )
        client = build_client(run_settings, transport=StampTransport(fixture))
        try:
            result = run_coroutine(extract_claims(client, article, schema, run_settings))
            outcome = f"{len(result.claims)} grounded, {len(result.rejected)} rejected"
        except LLMError as exc:
            outcome = f"stamped; extraction then failed: {exc.message}"
        fixture.save()
        console.print(f"{fixture.path.relative_to(PROJECT_ROOT)}: {outcome}")


def _stamp_verdict(fixture: Any, settings: Any) -> None:
    """Re-key a hand-written verdict to the request the adjudicator now sends for its pair."""
    from app.llm.client import LLMError, build_client
    from app.llm.replay import StampTransport
    from app.services.adjudicator import Adjudicator, ask_contents

    run_settings = settings.model_copy(
        update={"llm_validation_retries": len(fixture.data["exchanges"]) - 1}
    )
    client = build_client(run_settings, transport=StampTransport(fixture))
    try:
        adjudicator = Adjudicator(client, run_settings)
        verdict = run_coroutine(ask_contents(adjudicator, fixture.data["pair"]))
        outcome = f"same_fact={verdict.same_fact}, {verdict.relation.value}"
    except LLMError as exc:
        outcome = f"stamped; the verdict then failed: {exc.message}"
    fixture.save()
    console.print(f"{fixture.path.relative_to(PROJECT_ROOT)}: {outcome}")


def _parse_time(value: str | None) -> Any:
    from datetime import datetime

    return datetime.fromisoformat(value.replace("Z", "+00:00")) if value else None
