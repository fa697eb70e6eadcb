"""Statements from an LRS (a simulation centre, an e-learning course) as evidence on the
learner record, through a mapping file from activity ids and scores to framework items and
levels.

Reading starts where the program's last import stopped (a cursor on `stored`, read again
from XAPI_IMPORT_OVERLAP_DAYS before it) and the
statements are written through the assessment importer (`assessments.importer`), with the
statement id as the record id: all or nothing, every problem listed, and a statement taken
once however often it is read. The cursor moves only when the import went through.

The mapping (TOML, or the same keys in JSON):

    form = "epa-observation-chen"      # the form the sessions are recorded on
    framework = "aamc-core-epas"       # where the item codes are looked up
    assessor_role = "staff"            # how the centre's raters are recorded (default staff)
    assessor_name = "Simulation centre"  # when a statement names no instructor
    [activities]                       # activity id = item code
    "https://sim.example.edu/scenarios/sepsis" = "EPA10"
    [[levels]]                         # the first band the scaled score reaches
    scaled = 0.8
    level = "4"
"""

from __future__ import annotations

import datetime as dt
import json
import tomllib
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from itertools import islice
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from trellis.assessments.importer import (
    MAX_RECORDS,
    ImportResult,
    MappingError,
    assessments_import,
)
from trellis.assessments.importer.mapping import mapping_parse
from trellis.assessments.models import AssessorRole
from trellis.connect.xapi.lrs import Lrs
from trellis.connect.xapi.models import ImportCursor
from trellis.lib.importing import Problem
from trellis.people.models import Membership, Program, Role, User

VOIDED = "http://adlnet.gov/expapi/verbs/voided"
READ_LIMIT = MAX_RECORDS  # statements one import reads at most (the importer's own bound)


def overlap() -> dt.timedelta:
    return dt.timedelta(days=float(getattr(settings, "XAPI_IMPORT_OVERLAP_DAYS", 30)))


KNOWN = {"form", "framework", "assessor_role", "assessor_name", "activities", "levels"}


@dataclass(frozen=True)
class Band:
    scaled: Decimal
    level: str


@dataclass(frozen=True)
class XapiMapping:
    form: str
    framework: str
    activities: dict[str, str]
    levels: tuple[Band, ...]  # highest first
    assessor_role: str = AssessorRole.STAFF
    assessor_name: str = "Simulation centre"

    def level_for(self, scaled: Decimal) -> str:
        return next((b.level for b in self.levels if scaled >= b.scaled), "")


def xapi_mapping_load(*, filename: str, content: bytes) -> XapiMapping:
    """Read and check a mapping; raises MappingError listing every mistake."""
    try:
        data = (
            json.loads(content)
            if filename.lower().endswith(".json")
            else tomllib.loads(content.decode("utf-8"))
        )
    except (ValueError, UnicodeDecodeError) as exc:
        raise MappingError([f"the mapping is not valid TOML or JSON: {exc}"]) from exc
    problems = [f"unknown key '{k}'" for k in data if k not in KNOWN]
    form, framework = data.get("form"), data.get("framework")
    if not isinstance(form, str) or not form.strip():
        problems.append("form (the slug of the form the statements are recorded on) is required")
    if not isinstance(framework, str) or not framework.strip():
        problems.append("framework (the slug of the framework of the item codes) is required")
    activities = data.get("activities", {})
    if not isinstance(activities, dict) or not activities:
        problems.append("[activities] must map at least one activity id to an item code")
        activities = {}
    role = str(data.get("assessor_role", AssessorRole.STAFF))
    if role not in AssessorRole.values:
        problems.append(f"assessor_role must be one of {', '.join(AssessorRole.values)}")
    bands: list[Band] = []
    raw = data.get("levels", [])
    if not isinstance(raw, list) or not raw:
        problems.append("[[levels]] must list at least one band (scaled, level)")
        raw = []
    for i, entry in enumerate(raw, start=1):
        try:
            scaled, level = Decimal(str(entry["scaled"])), Decimal(str(entry["level"]))
        except (KeyError, TypeError, InvalidOperation):
            problems.append(f"levels #{i} needs a number scaled (0 to 1) and a level")
            continue
        if not Decimal(-1) <= scaled <= 1:
            problems.append(f"levels #{i}: scaled must be between -1 and 1")
        bands.append(Band(scaled, str(level.normalize())))
    if problems:
        raise MappingError(problems)
    return XapiMapping(
        form=str(form).strip(),
        framework=str(framework).strip(),
        activities={str(k): str(v) for k, v in activities.items()},
        levels=tuple(sorted(bands, key=lambda b: b.scaled, reverse=True)),
        assessor_role=role,
        assessor_name=str(data.get("assessor_name", "Simulation centre")),
    )


def _scaled(result: dict[str, Any]) -> Decimal | None:
    score = result.get("score") or {}
    try:
        if "scaled" in score:
            return Decimal(str(score["scaled"]))
        if "raw" in score and score.get("max") not in (None, 0):
            low = Decimal(str(score.get("min", 0)))
            return (Decimal(str(score["raw"])) - low) / (Decimal(str(score["max"])) - low)
    except (InvalidOperation, ArithmeticError):
        return None
    return None


