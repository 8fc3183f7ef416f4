"""Check every split of factdiff's evaluation set (eval/*/*.json): `python3 eval/check.py [files]`.

Stdlib only, so it runs without the project's venv. Exits 1 and lists every problem when a
story file breaks a rule of eval/README.md; prints a table per file either way.
"""

from __future__ import annotations

import itertools
import json
import re
import sys
from collections import Counter, defaultdict
from datetime import date, datetime
from pathlib import Path

EVAL_DIR = Path(__file__).resolve().parent
RELATIONS = ("agree", "conflict", "refines", "updates")
WORDINGS = ("canonical", "varied")

CLAIM_TYPES = {"event", "quantity", "statement", "pledge", "status", "other"}
ENTITY_TYPES = {
    "person",
    "organization",
    "country",
    "government",
    "location",
    "group",
    "event",
    "other",
}
QUALIFIERS = {"exact", "over", "under", "about", "at_least", "up_to"}
MODALITIES = {"asserted", "reported", "expected", "denied"}
FACT_KINDS = {
    "deployment", "pledge", "funding", "displacement", "casualties", "infections",
    "control_of_territory", "arrest", "legal_outcome", "vote_share", "turnout", "price",
    "economic_indicator", "participation", "damage", "other",
}  # fmt: skip
UNIT_KINDS = {"persons", "currency", "percent", "area", "duration", "count", "other"}
ASPECTS = {"event", "state"}

CLAIM_KEYS = {
    "id", "statement", "claim_type", "subject", "predicate", "object", "quantity", "time",
    "location", "attribution", "modality", "evidence", "fact_kind", "object_entity",
}  # fmt: skip
REQUIRED_CLAIM_KEYS = {
    "id",
    "statement",
    "claim_type",
    "subject",
    "predicate",
    "evidence",
    "fact_kind",
}
ENTITY_KEYS = {"name", "type", "mention"}
QUANTITY_KEYS = {"value", "unit", "qualifier", "unit_kind", "aspect"}
TIME_KEYS = {"text", "start", "end"}
ARTICLE_KEYS = {"key", "title", "outlet", "published_at", "url", "text"}
STORY_KEYS = {"story", "domain", "split", "provenance", "articles", "claims", "pairs"}
PAIR_KEYS = {"left", "right", "relation", "why"}

# Number words as an article writes them; a claim's value must be readable from its evidence.
_UNITS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
          "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen",
          "eighteen", "nineteen"]  # fmt: skip
