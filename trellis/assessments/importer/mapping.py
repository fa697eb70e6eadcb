"""The declarative mapping that tells the assessment importer how to read someone else's
export: which field is the subject, the date, the item, the rating, and which records to
leave out. A mapping is a TOML file (or the same shape in JSON); see docs/formats.md,
"Assessment import mapping", and examples/mappings/cbd-dashboard.toml.

Loading checks the mapping's own shape, so that a typo in it is reported once, as a
mapping problem, instead of once per record.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from trellis.assessments.models import AssessorRole
from trellis.frameworks.models import ItemKind
from trellis.lib.importing import MAX_JSON_DEPTH, UnreadableFile, decode_text, json_depth, read_json

NOT_OBSERVED = "not-observed"
SUBJECT_MATCHES = ("email", "username")


class MappingError(Exception):
    """The mapping itself is wrong; `problems` lists every mistake found."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class SkipRule:
    """Leave a record out, saying why, when `field` equals one of `values` (compared as
    normalised text, see `text_of`) or, with `empty`, when it is blank."""

    field: str
    reason: str
    values: tuple[str, ...] = ()
    empty: bool = False

    def matches(self, record: dict[str, Any]) -> bool:
        value = text_of(record.get(self.field))
        if self.empty and value == "":
            return True
        return value.casefold() in {v.casefold() for v in self.values}


@dataclass(frozen=True)
class CommentField:
    field: str
    prompt: str


@dataclass(frozen=True)
class Mapping:
    form: str
    subject_field: str
    subject_match: str = "email"
    subject_email_domain: str = ""
    subject_name_field: str = ""
    subject_create: bool = True
    subject_people: dict[str, str] = field(default_factory=dict)
    id_field: str = ""
    hash_fields: tuple[str, ...] = ()
    assessor_name_field: str = ""
    assessor_role_field: str = ""
    assessor_roles: dict[str, str] = field(default_factory=dict)
    assessor_default_role: str = ""
    date_field: str = "date"
    date_format: str = "%Y-%m-%d"
    item_field: str = "item"
    item_framework: str = "{program}-epas"
    item_framework_title: str = "{program_name} EPAs"
    item_kind: str = ItemKind.EPA
    item_create: bool = True
    rating_field: str = "rating"
    rating_scale: str = ""
    rating_values: dict[str, str] = field(default_factory=dict)
    comments: tuple[CommentField, ...] = ()
    context_fields: tuple[str, ...] = ()
    context_separator: str = "; "
    skip: tuple[SkipRule, ...] = ()
    format: str = ""

    def framework_slug(self, *, program_slug: str) -> str:
        return self.item_framework.format(program=program_slug)

    def framework_title(self, *, program_slug: str, program_name: str) -> str:
        return self.item_framework_title.format(program=program_slug, program_name=program_name)

    def level_for(self, raw: str) -> Decimal | str | None:
        """The level a rating value stands for: a Decimal, NOT_OBSERVED, or None when the
        value means nothing. Values not in `rating_values` are read as numbers."""
        value = self.rating_values.get(raw, raw)
        if value == NOT_OBSERVED:
            return NOT_OBSERVED
        try:
            return Decimal(value)
        except InvalidOperation:
            return None


