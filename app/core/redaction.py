"""Keep what the LLM SDKs log free of article text and keys, and urls free of credentials.

openai logs each request's options (the prompt, so the article) at DEBUG, instructor each raw
response (the model's quotes of the article) and its errors. Their records keep only their
constant wording; the service's own logs never name a key or quote an article.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

REDACTED_LOGGERS = ("openai", "instructor")
REDACTED = "[redacted]"


def _scrub(value: object) -> object:
    # Numbers (status codes, attempt counts) carry no text, and %d needs a number.
    return value if isinstance(value, int | float) and not isinstance(value, bool) else REDACTED


def redact(record: logging.LogRecord) -> None:
    if isinstance(record.args, Mapping) and "%(" in str(record.msg):
        record.args = {k: _scrub(v) for k, v in record.args.items()}
    elif record.args:
        args = record.args if isinstance(record.args, tuple) else (record.args,)
        record.args = tuple(_scrub(a) for a in args)
    elif isinstance(record.msg, str) and ": " in record.msg:
        # A message formatted in advance (an f-string): what follows its first colon.
        record.msg = record.msg.split(": ", 1)[0] + ": " + REDACTED
    record.exc_info, record.exc_text = None, None


def install_redaction() -> None:
    """Redact the SDKs' records as they are made: a logging.Filter on a logger does not
    apply to its children, and the handlers differ (uvicorn, the worker, pytest)."""
    factory = logging.getLogRecordFactory()
    if getattr(factory, "redacts", False):
        return

    def make_record(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = factory(*args, **kwargs)
        if record.name.startswith(REDACTED_LOGGERS):
            redact(record)
        return record

    make_record.redacts = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(make_record)


# Query parameters that carry a credential: API keys, tokens, signatures (S3, Azure SAS).
_CREDENTIAL_PARTS = ("key", "token", "secret", "passw", "pwd", "auth", "signature", "credential")
_CREDENTIAL_NAMES = frozenset({"sig", "code", "pass", "session", "sessionid", "jwt"})


def credential_param(name: str) -> bool:
    folded = name.casefold()
    return folded in _CREDENTIAL_NAMES or any(part in folded for part in _CREDENTIAL_PARTS)


def strip_credentials(url: str) -> str:
    """The url without its userinfo (``user:password@``) and credential-looking query
    parameters, for anything shown or stored. A string that is no url comes back as it is."""
    try:
        parts = urlsplit(url)
        host = parts.hostname
        port = parts.port
    except ValueError:  # an invalid port or bracketed host: nothing a url parser can trust
        return url.rsplit("@", 1)[-1] if "@" in url else url
    netloc = parts.netloc
    if "@" in netloc:
        netloc = f"[{host}]" if host and ":" in host else (host or "")
        if port is not None:
            netloc += f":{port}"
    query = parts.query
    pairs = parse_qsl(query, keep_blank_values=True)
    if any(credential_param(name) for name, _ in pairs):  # else left exactly as written
        query = urlencode([(name, value) for name, value in pairs if not credential_param(name)])
    if netloc == parts.netloc and query == parts.query:
        return url
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))
