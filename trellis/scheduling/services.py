"""Writes to the clinical schedule. Every change is audited in the transaction that makes it.

Assignments are written only through `assignments_apply`, after `rules.assignments_check`
has found nothing wrong; the web form, the importer and the CLI all come through here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction

from trellis.audit.services import audit_record, snapshot
from trellis.curriculum.models import Activity, ActivityKind
from trellis.lib.bounds import PLAN_YEARS_AHEAD, plausible_date
from trellis.people.models import Institution, Program, User
from trellis.scheduling.models import AcademicYear, Assignment, Block, Rotation, Site
from trellis.scheduling.rules import Draft, Problem, Resolved, assignments_check

ASSIGNMENT_FIELDS = ["learner", "rotation", "site", "start_date", "end_date"]


class ScheduleError(ValueError):
    """A set-up change that breaks a rule (a year that overlaps another, a duplicate code)."""


class ScheduleConflict(ScheduleError):
    """Proposed assignments broke the schedule's rules; `problems` says where and why."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = problems


def _lock(program: Program) -> None:
    """Serialise schedule writes per program, so two coordinators cannot together overbook
    a rotation that each alone would not (a no-op on SQLite, whose writes are serial)."""
    Program.objects.select_for_update().filter(pk=program.pk).first()


# --- set-up -----------------------------------------------------------------------------


@transaction.atomic
def academic_year_create(
    *, program: Program, name: str, start_date: dt.date, end_date: dt.date, acting_user: User | None
) -> AcademicYear:
    name = name.strip()
    if not name:
        raise ScheduleError("An academic year needs a name, e.g. 2026-2027")
    if end_date <= start_date:
        raise ScheduleError("The academic year must end after it starts")
    for day in (start_date, end_date):  # blocks and assignments lie inside the year
        if plausible_date(day, years_ahead=PLAN_YEARS_AHEAD):
            raise ScheduleError(
                f"The academic year's date {plausible_date(day, years_ahead=PLAN_YEARS_AHEAD)}"
            )
    years = AcademicYear.objects.filter(program=program)
    if years.filter(name=name).exists():
        raise ScheduleError(f"{program.name} already has an academic year named {name}")
    clash = years.filter(start_date__lte=end_date, end_date__gte=start_date).first()
    if clash is not None:
        raise ScheduleError(f"The dates overlap the academic year {clash.name}")
    year = AcademicYear.objects.create(
        program=program, name=name, start_date=start_date, end_date=end_date
    )
    audit_record(
        actor=acting_user,
        action="academic_year.create",
        target=year,
        after=snapshot(year, ["program", "name", "start_date", "end_date"]),
        program=program,
    )
    return year


@transaction.atomic
def blocks_generate(
    *, academic_year: AcademicYear, acting_user: User | None, count: int = 13, length_days: int = 28
) -> list[Block]:
    """Cut the year into `count` blocks of `length_days` from its first day; the last block
    runs to the year's end (13 four-week blocks leave a day or two over)."""
    if academic_year.blocks.exists():
        raise ScheduleError(f"{academic_year.name} already has blocks")
    if count < 1 or length_days < 1 or (count - 1) * length_days >= _days(academic_year):
        raise ScheduleError(f"{count} blocks of {length_days} days do not fit the year")
    blocks = []
    for i in range(count):
        start = academic_year.start_date + dt.timedelta(days=i * length_days)
        end = (
            academic_year.end_date if i == count - 1 else start + dt.timedelta(days=length_days - 1)
        )
        blocks.append(
            Block(
                academic_year=academic_year,
                name=f"Block {i + 1}",
                start_date=start,
                end_date=end,
                position=i + 1,
            )
        )
    Block.objects.bulk_create(blocks)
    audit_record(
        actor=acting_user,
        action="blocks.generate",
        target=academic_year,
        after={"count": count, "length_days": length_days},
        program=academic_year.program,
    )
    return list(academic_year.blocks.all())


def _days(year: AcademicYear) -> int:
    return (year.end_date - year.start_date).days + 1


@transaction.atomic
def block_create(
    *,
    academic_year: AcademicYear,
    name: str,
    start_date: dt.date,
    end_date: dt.date,
    acting_user: User | None,
) -> Block:
    """A block of any length (for programs not on four-week blocks), inside the year and
    overlapping no other block."""
    if end_date < start_date:
        raise ScheduleError("The block ends before it starts")
    if start_date < academic_year.start_date or end_date > academic_year.end_date:
        raise ScheduleError(f"The block must lie inside {academic_year.name}")
    clash = academic_year.blocks.filter(start_date__lte=end_date, end_date__gte=start_date).first()
    if clash is not None:
        raise ScheduleError(f"The block overlaps {clash.name}")
    block = Block.objects.create(
        academic_year=academic_year,
        name=name.strip() or f"Block {academic_year.blocks.count() + 1}",
        start_date=start_date,
        end_date=end_date,
        position=academic_year.blocks.count() + 1,
    )
    audit_record(
        actor=acting_user,
        action="block.create",
        target=block,
        after=snapshot(block, ["academic_year", "name", "start_date", "end_date"]),
        program=academic_year.program,
    )
    return block


