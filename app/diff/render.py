"""Markdown for a claim diff and a fact ledger: readable in a terminal, pastable in a report.

Every piece of claim text (statements, quotes, outlets, labels) is escaped: article text is
untrusted, and a `|` would break a table, a `*` or backtick would restyle it, and `<script>`
would be live HTML wherever the report is rendered.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from app.diff.align import DiffClaim, DiffResult, Pair, Relation, describe_quantity, describe_time
from app.diff.ledger import Fact
from app.diff.undecided import why

_MARKDOWN = re.compile(r"([\\`*_\[\]|#~])")
_SECTIONS = (
    (Relation.conflict, "Conflicts"),
    (Relation.updates, "Updates"),
    (Relation.refines, "Refinements"),
    (Relation.agree, "Agreements"),
)


def md_escape(text: str | None) -> str:
    """Inline-safe Markdown: one line, no markup, no HTML."""
    if not text:
        return ""
    text = " ".join(text.split())  # a newline could end a table row or start a heading
    text = _MARKDOWN.sub(r"\\\1", text)
    return text.replace("<", "&lt;").replace(">", "&gt;")


def _voice(c: DiffClaim) -> str:
    return f"{c.modality} by {c.attribution}" if c.attribution else c.modality


def _where(c: DiffClaim) -> str:
    return f"{md_escape(c.source)}, chars {c.char_start}–{c.char_end}"


def _quote(label: str, c: DiffClaim) -> str:
    where = _where(c) if label != c.source else f"chars {c.char_start}–{c.char_end}"
    # The curly quote after the label keeps a quote starting '1.' or '-' from becoming a list.
    return f"> **{md_escape(label)}** ({where}): “{md_escape(c.quote)}”"


def _pair(n: int, pair: Pair, left_label: str, right_label: str) -> list[str]:
    a, b = pair.left, pair.right
    rows = [
        ("claim", a.statement, b.statement),
        ("value", describe_quantity(a), describe_quantity(b)),
        ("time", describe_time(a), describe_time(b)),
        ("voice", _voice(a), _voice(b)),
        ("outlet", a.source, b.source),
    ]
    return [
        f"### {n}. {md_escape(pair.explanation)}",
        "",
        f"| | {md_escape(left_label)} | {md_escape(right_label)} |",
        "|---|---|---|",
        *(f"| {name} | {md_escape(x)} | {md_escape(y)} |" for name, x, y in rows),
        "",
        _quote(left_label, a),
        ">",
        _quote(right_label, b),
        "",
        f"Alignment score {pair.score:.2f}.",
        "",
    ]


def _only(claims: list[DiffClaim]) -> list[str]:
    if not claims:
        return ["None.", ""]
    lines = [
        f"- {md_escape(c.statement)} ({md_escape(describe_quantity(c))}; "
        f"{md_escape(describe_time(c))}; {md_escape(_voice(c))}) "
        f"“{md_escape(c.quote)}” ({_where(c)})"
        for c in claims
    ]
    return [*lines, ""]


def _warnings(warnings: Sequence[str]) -> list[str]:
    """A quoted line per warning: a side or source that has nothing to show, and why."""
    if not warnings:
        return []
    return [*(f"> **Warning:** {md_escape(w)}" for w in warnings), ""]


def render_diff_markdown(
    result: DiffResult, left_label: str, right_label: str, *, warnings: Sequence[str] = ()
) -> str:
    left, right = md_escape(left_label), md_escape(right_label)
    s = result.summary
    lines = [
        f"# Claim diff: {left} vs {right}",
        "",
        f"**conflicts: {s['conflict']} · updates: {s['updates']} · refinements: {s['refines']} · "
        f"agreements: {s['agree']} · "
        f"only in {left}: {s['only_left']} · only in {right}: {s['only_right']}**",
        "",
        *_warnings(warnings),
    ]
    for relation, title in _SECTIONS:
        pairs = [p for p in result.pairs if p.relation is relation]
        lines += [f"## {title} ({len(pairs)})", ""]
        for n, pair in enumerate(pairs, 1):
            lines += _pair(n, pair, left_label, right_label)
        if not pairs:
            lines += ["None.", ""]
    lines += _to_check(result.undecided, left_label, right_label)
    lines += [f"## Only in {left} ({len(result.only_left)})", "", *_only(result.only_left)]
    lines += [f"## Only in {right} ({len(result.only_right)})", "", *_only(result.only_right)]
    return "\n".join(lines).rstrip() + "\n"


def _to_check(undecided: list[Pair], left_label: str, right_label: str) -> list[str]:
    """Pairs that may be one fact but were not made: the reader decides; not counted."""
    if not undecided:
        return []
    lines = [
        f"## To check: may be the same fact ({len(undecided)})",
        "",
        "Not counted above: each pair may be one fact, but the diff could not tell.",
        "",
    ]
    for n, pair in enumerate(undecided, 1):
        block = _pair(n, pair, left_label, right_label)
        block[-2] = f"Why: {md_escape(why(pair))} Alignment score {pair.score:.2f}."
        lines += block
    return lines


def _fact(fact: Fact) -> list[str]:
    rows = [
        f"| {md_escape(s.outlet)} | {md_escape(s.value)} | {md_escape(s.time)} | "
        f"{md_escape(_voice(s.claim))} | “{md_escape(s.claim.quote)}” "
        f"(chars {s.claim.char_start}–{s.claim.char_end}) |"
        for s in fact.fact_sources()
    ]
    return [
        f"### {md_escape(fact.headline)}",
        "",
        f"`{fact.status}` · {md_escape(fact.explanation)}",
        "",
        f"Values: {'; '.join(md_escape(v) for v in fact.values)} · "
        f"outlets: {fact.source_count} · key `{md_escape(fact.key)}`",
        "",
        "| outlet | value | time | voice | evidence |",
        "|---|---|---|---|---|",
        *rows,
        "",
    ]


def render_ledger_markdown(facts: Sequence[Fact], *, warnings: Sequence[str] = ()) -> str:
    statuses = ("conflict", "updates", "consensus", "single")
    counts = {k: sum(f.status == k for f in facts) for k in statuses}
    lines = [
        "# Fact ledger",
        "",
        f"**facts: {len(facts)} · conflicts: {counts['conflict']} · updates: {counts['updates']} "
        f"· consensus: {counts['consensus']} · single source: {counts['single']}**",
        "",
        *_warnings(warnings),
    ]
    for status, title in (
        ("conflict", "Conflicts"),
        ("updates", "Updates (values over time)"),
        ("consensus", "Consensus"),
        ("single", "Single source"),
    ):
        group = [f for f in facts if f.status == status]
        lines += [f"## {title} ({len(group)})", ""]
        for fact in group:
            lines += _fact(fact)
        if not group:
            lines += ["None.", ""]
    return "\n".join(lines).rstrip() + "\n"
