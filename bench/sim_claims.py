"""The simulated LLM's claims: an article read the way a model would answer it, one quantity
claim per figure written in digits and one prose claim per paragraph, each quoting its sentence
verbatim so that factdiff's grounding keeps it (bench.simulated_llm serves them)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

# Conservative on purpose: a figure the grounding would read differently ("2,5", "1 000",
# "7-2", "US$5") is skipped rather than risk a claim that factdiff rightly rejects.
_NUMBER = re.compile(
    r"(?<![\w.,$€£¥-])(?<!\d\s)(?P<cur>[$€£¥]\s?)?"
    r"(?P<digits>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
    r"(?:\s(?P<word>thousands?|millions?|billions?|trillions?|milliards?)|(?P<glued>bn|k|m))?"
    r"(?P<pct>\s?%|\s(?:percent|per\scent))?(?![.,]?\w)(?!\s\d)"
)
_SCALES = {"thousand": 1e3, "million": 1e6, "milliard": 1e9, "billion": 1e9, "trillion": 1e12}
_GLUED = {"k": 1e3, "m": 1e6, "bn": 1e9}
_CURRENCIES = {"$": "USD", "€": "EUR", "£": "GBP", "¥": "JPY"}
_QUALIFIER = re.compile(
    r"\b(more than|at least|up to|fewer than|less than|over|above|under|below|about|around"
    r"|nearly|almost|roughly|approximately)\s+$",
    re.IGNORECASE,
)
_QUALIFIERS = {"more than": "over", "above": "over", "at least": "at_least", "up to": "up_to"}
_QUALIFIERS |= dict.fromkeys(("fewer than", "less than", "under", "below"), "under")
_QUALIFIERS |= dict.fromkeys(("around", "nearly", "almost", "roughly", "approximately"), "about")
_UNIT_SKIP = frozenset("more additional extra new other further another".split())
_STOP = frozenset(
    "a an the to of in on at for from by and or but with that which who whom were was are is "
    "be been have has had will would could should can may said than as per into since after "
    "before during while when this these those it its their they he she we not all each across "
    "through last next so if".split()
)
_PAST = r"[a-z]{2,}ed|said|says|sent|gave|made|paid|took|won|lost|rose|fell|grew|spent|cut|ran|left"
_PAST += r"|came|went|fled|told|hit|built"
_AUX = r"has|have|had|was|were|is|are|will"
_VERB = re.compile(rf"\b(?:(?:{_AUX})\s+(?:{_PAST}|[a-z]+(?:en|wn))|{_PAST}|{_AUX})\b")
_CAPITALISED = re.compile(r"[A-Z][\w'’.&-]*(?:\s+[A-Z][\w'’.&-]*)*")
_LEADING = frozenset(
    "The A An On In At But And According It He She They This That Yet As About Up Over Under "
    "Fewer More Less Nearly Some Around Almost".split()
)
_SENTENCE_END = re.compile(r"[.!?…][\"'”’»)\]]*(?=\s)")
_ABBREVIATION = re.compile(
    r"(?:\b(?:[A-Z]\.)+|\b(?:Mr|Mrs|Ms|Dr|Prof|St|Gen|Sen|Gov|No|vs"
    r"|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)\.)$"
)
# Counted nouns that are people (unit kind persons); other nouns count things.
_PERSONS = frozenset(
    "people persons officers police troops soldiers personnel workers employees staff members "
    "residents voters students patients children adults civilians refugees migrants protesters "
    "strikers volunteers visitors passengers fans players teachers nurses doctors ministers "
    "users".split()
)
# Compiled once: the sentence walk runs them a few times per figure, per request.
_DATELINE = re.compile(r"\s[—–-]\s")
_ARTICLE_WORD = re.compile(r"^(?:The|A|An)\s+(?=[A-Z])")
_DIGIT = re.compile(r"\d")
_FINAL_DOT = re.compile(r"(?<=[a-z])\.$")
_NEXT_WORD = re.compile(r"\s+([a-z][a-z'-]*)\b")
_PUNCTUATION = re.compile(r"[,;:]")
FABRICATED = "Officials confirmed the figures in a statement released late on Tuesday night."


def sentences(text: str) -> Iterator[tuple[int, int, bool]]:
    """(start, end, first in its paragraph) of each sentence; lines count as paragraphs."""
    line_start = 0
    for line in text.split("\n"):
        cursor, first = line_start, True
        bounds = [m.end() for m in _SENTENCE_END.finditer(line)]
        for end in [*bounds, len(line)]:
            piece = text[cursor : line_start + end]
            if end != len(line) and (
                _ABBREVIATION.search(piece) or line[end:].lstrip()[:1].islower()
            ):
                continue  # "U.S. pledged", "Mr. Ruto": not the end of a sentence
            stripped = piece.strip()
            if stripped:
                start = cursor + len(piece) - len(piece.lstrip())
                yield start, start + len(stripped), first
                first = False
            cursor = line_start + end
        line_start += len(line) + 1


@dataclass(frozen=True)
class Clause:
    subject: str
    predicate: str
    verb_end: int  # -1 when no verb was found
    named: bool  # the subject is the words before the verb, not a guess


def clause_of(sentence: str) -> Clause:
    verb = _VERB.search(sentence)
    predicate, verb_end = (verb.group(0), verb.end()) if verb else ("reported", -1)
    prefix = sentence[: verb.start()] if verb else ""
    prefix = _DATELINE.split(prefix)[-1].strip(" ,")  # drop a dateline
    prefix = _ARTICLE_WORD.sub("", prefix)  # "The U.S." -> "U.S."
    if prefix[:1].isupper() and len(prefix.split()) <= 6 and not _DIGIT.search(prefix):
        return Clause(prefix[:200], predicate, verb_end, named=True)
    for run in _CAPITALISED.finditer(sentence):
        words = run.group(0).split()
        while words and words[0] in _LEADING:
            words.pop(0)
        if words:  # "January." -> "January", but "U.S." stays
            name = _FINAL_DOT.sub("", " ".join(words))
            return Clause(name[:200], predicate, verb_end, named=False)
    return Clause("unspecified", predicate, verb_end, named=False)


def _unit_after(sentence: str, pos: int) -> tuple[str, int] | None:
    """The counted noun after a number: the last of up to four adjacent lowercase words."""
    unit, offset = None, pos
    for _ in range(4):
        word = _NEXT_WORD.match(sentence, offset)
        if word is None or word.group(1) in _STOP or _VERB.fullmatch(word.group(1)):
            break  # "5 people died": the noun ends where a verb begins
        offset = word.end()
        # "217 more police officers" counts officers; "l" of "l'été" is no unit.
        if word.group(1) not in _UNIT_SKIP and len(word.group(1)) > 2:
            unit = (word.group(1), offset)
    return unit


def _value(match: re.Match[str]) -> float:
    value = float(match["digits"].replace(",", ""))
    if match["word"]:
        value *= _SCALES[match["word"].rstrip("s")]
    elif match["glued"]:
        value *= _GLUED[match["glued"]]
    return value


def _unit_kind(unit: str) -> str:
    if unit in _CURRENCIES.values():
        return "currency"
    if unit == "percent":
        return "percent"
    return "persons" if unit in _PERSONS else "count"


def claim(
    statement: str, clause: Clause, evidence: str, quantity: dict[str, Any] | None = None
) -> dict[str, Any]:
    if quantity is not None:
        kind = _unit_kind(quantity["unit"])
        # A share or rate is a level as of a time; any other figure is read as an event.
        quantity = {
            **quantity,
            "unit_kind": kind,
            "aspect": "state" if kind == "percent" else "event",
        }
    return {
        "statement": statement[:600],
        "claim_type": "quantity" if quantity else "event" if clause.verb_end >= 0 else "status",
        "fact_kind": "other",
        "subject": {"name": clause.subject, "type": "other"},
        "predicate": clause.predicate[:120],
        "object": None,
        "object_entity": None,
        "quantity": quantity,
        "time": None,
        "location": None,
        "attribution": None,
        "modality": "asserted",
        "evidence": evidence,
    }


def _quantity_claims(sentence: str) -> list[dict[str, Any]]:
    clause = clause_of(sentence)
    claims: list[dict[str, Any]] = []
    seen: set[float] = set()
    statements: set[str] = set()
    for match in _NUMBER.finditer(sentence):
        digits = match["digits"]
        if match["cur"]:
            unit, unit_end = _CURRENCIES[match["cur"].strip()], match.end()
        elif match["pct"]:
            unit, unit_end = "percent", match.end()
        elif match["glued"] == "m" or (digits.isdigit() and 1800 <= int(digits) <= 2100):
            continue  # "5m" is metres as often as millions; a year is a time, not a quantity
        elif found := _unit_after(sentence, match.end()):
            unit, unit_end = found
        else:
            continue  # no counted noun: a date, a score, a reference number
        value = _value(match)
        if value in seen:
            continue
        seen.add(value)
        qualifier = _QUALIFIER.search(sentence[: match.start()])
        word = qualifier.group(1).lower() if qualifier else "exact"
        quantity = {
            "value": int(value) if value.is_integer() else value,
            "unit": unit,
            "qualifier": _QUALIFIERS.get(word, word),
        }
        # "<subject> <verb> <words up to the unit>." when the figure is the verb's object
        # nearby; otherwise the sentence itself, which is always a true statement.
        between = sentence[clause.verb_end : match.start()]
        after_verb = 0 <= clause.verb_end <= match.start() and len(between) <= 60
        if clause.named and after_verb and not _PUNCTUATION.search(between):
            words = " ".join(sentence[clause.verb_end : unit_end].split())
            statement = f"{clause.subject} {clause.predicate} {words}."
        else:
            statement = " ".join(sentence.split())
        if statement in statements:  # one statement per span, or factdiff merges the claims
            phrase = sentence[qualifier.start() if qualifier else match.start() : unit_end]
            statement = f"{statement} ({' '.join(phrase.split())})"
        statements.add(statement)
        # Past the schema's 1,000 characters, quote a window around the figure instead.
        evidence = sentence
        if len(sentence) > 1000:
            evidence = sentence[max(0, match.start() - 300) : match.end() + 300].strip()
        claims.append(claim(statement, clause, evidence, quantity))
    return claims


def build_claims(text: str, max_claims: int = 20, prose: bool = True) -> list[dict[str, Any]]:
    """Fixture-shaped claims for any article, each quoting it verbatim."""
    claims: list[dict[str, Any]] = []
    paragraph_done = True
    for start, end, first in sentences(text):
        sentence = text[start:end]
        paragraph_done = paragraph_done and not first
        numeric = _quantity_claims(sentence)
        claims += numeric
        if prose and not numeric and not paragraph_done and 8 <= len(sentence) <= 1000:
            claims.append(claim(" ".join(sentence.split()), clause_of(sentence), sentence))
            paragraph_done = True
    return claims[:max_claims]
