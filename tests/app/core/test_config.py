"""Settings: database URL normalisation, LLM mode choice, fail-fast configuration."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import SecretStr, ValidationError

from app.core.config import LLMMode, Settings


def make(**kwargs: object) -> Settings:
    return Settings(_env_file=None, **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("postgres://u:p@db/factdiff", "postgresql+psycopg://u:p@db/factdiff"),
        ("postgresql://u:p@db/factdiff", "postgresql+psycopg://u:p@db/factdiff"),
        ("postgresql+psycopg://u@db/x", "postgresql+psycopg://u@db/x"),
        ("sqlite:///tmp/x.db", "sqlite:///tmp/x.db"),
    ],
)
def test_database_url_is_normalised(given: str, expected: str) -> None:
    assert make(database_url=given).database_url == expected


def test_no_endpoint_means_replay() -> None:
    settings = make()
    assert settings.mode is LLMMode.replay
    assert settings.llm_endpoint.startswith("replay:")


def test_an_endpoint_or_key_means_live(monkeypatch: pytest.MonkeyPatch) -> None:
    assert make(llm_base_url="http://localhost:11434/v1/").mode is LLMMode.live
    assert (
        make(llm_base_url="http://localhost:11434/v1/").llm_base_url == "http://localhost:11434/v1"
    )
    monkeypatch.setenv("OPENAI_API_KEY", "sk-from-env")
    settings = make()
    assert settings.mode is LLMMode.live
    assert settings.llm_api_key is not None
    assert settings.llm_api_key.get_secret_value() == "sk-from-env"
    assert "sk-from-env" not in repr(settings) and "sk-from-env" not in settings.llm_endpoint


def test_live_without_endpoint_fails_fast() -> None:
    with pytest.raises(ValidationError, match="FACTDIFF_LLM_MODE=live needs an endpoint"):
        make(llm_mode="live")


def test_azure_needs_its_endpoint() -> None:
    with pytest.raises(ValidationError, match="FACTDIFF_LLM_PROVIDER=azure needs"):
        make(llm_provider="azure", llm_api_key="k")


def test_overlap_must_be_under_half_the_budget() -> None:
    with pytest.raises(ValidationError, match="under half the token budget"):
        make(chunk_token_budget=400, chunk_overlap_tokens=200)


def test_a_judge_gets_only_the_key_given_for_its_url() -> None:
    """Extraction's key never goes to the judge's URL; the judge's key alone goes to
    extraction's."""
    base = make(
        llm_base_url="https://extract.example/v1", llm_api_key="sk-extract", adjudicator="llm"
    )

    def judge(**own: Any) -> tuple[str | None, str | None]:
        settings = base.model_copy(update=own).adjudicator_settings()
        key = settings.llm_api_key.get_secret_value() if settings.llm_api_key else None
        return settings.llm_base_url, key

    assert judge() == ("https://extract.example/v1", "sk-extract")  # one endpoint for both
    assert judge(adjudicator_base_url="http://judge.local/v1") == ("http://judge.local/v1", None)
    assert judge(
        adjudicator_base_url="http://judge.local/v1", adjudicator_api_key=SecretStr("sk-judge")
    ) == ("http://judge.local/v1", "sk-judge")
    assert judge(adjudicator_api_key=SecretStr("sk-judge")) == (
        "https://extract.example/v1",
        "sk-judge",
    )
