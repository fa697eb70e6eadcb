"""Schedule files in and out: CSV and Excel (.xlsx), one assignment per row.

Columns: learner_email, rotation, site, start_date, end_date (ISO dates), and optionally
supervisors (e-mails separated by ";"). An import adds assignments to an academic year and
is all-or-nothing: every problem is listed by row (the header is row 1) and column, and
nothing is written unless there are none. A row identical to a stored assignment is
skipped as unchanged, so importing the same file twice, or an export, adds nothing.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field

from django.contrib.auth.models import AnonymousUser

from trellis.audit.services import audit_import
from trellis.lib import importing
from trellis.lib.cells import SafeCsvWriter
from trellis.lib.importing import UnreadableFile, read_table
from trellis.people.models import Program, User
from trellis.scheduling.models import AcademicYear
from trellis.scheduling.rules import (
    COLUMNS,
    END,
    LEARNER,
    REQUIRED_COLUMNS,
    ROTATION,
    SITE,
    START,
    SUPERVISORS,
    Draft,
    Problem,
)
from trellis.scheduling.selectors import UnassignedWeeks, export_rows, unassigned_weeks
from trellis.scheduling.services import ScheduleConflict, assignments_apply

MAX_ROWS = 20_000


@dataclass
class ImportResult(importing.ImportResult):
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    warnings: list[UnassignedWeeks] = field(default_factory=list)

    def summary(self) -> str:
        if not self.ok:
            return self.refusal()
        verb = "would be" if self.dry_run else ""
        parts = [f"{self.created} new", f"{self.updated} updated", f"{self.unchanged} unchanged"]
        return f"Assignments {verb + ': ' if verb else ''}{', '.join(parts)}"


def read_drafts(*, filename: str, data: bytes) -> tuple[list[Draft], list[Problem]]:
    """The file's rows as drafts (Excel when the name ends .xlsx or the bytes are a zip, CSV
    otherwise), or the problems with its header or its shape."""
    try:
        table = read_table(
            data=data, filename=filename, max_rows=MAX_ROWS, excel=True, casefold=True
        )
        problems = table.header_problems(required=REQUIRED_COLUMNS, known=COLUMNS)
        if problems:
            return [], problems
        drafts = [
            Draft(
                learner=row.get(LEARNER),
                rotation=row.get(ROTATION),
                site=row.get(SITE),
                start_date=row.get(START),
                end_date=row.get(END),
                supervisors=[s.strip() for s in row.get(SUPERVISORS).split(";") if s.strip()],
                row=row.number,
            )
            for row in table
        ]
    except UnreadableFile as exc:
        return [], [Problem(None, "", str(exc))]
    if not drafts:
        return [], [Problem(None, "", "The file has a header but no assignments")]
    return drafts, []


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
    actor = acting_user if isinstance(acting_user, User) else None
    result = _schedule_import(program, year, filename, data, actor, dry_run)
    if not dry_run:
        audit_import(
            actor=actor,
            program=program,
            what="schedule",
            filename=filename,
            problems=len(result.problems),
            written=result.created + result.updated,
        )
    return result


def _schedule_import(
    program: Program,
    year: AcademicYear,
    filename: str,
    data: bytes,
    actor: User | None,
    dry_run: bool,
) -> ImportResult:
    result = ImportResult(dry_run=dry_run)
    drafts, result.problems = read_drafts(filename=filename, data=data)
    if result.problems:
        return result
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
    writer = SafeCsvWriter(out, lineterminator="\n")
    writer.writerows(export_rows(year=year))
    return out.getvalue()
