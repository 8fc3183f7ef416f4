"""API key settings: read from the environment, refused when ambiguous, never echoed."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from app.core.config import ApiKeyScope, Settings
from tests.app.api.test_auth import ORIGIN, READ_KEY, WRITE_KEY


def test_keys_and_origins_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(
        "FACTDIFF_API_KEYS",
        f'[{{"name": "newsroom", "key": "{WRITE_KEY}", "scope": "write", '
        f'"daily_tokens": 2000000, "rpm": 120}}, {{"name": "archive", "key": "{READ_KEY}"}}]',
    )
    monkeypatch.setenv("FACTDIFF_CORS_ORIGINS", f'["{ORIGIN}"]')
    settings = Settings(_env_file=None)
    newsroom, archive = settings.api_keys
    assert (newsroom.name, newsroom.scope, newsroom.daily_tokens, newsroom.rpm) == (
        "newsroom",
        ApiKeyScope.write,
        2_000_000,
        120,
    )
    assert newsroom.key.get_secret_value() == WRITE_KEY
    assert (archive.scope, archive.daily_tokens, archive.rpm) == (ApiKeyScope.read, None, None)
    assert settings.cors_origins == [ORIGIN]
    assert WRITE_KEY not in repr(settings)


BAD_KEYS = [
    pytest.param(
        [{"name": "newsroom", "key": WRITE_KEY}, {"name": "newsroom", "key": READ_KEY}],
        "FACTDIFF_API_KEYS: the name 'newsroom' is used twice",
        id="duplicate-name",
    ),
    pytest.param(
        [{"name": "newsroom", "key": WRITE_KEY}, {"name": "desk", "key": WRITE_KEY}],
        "FACTDIFF_API_KEYS: 'newsroom' and 'desk' share one key",
        id="duplicate-key",
    ),
    pytest.param(
        [{"name": "newsroom", "key": "short-secret"}],
        "an API key must be 16 to 200 characters long",
        id="short-key",
    ),
    pytest.param(
        [{"name": "newsroom", "key": WRITE_KEY, "scope": "admin"}],
        "Input should be 'read' or 'write'",
        id="unknown-scope",
    ),
]


@pytest.mark.parametrize(("keys", "message"), BAD_KEYS)
def test_bad_key_settings_are_refused_without_echoing_keys(
    keys: list[dict[str, str]], message: str
) -> None:
    with pytest.raises(ValidationError) as error:
        Settings(api_keys=keys, _env_file=None)
    text = str(error.value)
    assert message in text
    assert WRITE_KEY not in text and READ_KEY not in text and "short-secret" not in text