_TENS = ["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
_ORDINALS = ["zeroth", "first", "second", "third", "fourth", "fifth", "sixth", "seventh",
             "eighth", "ninth", "tenth", "eleventh", "twelfth", "thirteenth", "fourteenth",
             "fifteenth", "sixteenth", "seventeenth", "eighteenth", "nineteenth"]  # fmt: skip
_TEN_ORDINALS = ["twentieth", "thirtieth", "fortieth", "fiftieth", "sixtieth", "seventieth",
                 "eightieth", "ninetieth"]  # fmt: skip
SMALL = {w: i for i, w in enumerate(_UNITS)} | {w: 20 + 10 * i for i, w in enumerate(_TENS)}
SMALL |= {w: i for i, w in enumerate(_ORDINALS)} | {
    w: 20 + 10 * i for i, w in enumerate(_TEN_ORDINALS)
}
SMALL |= {"a": 1, "half": 0.5, "dozen": 12}
SCALES = {"hundred": 100, "hundredth": 100, "thousand": 1_000, "thousandth": 1_000, "k": 1_000,
          "million": 1_000_000, "m": 1_000_000, "mn": 1_000_000, "millionth": 1_000_000,
          "billion": 1_000_000_000, "bn": 1_000_000_000, "b": 1_000_000_000}  # fmt: skip
_DIGITS = re.compile(r"^(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?(?:st|nd|rd|th)?$")
_TOKENS = re.compile(r"\d+(?:,\d{3})*(?:\.\d+)?(?:st|nd|rd|th)?|[a-z]+")


def numbers_in(text: str) -> set[float]:
    """Every number the text writes: digits (1,000 / 41.5 / 9th), number words, with scales."""
    tokens = _TOKENS.findall(text.lower().replace("-", " "))
    found: set[float] = set()
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        digit = _DIGITS.match(tok)
        if digit:
            value = float(
                digit.group(1).replace(",", "") + ("." + digit.group(2) if digit.group(2) else "")
            )
            found.add(value)
            if i + 1 < len(tokens) and tokens[i + 1] in SCALES:
                found.add(value * SCALES[tokens[i + 1]])
            i += 1
            continue
        if (tok in SMALL and tok != "a") or (
            tok == "a" and i + 1 < len(tokens) and tokens[i + 1] in SCALES
        ):
            total, current, j = 0.0, 0.0, i
            while j < len(tokens) and (
                tokens[j] in SMALL or tokens[j] in SCALES or tokens[j] == "and"
            ):
                word = tokens[j]
                if word == "and":
                    if j + 1 < len(tokens) and tokens[j + 1] in SMALL and tokens[j + 1] != "a":
                        j += 1
                        continue
                    break
                if word in SMALL:
                    current += SMALL[word]
                elif word == "hundred" or word == "hundredth":
                    current = (current or 1) * 100
                else:
                    total += (current or 1) * SCALES[word]
                    current = 0.0
                found.add(total + current)
                j += 1
            i = max(j, i + 1)
            continue
        i += 1
    return found


def _iso_date(value: object, where: str, problems: list[str]) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        problems.append(f"{where}: not an ISO date: {value!r}")
        return None


def check_entity(entity: object, where: str, problems: list[str]) -> None:
    if not isinstance(entity, dict):
        problems.append(f"{where}: entity must be an object")
        return
    if extra := set(entity) - ENTITY_KEYS:
        problems.append(f"{where}: unknown keys {sorted(extra)}")
    if not entity.get("name"):
        problems.append(f"{where}: entity without a name")
    if entity.get("type") not in ENTITY_TYPES:
        problems.append(
            f"{where}: entity type {entity.get('type')!r} not in {sorted(ENTITY_TYPES)}"
        )


def check_claim(claim: dict, text: str, where: str, problems: list[str]) -> None:
    if extra := set(claim) - CLAIM_KEYS:
        problems.append(f"{where}: unknown keys {sorted(extra)}")
    if missing := REQUIRED_CLAIM_KEYS - set(claim):
        problems.append(f"{where}: missing keys {sorted(missing)}")
        return
    if len(claim["statement"]) < 8:
        problems.append(f"{where}: statement shorter than 8 characters")
    if claim["claim_type"] not in CLAIM_TYPES:
        problems.append(f"{where}: claim_type {claim['claim_type']!r}")
    if claim.get("modality", "asserted") not in MODALITIES:
        problems.append(f"{where}: modality {claim.get('modality')!r}")
    if claim["fact_kind"] not in FACT_KINDS:
        problems.append(f"{where}: fact_kind {claim['fact_kind']!r} not in the vocabulary")
    check_entity(claim["subject"], f"{where}.subject", problems)
    if claim.get("object_entity") is not None:
        check_entity(claim["object_entity"], f"{where}.object_entity", problems)
    evidence = claim["evidence"]
    if evidence not in text:
        problems.append(f"{where}: evidence is not a verbatim substring of the text: {evidence!r}")
    if (q := claim.get("quantity")) is not None:
        if set(q) != QUANTITY_KEYS:
            problems.append(f"{where}.quantity: keys {sorted(q)} != {sorted(QUANTITY_KEYS)}")
        if q.get("qualifier") not in QUALIFIERS:
            problems.append(f"{where}.quantity: qualifier {q.get('qualifier')!r}")
        if q.get("unit_kind") not in UNIT_KINDS:
            problems.append(f"{where}.quantity: unit_kind {q.get('unit_kind')!r}")
        if q.get("aspect") not in ASPECTS:
            problems.append(f"{where}.quantity: aspect {q.get('aspect')!r}")
        if q.get("unit_kind") == "currency" and not re.fullmatch(r"[A-Z]{3}", str(q.get("unit"))):
            problems.append(
                f"{where}.quantity: currency unit must be an ISO 4217 code, not {q.get('unit')!r}"
            )
        value = q.get("value")
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            problems.append(f"{where}.quantity: value must be a number")
        elif not any(abs(n - value) <= 1e-9 * max(1.0, abs(value)) for n in numbers_in(evidence)):
            problems.append(
                f"{where}.quantity: value {value:,} is not written in the evidence {evidence!r}"
            )
    if (t := claim.get("time")) is not None:
        if set(t) - TIME_KEYS or not t.get("text"):
            problems.append(f"{where}.time: needs text, start, end only")
        start = _iso_date(t.get("start"), f"{where}.time.start", problems)
        end = _iso_date(t.get("end"), f"{where}.time.end", problems)
        if start and end and end < start:
            problems.append(f"{where}.time: end before start")
        if t.get("text") and t["text"] not in text:
            problems.append(f"{where}.time: text {t['text']!r} is not in the article")


def _kept(claim: dict) -> tuple:
    """What the varied wording must keep from the canonical one: the fact, not its words."""
    q = claim.get("quantity") or {}
    t = claim.get("time") or {}
    return (
        claim.get("fact_kind"),
        q.get("value"),
        q.get("qualifier"),
        q.get("unit_kind"),
        q.get("aspect"),
        t.get("start"),
        t.get("end"),
        claim.get("modality", "asserted"),
    )


def as_of(claim: dict, published: date) -> tuple[date, date]:
    """A claim's time window; a claim without one holds as of its article's publication day."""
    t = claim.get("time") or {}
    start = date.fromisoformat(t["start"]) if t.get("start") else published
    end = date.fromisoformat(t["end"]) if t.get("end") else start
    return start, end


def check_story(path: Path) -> tuple[list[str], dict]:
    problems: list[str] = []
    try:
        story = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        return [f"{path}: does not parse: {exc}"], {}
    if extra := set(story) - STORY_KEYS:
        problems.append(f"unknown top-level keys {sorted(extra)}")
    if missing := STORY_KEYS - set(story):
        return [f"missing top-level keys {sorted(missing)}"], {}
    if story["split"] != path.parent.name:
        problems.append(f"split {story['split']!r} but the file is in {path.parent.name}/")
    if story["story"] != path.stem:
        problems.append(f"story {story['story']!r} but the file is {path.name}")

    articles = {}
    published: dict[str, date] = {}
    for n, article in enumerate(story["articles"]):
        if set(article) != ARTICLE_KEYS:
            problems.append(f"article {n}: keys {sorted(article)} != {sorted(ARTICLE_KEYS)}")
            continue
        if article["key"] in articles:
            problems.append(f"article key {article['key']!r} twice")
        articles[article["key"]] = article
        published[article["key"]] = datetime.fromisoformat(
            article["published_at"].replace("Z", "+00:00")
        ).date()
        words = len(article["text"].split())
        if not 120 <= words <= 300:
            problems.append(f"article {article['key']}: {words} words, not 120-300")
    if len(articles) != 3 or len({a["outlet"] for a in articles.values()}) != 3:
        problems.append("a story has 3 articles from 3 outlets")
    if published and (max(published.values()) - min(published.values())).days > 45:
        problems.append("articles published more than 45 days apart")

    by_wording: dict[str, dict[str, tuple[str, dict]]] = {}
    for wording in WORDINGS:
        claims_by_article = story["claims"].get(wording, {})
        if set(claims_by_article) != set(articles):
            problems.append(
                f"{wording}: articles {sorted(claims_by_article)} != {sorted(articles)}"
            )
        ids: dict[str, tuple[str, dict]] = {}
        for key, claims in claims_by_article.items():
            if key not in articles:
                continue
            if not 6 <= len(claims) <= 12:
                problems.append(f"{wording}.{key}: {len(claims)} claims, not 6-12")
            for claim in claims:
                cid = claim.get("id")
                if cid in ids:
                    problems.append(f"{wording}: id {cid!r} twice")
                ids[cid] = (key, claim)
                check_claim(claim, articles[key]["text"], f"{wording}.{key}.{cid}", problems)
        by_wording[wording] = ids
    canonical, varied = by_wording.get("canonical", {}), by_wording.get("varied", {})
    if set(canonical) != set(varied):
        problems.append(f"ids differ between wordings: {sorted(set(canonical) ^ set(varied))}")
    for cid in set(canonical) & set(varied):
        (ka, ca), (kb, cb) = canonical[cid], varied[cid]
        if ka != kb:
            problems.append(f"{cid}: in article {ka} canonically but {kb} in varied")
        if _kept(ca) != _kept(cb):
            problems.append(
                f"{cid}: varied changes the fact (kind, value, unit kind, aspect, time): "
                f"{_kept(ca)} != {_kept(cb)}"
            )
        if (ca.get("quantity") is None and cb.get("quantity") is not None) or (
            ca.get("quantity") is not None and cb.get("quantity") is None
        ):
            problems.append(f"{cid}: a quantity in one wording only")
    changed = sum(
        1
        for cid in set(canonical) & set(varied)
        if canonical[cid][1]["statement"] != varied[cid][1]["statement"]
    )
    if canonical and changed < len(canonical):
        problems.append(
            f"varied keeps {len(canonical) - changed} canonical statements word for word"
        )

    relations: Counter[str] = Counter()
    linked: dict[frozenset[str], str] = {}
    neighbours: dict[str, set[str]] = defaultdict(set)
    for n, pair in enumerate(story["pairs"]):
        where = f"pair {n} {pair.get('left')}~{pair.get('right')}"
        if set(pair) != PAIR_KEYS:
            problems.append(f"{where}: keys {sorted(pair)} != {sorted(PAIR_KEYS)}")
            continue
        left, right, relation = pair["left"], pair["right"], pair["relation"]
        if relation not in RELATIONS:
            problems.append(f"{where}: relation {relation!r} not in {RELATIONS}")
        if left not in canonical or right not in canonical:
            problems.append(f"{where}: unknown claim id")
            continue
        (kl, cl), (kr, cr) = canonical[left], canonical[right]
        if kl == kr:
            problems.append(f"{where}: both claims are in article {kl}")
        if frozenset((left, right)) in linked:
            problems.append(f"{where}: listed twice")
        linked[frozenset((left, right))] = relation
        neighbours[left].add(right)
        neighbours[right].add(left)
        relations[relation] += 1
        if cl["fact_kind"] != cr["fact_kind"]:
            problems.append(f"{where}: one fact with two fact kinds")
        ql, qr = cl.get("quantity"), cr.get("quantity")
        if ql and qr and (ql["unit_kind"], ql["aspect"]) != (qr["unit_kind"], qr["aspect"]):
            problems.append(f"{where}: one fact with two unit kinds or aspects")
        if relation == "updates":
            if not (ql and qr and ql["aspect"] == qr["aspect"] == "state"):
                problems.append(f"{where}: updates needs two states")
            if as_of(cl, published[kl])[1] >= as_of(cr, published[kr])[0]:
                problems.append(f"{where}: updates needs left as of a time before right")
        if relation == "conflict" and ql and qr and ql["aspect"] == "state":
            (ls, le), (rs, re_) = as_of(cl, published[kl]), as_of(cr, published[kr])
            if le < rs or re_ < ls:
                problems.append(f"{where}: a conflict between states needs overlapping as-of times")
    # Transitivity within a fact: every two claims of one connected fact are a listed pair.
    seen: set[str] = set()
    facts = 0
    for start in neighbours:
        if start in seen:
            continue
        component, stack = set(), [start]
        while stack:
            node = stack.pop()
            if node not in component:
                component.add(node)
                stack.extend(neighbours[node] - component)
        seen |= component
        facts += 1
        keys = [canonical[c][0] for c in component]
        if len(keys) != len(set(keys)):
            problems.append(f"fact {sorted(component)}: two claims from one article")
        for a, b in itertools.combinations(sorted(component), 2):
            if frozenset((a, b)) not in linked:
                problems.append(f"fact {sorted(component)}: transitivity needs the pair {a}~{b}")
    stats = {
        "articles": len(articles),
        "claims": len(canonical),
        "facts_multi": facts,
        **{r: relations[r] for r in RELATIONS},
    }
    return problems, stats


def main(argv: list[str]) -> int:
    # Every split folder (dev/, test/, holdout/, any added later): the split is the folder name.
    paths = [Path(p) for p in argv] or sorted(EVAL_DIR.glob("*/*.json"))
    if not paths:
        print("no story files found", file=sys.stderr)
        return 1
    header = (
        f"{'file':<40} {'art':>3} {'claims':>6} {'facts':>5} "
        + " ".join(f"{r:>8}" for r in RELATIONS)
        + "  status"
    )
    print(header)
    print("-" * len(header))
    failed = 0
    totals: dict[str, Counter[str]] = defaultdict(Counter)
    for path in paths:
        problems, stats = check_story(path)
        name = f"{path.parent.name}/{path.name}"
        if stats:
            totals[path.parent.name].update(stats | {"stories": 1})
            print(
                f"{name:<40} {stats['articles']:>3} {stats['claims']:>6} {stats['facts_multi']:>5} "
                + " ".join(f"{stats[r]:>8}" for r in RELATIONS)
                + ("  ok" if not problems else f"  {len(problems)} problem(s)")
            )
        else:
            print(f"{name:<40} unreadable")
        for problem in problems:
            print(f"    - {problem}")
        failed += bool(problems)
    print("-" * len(header))
    for split, total in sorted(totals.items()):
        print(
            f"{split + ' (' + str(total['stories']) + ' stories)':<40} "
            f"{total['articles']:>3} {total['claims']:>6} "
            f"{total['facts_multi']:>5} " + " ".join(f"{total[r]:>8}" for r in RELATIONS)
        )
    print(f"\n{len(paths) - failed} of {len(paths)} files ok")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
