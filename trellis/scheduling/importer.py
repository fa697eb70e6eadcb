"""Schedule files in and out: CSV and Excel (.xlsx), one assignment per row.

Columns: learner_email, rotation, site, start_date, end_date (ISO dates), and optionally
supervisors (e-mails separated by ";"). An import adds assignments to an academic year and
is all-or-nothing: every problem is listed by row (the header is row 1) and column, and
nothing is written unless there are none. A row identical to a stored assignment is
skipped as unchanged, so importing the same file twice, or an export, adds nothing.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from dataclasses import dataclass, field

from django.contrib.auth.models import AnonymousUser

from trellis.people.models import Program, User
from trellis.scheduling.models import AcademicYear
from trellis.scheduling.rules import (
    COLUMNS,
    LEARNER,
    REQUIRED_COLUMNS,
    ROTATION,
    SITE,
    SUPERVISORS,
    Draft,
    Problem,
)
from trellis.scheduling.selectors import UnassignedWeeks, export_rows, unassigned_weeks
from trellis.scheduling.services import ScheduleConflict, assignments_apply

MAX_ROWS = 20_000


class UnreadableFile(Exception):
    pass


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    problems: list[Problem] = field(default_factory=list)
    warnings: list[UnassignedWeeks] = field(default_factory=list)
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary(self) -> str:
        if not self.ok:
            return f"Nothing imported: {len(self.problems)} problem(s) found"
        verb = "would be" if self.dry_run else ""
        parts = [f"{self.created} new", f"{self.updated} updated", f"{self.unchanged} unchanged"]
        return f"Assignments {verb + ': ' if verb else ''}{', '.join(parts)}"


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def read_rows(*, filename: str, data: bytes) -> list[list[str]]:
    """The file's rows as text, header first. Excel when the name ends .xlsx (or the bytes
    are a zip), CSV otherwise."""
    if filename.lower().endswith(".xlsx") or data[:2] == b"PK":
        return _read_xlsx(data)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UnreadableFile(
            "The file is not UTF-8 text; save it as CSV UTF-8 or as .xlsx"
        ) from exc
    try:
        return [[c.strip() for c in row] for row in csv.reader(io.StringIO(text))]
    except csv.Error as exc:
        raise UnreadableFile(f"The file is not valid CSV: {exc}") from exc


def _read_xlsx(data: bytes) -> list[list[str]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise UnreadableFile("The file is not a readable Excel workbook (.xlsx)") from exc
    try:
        sheet = book.worksheets[0]
        return [[_cell_text(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    finally:
        book.close()


def drafts_from_rows(rows: list[list[str]]) -> tuple[list[Draft], list[Problem]]:
    """Rows (header first) to drafts; problems with the header or the shape of the file."""
    if not rows or not any(rows[0]):
        return [], [Problem(None, "", "The file is empty; the first row must name the columns")]
    header = [h.strip().casefold() for h in rows[0]]
    problems = [
        Problem(1, name, f"missing column '{name}'")
        for name in REQUIRED_COLUMNS
        if name not in header
    ]
    problems += [
        Problem(1, name, f"unknown column '{name}' (expected {', '.join(COLUMNS)})")
        for name in header
        if name and name not in COLUMNS
    ]
    if len(rows) - 1 > MAX_ROWS:
        problems.append(Problem(None, "", f"At most {MAX_ROWS} rows may be imported at once"))
    if problems:
        return [], problems
    at = {name: header.index(name) for name in COLUMNS if name in header}
    drafts = []
    for number, row in enumerate(rows[1:], start=2):
        if not any(c.strip() for c in row):
            continue

        def cell(name: str, row: list[str] = row) -> str:
            i = at.get(name)
            return row[i].strip() if i is not None and i < len(row) else ""

        drafts.append(
            Draft(
                learner=cell(LEARNER),
                rotation=cell(ROTATION),
                site=cell(SITE),
                start_date=cell("start_date"),
                end_date=cell("end_date"),
                supervisors=[s.strip() for s in cell(SUPERVISORS).split(";") if s.strip()],
                row=number,
            )
        )
    if not drafts:
        problems.append(Problem(None, "", "The file has a header but no assignments"))
    return drafts, problems


def schedule_import(
    *,
    program: Program,
    year: AcademicYear,
    filename: str,
    data: bytes,
    acting_user: User | AnonymousUser | None,
    dry_run: bool = False,
) -> ImportResult:
    """Import a schedule file into `year`: all of it, or (with problems) none of it."""
    result = ImportResult(dry_run=dry_run)
    try:
        rows = read_rows(filename=filename, data=data)
    except UnreadableFile as exc:
        result.problems.append(Problem(None, "", str(exc)))
        return result
    drafts, result.problems = drafts_from_rows(rows)
    if result.problems:
        return result
    actor = acting_user if isinstance(acting_user, User) else None
    try:
        applied = assignments_apply(
            program=program, year=year, drafts=drafts, acting_user=actor, dry_run=dry_run
        )
    except ScheduleConflict as conflict:
        result.problems = conflict.problems
        return result
    result.created, result.updated = len(applied.created), len(applied.updated)
    result.unchanged = len(applied.unchanged)
    if not dry_run:
        learners = {a.learner for a in [*applied.created, *applied.updated, *applied.unchanged]}
        result.warnings = unassigned_weeks(year=year, learners=sorted(learners, key=_by_name))
    return result


def _by_name(user: User) -> tuple[str, str, str]:
    return (user.last_name, user.first_name, user.email)


def schedule_export_csv(*, year: AcademicYear) -> str:
    """The year's assignments as CSV in the import layout."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerows(export_rows(year=year))
    return out.getvalue()
