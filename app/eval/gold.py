"""Read the evaluation set (eval/README.md): one story a file, or one story a line of JSONL.

Only what the evaluation uses is checked here (eval/check.py checks a story in full); the
claims are kept as written, so that the stand-in model can answer with them, v2 fields and all.
"""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, model_validator

from app.core.validation_errors import error_line


class Wording(StrEnum):
    """The two gold wordings of every claim: as the schema names things, and as another model
    or prompt would word them (verbs, subject names, units, event vs quantity typing)."""

    canonical = "canonical"
    varied = "varied"


class GoldError(ValueError):
    """A gold file that cannot be read or breaks the format; the message says where."""


class _Loose(BaseModel):
    model_config = ConfigDict(extra="allow")


class GoldArticle(_Loose):
    key: str = Field(min_length=1)
    text: str = Field(min_length=1)
    title: str | None = None
    outlet: str | None = None
    published_at: str | None = None
    url: str | None = None

    def payload(self) -> dict[str, Any]:
        """The body of POST /articles for this article."""
        body = {"text": self.text, "title": self.title, "outlet": self.outlet}
        body |= {"published_at": self.published_at, "url": self.url}
        return {k: v for k, v in body.items() if v is not None}


class GoldClaimIn(_Loose):
    id: str = Field(min_length=1)
    evidence: str = Field(min_length=1)


class GoldPairIn(_Loose):
    left: str
    right: str
    relation: str


class GoldStory(_Loose):
    story: str = Field(min_length=1)
    split: str = "dev"
    articles: list[GoldArticle] = Field(min_length=1)
    claims: dict[Wording, dict[str, list[GoldClaimIn]]]
    pairs: list[GoldPairIn] = Field(default_factory=list)
    _homes: dict[str, str] = PrivateAttr(default_factory=dict)

    @model_validator(mode="after")
    def consistent(self) -> GoldStory:
        keys = {a.key for a in self.articles}
        if len(keys) != len(self.articles):
            raise ValueError("two articles share a key")
        homes: dict[str, str] = {}  # claim id -> its article, in every wording
        for wording, by_article in self.claims.items():
            if unknown := set(by_article) - keys:
                raise ValueError(f"claims.{wording.value}: no article {sorted(unknown)}")
            seen: set[str] = set()
            for key, claims in by_article.items():
                for claim in claims:
                    if claim.id in seen or homes.setdefault(claim.id, key) != key:
                        raise ValueError(f"claim id {claim.id!r} stands for two claims")
                    seen.add(claim.id)
        for pair in self.pairs:
            if unknown_ids := {pair.left, pair.right} - set(homes):
                raise ValueError(f"pair {pair.left}~{pair.right}: no claim {sorted(unknown_ids)}")
        self._homes = homes
        return self

    def article_of(self, claim_id: str) -> str | None:
        """The key of the article a gold claim belongs to."""
        return self._homes.get(claim_id)

    def claims_of(self, wording: Wording, key: str) -> list[dict[str, Any]]:
        return [c.model_dump() for c in self.claims.get(wording, {}).get(key, [])]


def load_stories(path: Path, split: str | None = None) -> list[GoldStory]:
    """The stories of a file or a folder (searched recursively), in path order."""
    if path.is_dir():
        files = sorted(p for p in path.rglob("*") if p.suffix in (".json", ".jsonl"))
    elif path.exists():
        files = [path]
    else:
        raise GoldError(f"{path}: no such file or folder")
    stories: list[GoldStory] = []
    for file in files:
        stories += _read(file)
    if not stories:
        raise GoldError(f"{path}: no story found (.json or .jsonl files)")
    names = [s.story for s in stories]
    if dup := next((n for n in names if names.count(n) > 1), None):
        raise GoldError(f"{path}: the story {dup!r} appears twice")
    chosen = [s for s in stories if split is None or s.split == split]
    if not chosen:
        splits = sorted({s.split for s in stories})
        raise GoldError(f"{path}: no story in the split {split!r} (splits here: {splits})")
    return chosen


def _read(file: Path) -> list[GoldStory]:
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeError) as exc:
        raise GoldError(f"{file}: cannot read: {exc}") from exc
    if file.suffix == ".jsonl":
        lines = [(n, line) for n, line in enumerate(text.splitlines(), 1) if line.strip()]
        return [_story(line, f"{file}:{n}") for n, line in lines]
    return [_story(text, str(file))]


def _story(text: str, where: str) -> GoldStory:
    try:
        return GoldStory.model_validate_json(text)
    except ValidationError as exc:
        missing = {e["loc"] for e in exc.errors() if e["type"] == "missing"}
        if {("story",), ("articles",)} <= missing:
            # Another JSON file in the folder, such as a report `factdiff eval --json` wrote.
            raise GoldError(
                f"{where}: not a gold story (it has no 'story' and no 'articles'); keep other "
                "JSON files, such as eval reports, out of the gold folder"
            ) from exc
        raise GoldError(f"{where}: {error_line(exc.errors()[0])}") from exc
    except json.JSONDecodeError as exc:  # pragma: no cover - pydantic reports bad JSON itself
        raise GoldError(f"{where}: not JSON: {exc}") from exc
