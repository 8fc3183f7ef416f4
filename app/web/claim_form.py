"""The claim forms of the article page: a claim's schema fields as flat form fields, and back.

The correction and add-claim forms post one flat field per value (``value``, ``unit_kind``,
``object_name``); the service takes a claim in its schema's nested form (``quantity``,
``object_entity``). Select boxes offer the schema's own vocabularies, and the values they
post are checked by the schema itself when the service parses the claim, so a page and the
API refuse a bad field with the same message.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict

from app.api.curation_models import Curator
from schemas import Aspect, ClaimType, EntityType, FactKind, Modality, Qualifier, UnitKind


def _options(vocabulary: type[StrEnum]) -> list[str]:
    return [member.value for member in vocabulary]


# What each select box offers: the schema's vocabularies, in the schema's order.
CHOICES: dict[str, list[str]] = {
    "claim_type": _options(ClaimType),
    "entity_type": _options(EntityType),
    "qualifier": _options(Qualifier),
    "unit_kind": _options(UnitKind),
    "aspect": _options(Aspect),
    "fact_kind": _options(FactKind),
    "modality": _options(Modality),
}

# The claim's schema fields, each with the form fields that give it.
GROUPS: dict[str, tuple[str, ...]] = {
    "statement": ("statement",),
    "claim_type": ("claim_type",),
    "subject": ("subject_name", "subject_type", "subject_mention"),
    "predicate": ("predicate",),
    "object": ("object",),
    "quantity": ("value", "unit", "qualifier", "unit_kind", "aspect"),
    "time": ("time_text", "time_start", "time_end"),
    "location": ("location",),
    "attribution": ("attribution",),
    "modality": ("modality",),
    "evidence": ("evidence",),
    "fact_kind": ("fact_kind",),
    "object_entity": ("object_name", "object_type"),
}


def _one_line_breaks(value: object) -> object:
    # A browser sends a textarea's line breaks as CRLF (HTML's form encoding); the article's
    # are LF, and a quote across paragraphs must be found in it as typed.
    return value.replace("\r\n", "\n").strip() if isinstance(value, str) else value


# Checked by `too_long`, not by the field: a value refused while the form is parsed would
# answer a bare error page, and the curator would lose what they typed.
MAX_FIELD_CHARS = 2000
FormValue = Annotated[str | None, BeforeValidator(_one_line_breaks)]


class ClaimForm(BaseModel):
    """A claim form as posted: a field left out is None, one left blank is ``""``."""

    model_config = ConfigDict(extra="ignore")

    statement: FormValue = None
    claim_type: FormValue = None
    subject_name: FormValue = None
    subject_type: FormValue = None
    subject_mention: FormValue = None
    predicate: FormValue = None
    object: FormValue = None
    value: FormValue = None
    unit: FormValue = None
    qualifier: FormValue = None
    unit_kind: FormValue = None
    aspect: FormValue = None
    time_text: FormValue = None
    time_start: FormValue = None
    time_end: FormValue = None
    location: FormValue = None
    attribution: FormValue = None
    modality: FormValue = None
    evidence: FormValue = None
    fact_kind: FormValue = None
    object_name: FormValue = None
    object_type: FormValue = None
    actor: FormValue = None
    reason: FormValue = None

    def values(self, defaults: Mapping[str, str] | None = None) -> dict[str, str]:
        """The claim's form fields as posted; one left out takes its default, or blank."""
        given = self.model_dump(exclude={"actor", "reason"})
        return {
            name: value if value is not None else (defaults or {}).get(name, "")
            for name, value in given.items()
        }

    def too_long(self) -> str | None:
        """What is wrong when some field is over MAX_FIELD_CHARS, else None."""
        over = [
            f"{name}: at most {MAX_FIELD_CHARS:,} characters ({len(value):,} given)"
            for name, value in self.model_dump().items()
            if value is not None and len(value) > MAX_FIELD_CHARS
        ]
        return "; ".join(over) or None

    def curator(self) -> Curator:
        """Who changes the claim and why, checked as the API checks them."""
        return Curator(actor=self.actor or "", reason=self.reason or "")

    def shown(self, defaults: Mapping[str, str] | None = None) -> dict[str, str]:
        """Every field as posted, to show the form again as the curator left it."""
        return self.values(defaults) | {"actor": self.actor or "", "reason": self.reason or ""}