@transaction.atomic
def site_create(
    *, institution: Institution, code: str, name: str, acting_user: User | None
) -> Site:
    code, name = code.strip(), name.strip()
    if not code or not name:
        raise ScheduleError("A site needs a code and a name")
    if Site.objects.filter(institution=institution, code__iexact=code).exists():
        raise ScheduleError(f"{institution.name} already has a site with code {code}")
    site = Site.objects.create(institution=institution, code=code, name=name)
    audit_record(
        actor=acting_user,
        action="site.create",
        target=site,
        after=snapshot(site, ["institution", "code", "name"]),
        institution=institution,
    )
    return site


@transaction.atomic
def rotation_create(
    *,
    program: Program,
    acting_user: User | None,
    activity: Activity | None = None,
    code: str = "",
    title: str = "",
    capacity: int | None = None,
) -> Rotation:
    """Schedule a clinical experience of the curriculum map; without `activity`, create
    the clinical experience too (it then appears on the curriculum map, unmapped)."""
    if capacity is not None and capacity < 1:
        raise ScheduleError("A capacity, when given, is at least 1")
    if activity is None:
        code, title = code.strip(), title.strip()
        if not code or not title:
            raise ScheduleError("A new rotation needs a code and a title")
        if Activity.objects.filter(program=program, code__iexact=code).exists():
            raise ScheduleError(f"{program.name} already has an activity with code {code}")
        last = Activity.objects.filter(program=program).order_by("-position").first()
        activity = Activity.objects.create(
            program=program,
            kind=ActivityKind.CLINICAL_EXPERIENCE,
            code=code,
            title=title,
            position=(last.position + 1) if last else 0,
        )
        audit_record(
            actor=acting_user,
            action="activity.create",
            target=activity,
            after=snapshot(activity, ["program", "kind", "code", "title"]),
            program=program,
        )
    elif activity.program_id != program.pk or activity.kind != ActivityKind.CLINICAL_EXPERIENCE:
        raise ScheduleError(f"{activity} is not a clinical experience of {program.name}")
    elif Rotation.objects.filter(activity=activity).exists():
        raise ScheduleError(f"{activity} is already a rotation")
    rotation = Rotation.objects.create(program=program, activity=activity, capacity=capacity)
    audit_record(
        actor=acting_user,
        action="rotation.create",
        target=rotation,
        after=snapshot(rotation, ["program", "activity", "capacity"]),
        program=program,
    )
    return rotation


# --- assignments ------------------------------------------------------------------------


def _assignment_snapshot(assignment: Assignment) -> dict[str, Any]:
    out = snapshot(assignment, ASSIGNMENT_FIELDS)
    out["supervisors"] = sorted(s.email for s in assignment.supervisors.all())
    return out


@dataclass
class Applied:
    created: list[Assignment] = field(default_factory=list)
    updated: list[Assignment] = field(default_factory=list)
    unchanged: list[Assignment] = field(default_factory=list)


def assignments_apply(
    *,
    program: Program,
    year: AcademicYear,
    drafts: Sequence[Draft],
    acting_user: User | None,
    replacing: Assignment | None = None,
    dry_run: bool = False,
) -> Applied:
    """Check the drafts and, if every one passes, write them all; otherwise write nothing
    and raise `ScheduleConflict` with every problem. A draft identical to a stored
    assignment is left alone ("unchanged"); one differing only in supervisors updates them."""
    with transaction.atomic():
        _lock(program)
        check = assignments_check(program=program, year=year, drafts=drafts, replacing=replacing)
        if not check.ok:
            raise ScheduleConflict(check.problems)
        applied = Applied()
        if dry_run:
            for r in check.resolved:
                getattr(applied, r.outcome).append(r.existing or Assignment())
            return applied
        wrapped: dict[int, Rotation] = {}
        for r in check.resolved:
            _apply_one(r, program, acting_user, wrapped, applied)
        return applied