def text_of(value: object) -> str:
    """A field's value as trimmed text: JSON true/false as "true"/"false", null as ""."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _strs(value: Any, where: str, problems: list[str]) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str | int | float | bool):
        return (text_of(value),)
    if isinstance(value, list) and all(isinstance(v, str | int | float | bool) for v in value):
        return tuple(text_of(v) for v in value)
    problems.append(f"{where} must be a text or a list of texts")
    return ()


def _table(data: dict[str, Any], key: str, problems: list[str]) -> dict[str, Any]:
    value = data.get(key, {})
    if not isinstance(value, dict):
        problems.append(f"[{key}] must be a table")
        return {}
    return value


def _text(table: dict[str, Any], key: str, where: str, problems: list[str], default: str) -> str:
    value = table.get(key, default)
    if not isinstance(value, str):
        problems.append(f"{where}.{key} must be text")
        return default
    return value.strip()


def _subject(subject: dict[str, Any], problems: list[str]) -> tuple[str, str, str, dict[str, Any]]:
    """[subject]: the field, how it is matched, the e-mail domain and the people table."""
    subject_field = _text(subject, "field", "subject", problems, "")
    if not subject_field:
        problems.append("subject.field (the field naming the person assessed) is required")
    match = _text(subject, "match", "subject", problems, "email")
    if match not in SUBJECT_MATCHES:
        problems.append(f"subject.match must be one of {', '.join(SUBJECT_MATCHES)}")
    domain = _text(subject, "email_domain", "subject", problems, "")
    people = subject.get("people", {})
    if not isinstance(people, dict) or not all(isinstance(v, str) for v in people.values()):
        problems.append("[subject.people] must map usernames to e-mail addresses")
        people = {}
    if match == "username" and not domain and not people:
        problems.append(
            "subject.match = 'username' needs subject.email_domain or a [subject.people] table"
        )
    return subject_field, match, domain, people


def _assessor(assessor: dict[str, Any], problems: list[str]) -> tuple[dict[str, Any], str]:
    """[assessor]: the roles by the export's values, and the role when none matches."""
    roles = assessor.get("roles", {})
    if not isinstance(roles, dict):
        problems.append("[assessor.roles] must be a table")
        roles = {}
    valid_roles = set(AssessorRole.values)
    default_role = _text(assessor, "default_role", "assessor", problems, "")
    for source, role in [*roles.items(), ("default_role", default_role)]:
        if role and role not in valid_roles:
            problems.append(
                f"assessor role '{role}' (for '{source}') is not one of "
                f"{', '.join(sorted(valid_roles))}"
            )
    if not roles and not default_role:
        problems.append("the assessor needs [assessor.roles] or assessor.default_role")
    return roles, default_role


def _rating_values(rating: dict[str, Any], problems: list[str]) -> dict[str, str]:
    """[rating.values]: the export's rating values mapped to levels (or not observed)."""
    values = rating.get("values", {})
    if not isinstance(values, dict):
        problems.append("[rating.values] must be a table")
        values = {}
    rating_values = {text_of(k): text_of(v) for k, v in values.items()}
    for key, value in rating_values.items():
        if value != NOT_OBSERVED:
            try:
                Decimal(value)
            except InvalidOperation:
                problems.append(f"rating.values: '{key}' must map to a number or '{NOT_OBSERVED}'")
    return rating_values


def _comments(data: dict[str, Any], problems: list[str]) -> list[CommentField]:
    """[[comments]]: which fields hold narrative, and under which prompt."""
    comments = []
    raw_comments = data.get("comments", [])
    if not isinstance(raw_comments, list):
        problems.append("[[comments]] must be a list of tables")
        raw_comments = []
    for i, entry in enumerate(raw_comments, start=1):
        if not isinstance(entry, dict) or not entry.get("field") or not entry.get("prompt"):
            problems.append(f"comments #{i} needs a field and a prompt")
            continue
        comments.append(CommentField(field=str(entry["field"]), prompt=str(entry["prompt"])))
    return comments


def _skips(data: dict[str, Any], problems: list[str]) -> list[SkipRule]:
    """[[skip]]: the records to leave out, and why."""
    skips = []
    raw_skips = data.get("skip", [])
    if not isinstance(raw_skips, list):
        problems.append("[[skip]] must be a list of tables")
        raw_skips = []
    for i, entry in enumerate(raw_skips, start=1):
        if not isinstance(entry, dict) or not entry.get("field") or not entry.get("reason"):
            problems.append(f"skip #{i} needs a field and a reason")
            continue
        rule_values = _strs(entry.get("equals"), f"skip #{i} equals", problems)
        if not rule_values and not entry.get("empty"):
            problems.append(f"skip #{i} needs equals or empty = true")
        skips.append(
            SkipRule(
                field=str(entry["field"]),
                reason=str(entry["reason"]),
                values=rule_values,
                empty=bool(entry.get("empty", False)),
            )
        )
    return skips