def _name(definition: dict[str, Any]) -> str:
    names = definition.get("name") or {}
    return str(names.get("en") or names.get("en-US") or next(iter(names.values()), ""))


def statement_record(statement: dict[str, Any], mapping: XapiMapping) -> dict[str, str]:
    """One statement as a flat record for the assessment importer; what it lacks (an
    e-mail, a mapped activity, a score) is left blank, and the mapping skips it."""
    actor = statement.get("actor") or {}
    mbox = str(actor.get("mbox") or "")
    obj = statement.get("object") or {}
    result = statement.get("result") or {}
    context = statement.get("context") or {}
    instructor = context.get("instructor") or {}
    scaled = _scaled(result)
    when = statement.get("timestamp") or statement.get("stored") or ""
    try:
        day = timezone.localdate(dt.datetime.fromisoformat(when.replace("Z", "+00:00")))
    except ValueError:
        day = None
    voided = (statement.get("verb") or {}).get("id") == VOIDED
    return {
        "id": str(statement.get("id", "")),
        "email": mbox.removeprefix("mailto:").strip().lower(),
        "name": str(actor.get("name", "")),
        "date": day.isoformat() if day else "",
        "item": "" if voided else mapping.activities.get(str(obj.get("id", "")), ""),
        "level": "" if scaled is None else mapping.level_for(scaled),
        "assessor": str(instructor.get("name") or mapping.assessor_name),
        "setting": _name(obj.get("definition") or {}),
        "comment": str(result.get("response") or ""),
    }


def _importer_mapping(mapping: XapiMapping) -> Any:
    return mapping_parse(
        {
            "format": "json",
            "form": mapping.form,
            "id": {"field": "id"},
            "subject": {"field": "email", "match": "email", "name_field": "name", "create": False},
            "assessor": {"name_field": "assessor", "default_role": mapping.assessor_role},
            "date": {"field": "date"},
            "item": {"field": "item", "framework": mapping.framework, "create": False},
            "rating": {"field": "level"},
            "comments": [{"field": "comment", "prompt": "general"}],
            "context": {"fields": ["setting"]},
            "skip": [
                {"field": "item", "empty": True, "reason": "activity not in the mapping"},
                {"field": "email", "empty": True, "reason": "actor without an e-mail address"},
                {"field": "level", "empty": True, "reason": "no score"},
                {"field": "date", "empty": True, "reason": "no timestamp"},
            ],
        }
    )


@dataclass
class XapiImportResult:
    read: int = 0
    outside: int = 0  # statements about people who are not learners of the program
    result: ImportResult | None = None
    cursor_from: dt.datetime | None = None
    cursor_to: dt.datetime | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.result is not None and not self.result.problems


def xapi_import(
    *,
    program: Program,
    mapping: XapiMapping,
    acting_user: User | None,
    lrs: Lrs | None = None,
    dry_run: bool = False,
) -> XapiImportResult:
    """Read the statements stored since the program's cursor and import them; the cursor
    moves to the last one read only when the import went through (and not on a dry run).
    Raises LrsError when the LRS cannot be read."""
    lrs = lrs or Lrs.configured()
    if lrs is None:
        raise MappingError(["no LRS is configured (XAPI_LRS_ENDPOINT)"])
    cursor = ImportCursor.objects.filter(program=program, endpoint=lrs.endpoint).first()
    out = XapiImportResult(cursor_from=cursor.stored if cursor else None)
    # Read again a margin before the cursor: the specification filters `since` on when
    # the LRS stored a statement, but some LRSs (Ralph's file backend) filter on its
    # timestamp, and a centre may send a session days after it happened. What was taken
    # already is skipped by its id.
    since = out.cursor_from - overlap() if out.cursor_from else None
    # Never more in memory than one import may take: with more waiting, say so and write
    # nothing (the cursor stays).
    statements = list(islice(lrs.read(since=since), READ_LIMIT + 1))
    out.read = len(statements)
    if out.read > READ_LIMIT:
        out.result = ImportResult(dry_run=dry_run)
        out.result.problems.append(
            Problem(
                None,
                "",
                f"more than {READ_LIMIT:,} statements to read since the cursor: "
                "lower XAPI_IMPORT_OVERLAP_DAYS, or import from a smaller LRS view",
            )
        )
        return out
    # An LRS speaks of many programs' people: only this program's learners are its business.
    learners = {
        e.lower()
        for e in Membership.objects.filter(program=program, role=Role.LEARNER).values_list(
            "person__email", flat=True
        )
    }
    records = [statement_record(s, mapping) for s in statements]
    out.outside = sum(1 for r in records if r["email"] and r["email"] not in learners)
    records = [r for r in records if not r["email"] or r["email"] in learners]
    out.result = assessments_import(
        program=program,
        mapping=_importer_mapping(mapping),
        filename=f"xapi-{lrs.endpoint}.json",
        data=json.dumps(records).encode(),
        acting_user=acting_user,
        dry_run=dry_run,
    )
    stored = [s.get("stored") for s in statements if s.get("stored")]
    if out.ok and stored and not dry_run:
        last = max(dt.datetime.fromisoformat(str(s).replace("Z", "+00:00")) for s in stored)
        out.cursor_to = last
        with transaction.atomic():
            ImportCursor.objects.update_or_create(
                program=program, endpoint=lrs.endpoint, defaults={"stored": last}
            )
    return out
