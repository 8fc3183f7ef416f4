"""Options every command that talks to a running factdiff shares."""

from __future__ import annotations

from typing import Annotated

import typer

DEFAULT_SERVER = "http://127.0.0.1:8000"
ServerOption = Annotated[
    str, typer.Option(envvar="FACTDIFF_SERVER", help="Base URL of a running factdiff")
]
ApiKeyOption = Annotated[
    str | None, typer.Option(envvar="FACTDIFF_API_KEY", help="Sent as a Bearer token")
]