def mapping_parse(data: dict[str, Any]) -> Mapping:
    """A mapping from its decoded TOML/JSON; raises MappingError listing every mistake."""
    problems: list[str] = []
    known = {"format", "form", "id", "subject", "assessor", "date", "item", "rating"}
    known |= {"comments", "context", "skip"}
    problems += [f"unknown key '{key}'" for key in data if key not in known]
    form = data.get("form")
    if not isinstance(form, str) or not form.strip():
        problems.append("form (the slug of the form the assessments are recorded on) is required")
        form = ""
    fmt = data.get("format", "")
    if fmt not in ("", "csv", "json"):
        problems.append("format must be csv or json")

    ident = _table(data, "id", problems)
    subject = _table(data, "subject", problems)
    assessor = _table(data, "assessor", problems)
    date = _table(data, "date", problems)
    item = _table(data, "item", problems)
    rating = _table(data, "rating", problems)
    context = _table(data, "context", problems)

    subject_field, match, domain, people = _subject(subject, problems)

    roles, default_role = _assessor(assessor, problems)

    date_format = _text(date, "format", "date", problems, "%Y-%m-%d")
    try:
        dt.datetime.strptime(dt.date(2001, 2, 3).strftime(date_format), date_format)
    except ValueError:
        problems.append(f"date.format '{date_format}' is not a usable strftime format")

    kind = _text(item, "kind", "item", problems, ItemKind.EPA)
    if kind not in ItemKind.values:
        problems.append(f"item.kind must be one of {', '.join(ItemKind.values)}")
    framework = _text(item, "framework", "item", problems, "{program}-epas")
    try:
        framework.format(program="x")
    except (KeyError, IndexError, ValueError):
        problems.append("item.framework may use only {program}")

    rating_values = _rating_values(rating, problems)

    comments = _comments(data, problems)
    skips = _skips(data, problems)

    texts = {
        "id_field": _text(ident, "field", "id", problems, ""),
        "subject_name_field": _text(subject, "name_field", "subject", problems, ""),
        "assessor_name_field": _text(assessor, "name_field", "assessor", problems, ""),
        "assessor_role_field": _text(assessor, "role_field", "assessor", problems, ""),
        "date_field": _text(date, "field", "date", problems, "date"),
        "item_field": _text(item, "field", "item", problems, "item"),
        "item_framework_title": _text(
            item, "framework_title", "item", problems, "{program_name} EPAs"
        ),
        "rating_field": _text(rating, "field", "rating", problems, "rating"),
        "rating_scale": _text(rating, "scale", "rating", problems, ""),
    }
    hash_fields = _strs(ident.get("hash_fields"), "id.hash_fields", problems)
    context_fields = _strs(context.get("fields"), "context.fields", problems)
    if problems:
        raise MappingError(problems)
    return Mapping(
        form=str(form).strip(),
        format=str(fmt),
        hash_fields=hash_fields,
        subject_field=subject_field,
        subject_match=match,
        subject_email_domain=domain.lstrip("@"),
        subject_create=bool(subject.get("create", True)),
        subject_people={str(k): str(v).strip().lower() for k, v in people.items()},
        assessor_roles={str(k): str(v) for k, v in roles.items()},
        assessor_default_role=default_role,
        date_format=date_format,
        item_framework=framework,
        item_kind=kind,
        item_create=bool(item.get("create", True)),
        rating_values=rating_values,
        comments=tuple(comments),
        context_fields=context_fields,
        context_separator=str(context.get("separator", "; ")),
        skip=tuple(skips),
        **texts,
    )


def mapping_load(*, filename: str, content: bytes) -> Mapping:
    """Read a mapping file: JSON when the name ends .json, TOML otherwise."""
    try:
        if filename.lower().endswith(".json"):
            data = read_json(content)
        else:
            text = decode_text(content)
            if json_depth(text) > MAX_JSON_DEPTH:  # TOML arrays nest as JSON's do
                raise UnreadableFile(f"nested deeper than {MAX_JSON_DEPTH}")
            data = tomllib.loads(text)
    except (UnreadableFile, tomllib.TOMLDecodeError, RecursionError) as exc:
        raise MappingError([f"the mapping file cannot be read: {exc}"]) from exc
    if not isinstance(data, dict):
        raise MappingError(["the mapping must be a table of settings"])
    return mapping_parse(data)
