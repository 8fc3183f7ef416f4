"""Render the versioned prompt templates in prompts/ into chat messages.

Static instructions come first and the article last, so that providers' prompt caching
can reuse the shared prefix across articles.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, TemplateNotFound

from app.core.config import PROJECT_ROOT

PROMPTS_DIR = PROJECT_ROOT / "prompts"


@dataclass(frozen=True)
class ArticleInput:
    """What the prompt needs of an article, or of one chunk of it."""

    text: str
    title: str | None = None
    outlet: str | None = None
    published_at: datetime | None = None


class PromptNotFoundError(LookupError):
    pass


@lru_cache(maxsize=4)
def _environment(root: Path) -> Environment:
    # No autoescape: the output is plain chat text, not HTML. StrictUndefined makes a
    # template typo fail loudly instead of rendering an empty string into the prompt.
    # Templates ship with the code: checking their files' times at every render (auto_reload)
    # was a stat a prompt, a hundredth of a worker's CPU.
    return Environment(
        auto_reload=False,
        loader=FileSystemLoader(root),
        undefined=StrictUndefined,
        keep_trailing_newline=False,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,
    )


def article_delimiter(text: str) -> str:
    """A delimiter the article cannot contain unless it quotes its own hash."""
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def render_chat(
    prompt: str, user_values: dict[str, Any], *, root: Path = PROMPTS_DIR
) -> list[dict[str, str]]:
    """Any prompt's system message, and its user message rendered with ``user_values``."""
    env = _environment(root)
    try:
        system = env.get_template(f"{prompt}/system.md.j2")
        user = env.get_template(f"{prompt}/user.md.j2")
    except TemplateNotFound as exc:
        raise PromptNotFoundError(f"prompt template {exc.name} not found under {root}") from exc
    return [
        {"role": "system", "content": system.render(focus=None).strip()},
        {"role": "user", "content": user.render(**user_values).strip()},
    ]


def render_messages(
    prompt: str, article: ArticleInput, *, root: Path = PROMPTS_DIR
) -> list[dict[str, str]]:
    """``prompt`` is "<name>/<version>": a folder under prompts/ with system and user templates."""
    delimiter = article_delimiter(article.text)
    published = article.published_at.strftime("%A %d %B %Y") if article.published_at else None
    values = {
        "delimiter": delimiter,
        "text": article.text,
        "title": article.title,
        "outlet": article.outlet,
        "published": published,
    }
    return render_chat(prompt, values, root=root)