def _apply_one(
    r: Resolved,
    program: Program,
    acting_user: User | None,
    wrapped: dict[int, Rotation],
    applied: Applied,
) -> None:
    outcome = r.outcome
    if outcome == "unchanged":
        assert r.existing is not None
        applied.unchanged.append(r.existing)
        return
    if outcome == "updated":
        assert r.existing is not None
        before = _assignment_snapshot(r.existing)
        r.existing.supervisors.set(r.supervisors)
        audit_record(
            actor=acting_user,
            action="assignment.update",
            target=r.existing,
            before=before,
            after=_assignment_snapshot(r.existing),
            program=program,
        )
        applied.updated.append(r.existing)
        return
    assert r.site is not None  # a check with problems resolves nothing
    rotation = r.rotation
    if rotation.pk is None:  # a clinical experience scheduled for the first time
        if rotation.activity_id not in wrapped:
            wrapped[rotation.activity_id] = rotation_create(
                program=program, activity=rotation.activity, acting_user=acting_user
            )
        rotation = wrapped[rotation.activity_id]
    assignment = Assignment.objects.create(
        learner=r.learner,
        rotation=rotation,
        site=r.site,
        start_date=r.start_date,
        end_date=r.end_date,
    )
    assignment.supervisors.set(r.supervisors)
    audit_record(
        actor=acting_user,
        action="assignment.create",
        target=assignment,
        after=_assignment_snapshot(assignment),
        program=program,
    )
    applied.created.append(assignment)


def assignment_create(
    *,
    program: Program,
    year: AcademicYear,
    learner: User,
    rotation: Rotation,
    site: Site,
    start_date: dt.date,
    end_date: dt.date,
    supervisors: Sequence[User],
    acting_user: User | None,
) -> Assignment:
    """One assignment, by the same rules as an import; raises `ScheduleConflict`, also when
    an identical assignment already exists."""
    draft = Draft(learner, rotation, site, start_date, end_date, list(supervisors))
    applied = assignments_apply(program=program, year=year, drafts=[draft], acting_user=acting_user)
    if not applied.created:
        raise ScheduleConflict([Problem(None, "", "This assignment already exists")])
    return applied.created[0]


def assignment_update(
    *,
    assignment: Assignment,
    year: AcademicYear,
    learner: User,
    rotation: Rotation,
    site: Site,
    start_date: dt.date,
    end_date: dt.date,
    supervisors: Sequence[User],
    acting_user: User | None,
) -> Assignment:
    """Change an assignment in place, checked as if it were new (less itself)."""
    program = assignment.rotation.program
    draft = Draft(learner, rotation, site, start_date, end_date, list(supervisors))
    with transaction.atomic():
        _lock(program)
        check = assignments_check(program=program, year=year, drafts=[draft], replacing=assignment)
        if not check.ok:
            raise ScheduleConflict(check.problems)
        before = _assignment_snapshot(assignment)
        r = check.resolved[0]
        assert r.site is not None
        assignment.learner, assignment.rotation, assignment.site = r.learner, r.rotation, r.site
        assignment.start_date, assignment.end_date = r.start_date, r.end_date
        try:
            assignment.save()
        except IntegrityError as exc:  # pragma: no cover - the check above already refuses it
            raise ScheduleError(str(exc)) from exc
        assignment.supervisors.set(r.supervisors)
        audit_record(
            actor=acting_user,
            action="assignment.update",
            target=assignment,
            before=before,
            after=_assignment_snapshot(assignment),
            program=program,
        )
    return assignment


@transaction.atomic
def assignment_evidence(assignment: Assignment) -> dict[str, int]:
    """What points at this assignment: how many assessments and requests (the evidence of
    who supervised what). Read through the reverse relations, so this app names neither."""
    return {
        "assessments": assignment.assessments.count(),
        "requests": assignment.requests.count(),
    }


def evidence_words(counts: dict[str, int]) -> str:
    """ "14 assessments and 4 requests" (only the kinds there are)."""
    parts = [f"{n} {k[:-1] if n == 1 else k}" for k, n in counts.items() if n]
    return " and ".join(parts)


def assignment_delete(*, assignment: Assignment, acting_user: User | None) -> None:
    """Remove an assignment nothing points at. One that assessments or requests point at is
    refused (a ScheduleError saying how many): deleting it would silently detach that
    evidence from its rotation and supervisor; shorten or correct the assignment instead."""
    counts = assignment_evidence(assignment)
    if any(counts.values()):
        raise ScheduleError(
            f"{evidence_words(counts).capitalize()} point at this assignment, so it stays: "
            "removing it would detach them from their rotation and supervisor. Change its "
            "dates, rotation or supervisors instead."
        )
    program = assignment.rotation.program
    before = _assignment_snapshot(assignment)
    audit_record(
        actor=acting_user,
        action="assignment.delete",
        target=assignment,
        before=before,
        program=program,
    )
    assignment.delete()
