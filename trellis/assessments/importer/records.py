"""Reading an export for the assessment importer: its records, numbered, and each record
checked against the mapping and turned into a `Draft`. Nothing here touches the database.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from trellis.assessments.importer.mapping import NOT_OBSERVED, Mapping, text_of
from trellis.frameworks.models import Scale
from trellis.lib.importing import UnreadableFile, read_json, read_table

MAX_RECORDS = 50_000


@dataclass(frozen=True)
class Draft:
    """One record, checked and ready to submit."""

    number: int
    external_id: str
    subject_key: str
    subject_email: str
    subject_name: str
    observed_on: dt.date
    item_code: str
    level: Decimal | None
    not_observed: bool
    assessor_name: str
    assessor_role: str
    comments: tuple[tuple[str, str], ...]
    context: str


def read_records(
    *, filename: str, data: bytes, fmt: str = "", max_records: int = MAX_RECORDS
) -> tuple[list[tuple[int, dict[str, Any]]], str]:
    """The file's records, each with its number, and the word for the numbers: "record"
    for JSON (the place in the list, from 1), "row" for CSV (the header is row 1, so that
    the numbers match a spreadsheet). Raises UnreadableFile, also past `max_records`."""
    kind = fmt or ("json" if filename.lower().endswith(".json") else "csv")
    if kind == "csv":
        table = read_table(data=data, max_rows=max_records)
        return [(row.number, dict(row.values)) for row in table], "row"
    records = read_json(data)
    if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
        raise UnreadableFile("not a JSON list of records (objects)")
    if len(records) > max_records:
        raise UnreadableFile(f"longer than {max_records} records", advice="split it")
    return list(enumerate(records, start=1)), "record"


def record_hash(record: dict[str, Any], fields: tuple[str, ...] = ()) -> str:
    """A stable id for a record without one: a hash of the named fields (all by default),
    as normalised text, so that key order and JSON-versus-CSV typing do not change it."""
    keys = fields or tuple(sorted(record))
    payload = json.dumps([[k, text_of(record.get(k))] for k in keys], ensure_ascii=False)
    return "sha256:" + hashlib.sha256(payload.encode()).hexdigest()[:40]


def _number(value: Decimal) -> str:
    return format(value.normalize(), "f")


def _local_part(username: str) -> str:
    return re.sub(r"[^a-z0-9._+-]", "-", username.lower()).strip(".-") or "person"


def _subject_email(mapping: Mapping, key: str) -> str:
    if mapping.subject_match == "email":
        return key.lower()
    if key in mapping.subject_people:
        return mapping.subject_people[key]
    return f"{_local_part(key)}@{mapping.subject_email_domain}"


def draft_parse(
    number: int, record: dict[str, Any], mapping: Mapping, scale: Scale, levels: list[Decimal]
) -> tuple[Draft | None, list[tuple[str, str]]]:
    """A record as a draft, or what is wrong with it as (field, message) pairs."""
    wrong: list[tuple[str, str]] = []

    def value(name: str) -> str:
        return text_of(record.get(name)) if name else ""

    subject_key = value(mapping.subject_field)
    subject_email = ""
    if not subject_key:
        wrong.append((mapping.subject_field, "no subject"))
    else:
        subject_email = _subject_email(mapping, subject_key)
        try:
            validate_email(subject_email)
        except ValidationError:
            wrong.append((mapping.subject_field, f"'{subject_email}' is not an e-mail address"))

    observed_on: dt.date | None = None
    raw_date = value(mapping.date_field)
    try:
        observed_on = dt.datetime.strptime(raw_date, mapping.date_format).date()
    except ValueError:
        wrong.append(
            (mapping.date_field, f"'{raw_date}' is not a date in the form {mapping.date_format}")
        )

    item_code = value(mapping.item_field)
    if not item_code:
        wrong.append((mapping.item_field, "no item code"))

    raw_rating = value(mapping.rating_field)
    level = mapping.level_for(raw_rating)
    not_observed = level == NOT_OBSERVED
    if level is None:
        wrong.append(
            (mapping.rating_field, f"'{raw_rating}' is not a rating this mapping knows")
            if raw_rating
            else (mapping.rating_field, "no rating")
        )
    elif isinstance(level, Decimal) and not scale.accepts(level, levels):
        allowed = ", ".join(_number(v) for v in levels)
        wrong.append(
            (mapping.rating_field, f"{_number(level)} is not a level of {scale.name} ({allowed})")
        )

    raw_role = value(mapping.assessor_role_field)
    role = mapping.assessor_roles.get(raw_role, "") if raw_role else ""
    role = role or mapping.assessor_default_role
    if not role:
        known = ", ".join(f"'{k}'" for k in mapping.assessor_roles)
        wrong.append((mapping.assessor_role_field, f"unknown assessor role '{raw_role}' ({known})"))

    if wrong or observed_on is None:
        return None, wrong
    context_parts = [value(name) for name in mapping.context_fields]
    context = mapping.context_separator.join(p for p in context_parts if p)
    return (
        Draft(
            number=number,
            external_id="",
            subject_key=subject_key,
            subject_email=subject_email,
            subject_name=value(mapping.subject_name_field),
            observed_on=observed_on,
            item_code=item_code,
            level=level if isinstance(level, Decimal) else None,
            not_observed=not_observed,
            assessor_name=value(mapping.assessor_name_field)[:200],
            assessor_role=role,
            comments=tuple((c.prompt, value(c.field)) for c in mapping.comments if value(c.field)),
            context=context[:255],
        ),
        [],
    )
