"""Logging for the service and the worker command."""

from __future__ import annotations

import logging

from app.core.redaction import install_redaction


def configure_logging() -> None:
    install_redaction()
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    # Per-request lines from httpx, and instructor's own report of a spent re-ask (which
    # factdiff turns into rejected claims, and logs itself), would drown the log.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("instructor").setLevel(logging.CRITICAL)