def _figure(text: str) -> str:
    number = float(text)
    return str(int(number)) if number.is_integer() else repr(number)


def _number(text: str) -> float | str | None:
    """A figure as typed, a number when it reads as one; left as typed otherwise, for the
    schema to refuse with its own message."""
    if not text:
        return None
    try:
        return float(text)
    except ValueError:
        return text


def form_values(fields: Mapping[str, Any]) -> dict[str, str]:
    """A claim's schema fields (as ``claim_fields`` gives them) as the forms' flat fields."""
    subject = fields.get("subject") or {}
    quantity = fields.get("quantity") or {}
    time = fields.get("time") or {}
    entity = fields.get("object_entity") or {}
    flat = {
        "subject_name": subject.get("name"),
        "subject_type": subject.get("type"),
        "subject_mention": subject.get("mention"),
        "value": None if quantity.get("value") is None else _figure(str(quantity["value"])),
        "unit": quantity.get("unit"),
        "qualifier": quantity.get("qualifier"),
        "unit_kind": quantity.get("unit_kind"),
        "aspect": quantity.get("aspect"),
        "time_text": time.get("text"),
        "time_start": time.get("start"),
        "time_end": time.get("end"),
        "object_name": entity.get("name"),
        "object_type": entity.get("type"),
    }
    plain = ("statement", "claim_type", "predicate", "object", "location", "attribution")
    flat |= {name: fields.get(name) for name in (*plain, "modality", "evidence", "fact_kind")}
    return {name: "" if value is None else str(value) for name, value in flat.items()}


def fields_of_form(values: Mapping[str, str]) -> dict[str, Any]:
    """The forms' flat fields as a claim's schema fields: a blank optional field is null, a
    blank required one is sent blank so the schema names it."""
    v = {name: values.get(name, "") for names in GROUPS.values() for name in names}

    def optional(name: str) -> str | None:
        return v[name] or None

    quantity = None
    if any(v[name] for name in ("value", "unit", "unit_kind", "aspect")):
        quantity = {
            "value": _number(v["value"]),
            "unit": v["unit"],
            "qualifier": v["qualifier"] or Qualifier.exact.value,
            "unit_kind": optional("unit_kind"),
            "aspect": optional("aspect"),
        }
    time = None
    if any(v[name] for name in GROUPS["time"]):
        time = {"text": v["time_text"], "start": optional("time_start")}
        time["end"] = optional("time_end")
    entity = None
    if v["object_name"] or v["object_type"]:
        entity = {"name": v["object_name"], "type": v["object_type"]}
    return {
        "statement": v["statement"],
        "claim_type": v["claim_type"],
        "subject": {
            "name": v["subject_name"],
            "type": v["subject_type"],
            "mention": optional("subject_mention"),
        },
        "predicate": v["predicate"],
        "object": optional("object"),
        "quantity": quantity,
        "time": time,
        "location": optional("location"),
        "attribution": optional("attribution"),
        "modality": v["modality"] or Modality.asserted.value,
        "evidence": v["evidence"],
        "fact_kind": optional("fact_kind"),
        "object_entity": entity,
    }


def correction_changes(original: Mapping[str, Any], form: ClaimForm) -> dict[str, Any]:
    """The schema fields a correction form changes: those whose form fields differ from the
    claim's. A field the form leaves out keeps the claim's value."""
    before = form_values(original)
    wanted = fields_of_form(form.values(defaults=before))
    kept = fields_of_form(before)
    return {name: wanted[name] for name in GROUPS if wanted[name] != kept[name]}
