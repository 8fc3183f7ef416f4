"""runs' stored endpoints without credentials

Revision ID: 3f1c9a7e5d20
Revises: 1a1242f10c35
Create Date: 2026-11-27 19:40:00.000000

"""

from typing import Sequence, Union
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from alembic import op
from sqlalchemy import text

# revision identifiers, used by Alembic.
revision: str = "3f1c9a7e5d20"
down_revision: Union[str, Sequence[str], None] = "1a1242f10c35"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

# The rule of this day (app.core.redaction.strip_credentials), kept here as it was.
PARTS = ("key", "token", "secret", "passw", "pwd", "auth", "signature", "credential")
NAMES = frozenset({"sig", "code", "pass", "session", "sessionid", "jwt"})


def credential_param(name: str) -> bool:
    folded = name.casefold()
    return folded in NAMES or any(part in folded for part in PARTS)


def strip_credentials(url: str) -> str:
    try:
        parts = urlsplit(url)
        host, port = parts.hostname, parts.port
    except ValueError:
        return url.rsplit("@", 1)[-1] if "@" in url else url
    netloc = parts.netloc
    if "@" in netloc:
        netloc = f"[{host}]" if host and ":" in host else (host or "")
        if port is not None:
            netloc += f":{port}"
    query = parts.query
    pairs = parse_qsl(query, keep_blank_values=True)
    if any(credential_param(name) for name, _ in pairs):
        query = urlencode([(name, value) for name, value in pairs if not credential_param(name)])
    if netloc == parts.netloc and query == parts.query:
        return url
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


def upgrade() -> None:
    """Runs stored FACTDIFF_LLM_BASE_URL as configured, user:password@ and ?api_key= too:
    served by GET /runs/{id} and POST /articles to anyone who could read."""
    bind = op.get_bind()
    rows = bind.execute(
        text(
            "SELECT DISTINCT endpoint FROM extraction_run "
            "WHERE endpoint LIKE '%@%' OR endpoint LIKE '%?%'"
        )
    ).all()
    for (endpoint,) in rows:
        clean = strip_credentials(endpoint)
        if clean != endpoint:
            bind.execute(
                text("UPDATE extraction_run SET endpoint = :clean WHERE endpoint = :endpoint"),
                {"clean": clean, "endpoint": endpoint},
            )


def downgrade() -> None:
    """The credentials are gone for good: nothing to put back."""
