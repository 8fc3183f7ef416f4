"""Alias normalisation of subjects, and parsing of diff sides."""

from __future__ import annotations

import pytest
from sqlmodel import Session

from app.services.diff_sources import BadSideError, Side, alias_map, parse_side, subject_key
from app.store.entities import entity_key
from app.store.models import Entity


def add(session: Session, name: str, type_: str, aliases: list[str]) -> None:
    session.add(Entity(key=entity_key(name), name=name, type=type_, aliases=aliases))
    session.commit()


def test_aliases_fold_names_and_outrank_an_entitys_own_name(session: Session) -> None:
    add(session, "Kenyan government", "government", ["Nairobi"])
    add(session, "Kenya", "country", ["Kenyan government"])
    add(session, "Haiti", "country", [])
    aliases = alias_map(session)

    assert subject_key("Kenyan Government", None, aliases) == "kenya"
    # Nairobi is an alias of the Kenyan government, itself an alias of Kenya.
    assert subject_key("Nairobi", None, aliases) == "kenya"
    assert subject_key("Ministry of Interior", "Nairobi", aliases) == "kenya"
    assert subject_key("Haiti", None, aliases) == "haiti"
    assert subject_key("Unknown  Body", None, aliases) == "unknown body"


def test_alias_cycles_terminate(session: Session) -> None:
    add(session, "A", "other", ["B"])
    add(session, "B", "other", ["A"])
    aliases = alias_map(session)
    assert subject_key("A", None, aliases) in {"a", "b"}
    assert subject_key("B", None, aliases) in {"a", "b"}


@pytest.mark.parametrize(
    ("spec", "side"),
    [("article:3", Side("article", "3")), ("run:12", Side("run", "12")),
     ("outlet:Harbor Wire", Side("outlet", "Harbor Wire"))],
)  # fmt: skip
def test_sides_parse(spec: str, side: Side) -> None:
    assert parse_side(spec) == side


@pytest.mark.parametrize("spec", ["article", "article:", "run:-1", "run:0", "feed:x", "outlet: "])
def test_bad_sides_are_refused(spec: str) -> None:
    with pytest.raises(BadSideError, match="cannot read"):
        parse_side(spec)
