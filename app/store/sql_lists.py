"""A column against a list of ids, as one bound parameter however long the list."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from sqlalchemy import ARRAY, ColumnElement, Integer, any_, bindparam, func, literal_column
from sqlalchemy import select as sa_select
from sqlmodel import Session


def one_of(
    session: Session, column: Any, values: Sequence[int] | None = None, *, name: str = "values"
) -> ColumnElement[bool]:
    """``column IN values`` as one bound array: SQLAlchemy renders a list as a parameter per
    value, which for the thousands of exemplars of a busy block took longer than the query.

    Without ``values`` the parameter ``name`` is left to bind at execution, each row of an
    executemany giving its own list (``id_list``)."""
    value = None if values is None else id_list(session, values)
    if session.get_bind().dialect.name == "postgresql":
        array = bindparam(name, value, type_=ARRAY(Integer))
        return column == any_(array)  # type: ignore[no-any-return]
    listed: Any = sa_select(literal_column("value")).select_from(
        func.json_each(bindparam(name, value))
    )
    return column.in_(listed)  # type: ignore[no-any-return]


def id_list(session: Session, values: Sequence[int]) -> object:
    """The value of a ``one_of`` parameter: an array for PostgreSQL, JSON text for SQLite."""
    if session.get_bind().dialect.name == "postgresql":
        return list(values)
    return json.dumps(list(values))
