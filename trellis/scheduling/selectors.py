"""Reads about the clinical schedule.

The first four functions are the schedule's public surface for other apps (assessments
ask who supervised whom on a day; the curriculum asks what a rotation is expected to
assess). The rest feed this app's pages, the importer and the export.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from trellis.curriculum.models import Emphasis
from trellis.frameworks.models import Framework, Item
from trellis.people.models import Membership, Program, Role, User
from trellis.people.selectors import learners_of, memberships_in_force
from trellis.scheduling.models import AcademicYear, Assignment, Block, Rotation

# How many distinct rotation colours the stylesheet defines (.rot-c0 ... .rot-c15).
ROTATION_COLOURS = 16


def _placed() -> QuerySet[Assignment]:
    """Assignments with their learner, rotation and site."""
    return Assignment.objects.select_related(
        "learner", "rotation__activity", "rotation__program", "site"
    )


def _assignments() -> QuerySet[Assignment]:
    """Assignments with their learner, rotation, site and supervisors."""
    return _placed().prefetch_related(
        Prefetch("supervisors", queryset=User.objects.order_by("last_name"))
    )


def learner_rotation_on(*, learner: User, day: dt.date) -> Assignment | None:
    """Where the learner is scheduled on `day`, with rotation, site and supervisors loaded;
    None when unassigned. The conflict rules forbid overlaps, so there is at most one."""
    return _assignments().filter(learner=learner, start_date__lte=day, end_date__gte=day).first()


def supervised_learners_on(*, faculty: User, day: dt.date) -> list[Assignment]:
    """The assignments on which `faculty` is a named supervisor on `day`, ordered by learner
    name: whom they supervise today, on which rotation, at which site, until when (their
    supervisors are not loaded: the faculty member asking is one)."""
    return list(
        _placed()
        .filter(supervisors=faculty, start_date__lte=day, end_date__gte=day)
        .order_by("learner__last_name", "learner__first_name", "start_date")
    )


def rotation_expected_items(
    *, rotation: Rotation, framework: Framework | None = None
) -> QuerySet[Item]:
    """Framework items the curriculum map says this rotation assesses (emphasis A on its
    activity or on one of its objectives), optionally limited to one framework."""
    qs = Item.objects.filter(
        mappings__activity_id=rotation.activity_id, mappings__emphasis=Emphasis.ASSESSED
    )
    if framework is not None:
        qs = qs.filter(framework=framework)
    return qs.distinct().order_by("framework_id", "position", "code")


def supervision_in_force(*, today: dt.date | None = None) -> Q:
    """A filter on Assignment: the ones whose supervisors may read and rate their learner
    today: from the first day until settings.SUPERVISION_ACCESS_DAYS after the last. An
    assignment that has not started yet grants nothing; one long over, nothing either."""
    today = today or timezone.localdate()
    after = dt.timedelta(days=getattr(settings, "SUPERVISION_ACCESS_DAYS", 28))
    return Q(start_date__lte=today, end_date__gte=today - after)


def supervises(
    *, faculty: User, learner: User, day: dt.date | None = None, program: Program | None = None
) -> bool:
    """Whether `faculty` is a named supervisor of `learner` on `day`, or (when `day` is None)
    on an assignment in force today (`supervision_in_force`), optionally only on
    `program`'s rotations."""
    qs = Assignment.objects.filter(learner=learner, supervisors=faculty)
    if day is not None:
        qs = qs.filter(start_date__lte=day, end_date__gte=day)
    else:
        qs = qs.filter(supervision_in_force())
    if program is not None:
        qs = qs.filter(rotation__program=program)
    return qs.exists()


def supervised_learners_upcoming(
    *, faculty: User, day: dt.date, days: int = 28
) -> list[Assignment]:
    """Assignments starting after `day` and within `days` on which `faculty` supervises."""
    return list(
        _assignments()
        .filter(
            supervisors=faculty,
            start_date__gt=day,
            start_date__lte=day + dt.timedelta(days=days),
        )
        .order_by("start_date", "learner__last_name")
    )


# --- years and blocks -------------------------------------------------------------------


def academic_year_pick(
    *, program: Program, name: str | None = None, day: dt.date | None = None
) -> AcademicYear | None:
    """The named year; else the year containing `day` (today); else the next one to start;
    else the latest. None when the program has no year (or no year of that name)."""
    years = AcademicYear.objects.filter(program=program)
    if name:
        return years.filter(name=name).first()
    day = day or timezone.localdate()
    return (
        years.filter(start_date__lte=day, end_date__gte=day).first()
        or years.filter(start_date__gt=day).order_by("start_date").first()
        or years.order_by("-start_date").first()
    )


def year_blocks(*, year: AcademicYear) -> list[Block]:
    return list(year.blocks.order_by("start_date", "position"))


# --- who is a learner, who is faculty ---------------------------------------------------


def learner_memberships(*, program: Program, start: dt.date, end: dt.date) -> QuerySet[Membership]:
    return learners_of(program=program, on=start, until=end)


def faculty_ids(*, program: Program, on: dt.date | None = None) -> set[int]:
    return set(
        memberships_in_force(on=on, program=program, role=Role.FACULTY).values_list(
            "person_id", flat=True
        )
    )


def program_faculty(*, program: Program) -> QuerySet[User]:
    return User.objects.filter(pk__in=faculty_ids(program=program)).order_by(
        "last_name", "first_name"
    )


@dataclass(frozen=True)
class YearLearner:
    learner: User
    training_year: int | None


def year_learners(*, year: AcademicYear) -> list[YearLearner]:
    """Learners of the program at some point in the year, by training year then name."""
    latest: dict[int, Membership] = {}
    for m in (
        learner_memberships(program=year.program, start=year.start_date, end=year.end_date)
        .select_related("person")
        .order_by("start_date")
    ):
        latest[m.person_id] = m
    rows = [YearLearner(m.person, m.training_year) for m in latest.values()]
    rows.sort(key=lambda r: (r.training_year or 99, r.learner.last_name, r.learner.first_name))
    return rows


# --- grids ------------------------------------------------------------------------------


def rotation_colours(*, program: Program) -> dict[int, int]:
    """A stable colour index per rotation of the program (rotation id -> 0..15)."""
    ids = Rotation.objects.filter(program=program).values_list("pk", flat=True)
    return {pk: i % ROTATION_COLOURS for i, pk in enumerate(ids)}


@dataclass
class BlockCell:
    block: Block
    assignments: list[Assignment] = field(default_factory=list)


def _overlaps(a: Assignment, block: Block) -> bool:
    return a.start_date <= block.end_date and a.end_date >= block.start_date


def _cells(blocks: list[Block], assignments: Iterable[Assignment]) -> list[BlockCell]:
    cells = [BlockCell(block=b) for b in blocks]
    for a in assignments:
        for cell in cells:
            if _overlaps(a, cell.block):
                cell.assignments.append(a)
    return cells


def year_assignments(*, year: AcademicYear) -> QuerySet[Assignment]:
    return _assignments().filter(
        rotation__program=year.program, start_date__lte=year.end_date, end_date__gte=year.start_date
    )


def learner_year(*, learner: User, year: AcademicYear) -> list[BlockCell]:
    """The learner's year at a glance: each block with the assignments that touch it."""
    return _cells(year_blocks(year=year), year_assignments(year=year).filter(learner=learner))


def learner_year_assignments(*, learner: User, year: AcademicYear) -> list[Assignment]:
    return list(year_assignments(year=year).filter(learner=learner).order_by("start_date"))


@dataclass
class GridRow:
    learner: User
    training_year: int | None
    cells: list[BlockCell]


@dataclass
class ProgramGrid:
    blocks: list[Block]
    rows: list[GridRow]


def program_grid(*, year: AcademicYear) -> ProgramGrid:
    """Learners x blocks for the whole program, in three queries however many learners."""
    blocks = year_blocks(year=year)
    by_learner: dict[int, list[Assignment]] = defaultdict(list)
    for a in year_assignments(year=year):
        by_learner[a.learner_id].append(a)
    rows = [
        GridRow(yl.learner, yl.training_year, _cells(blocks, by_learner.get(yl.learner.pk, [])))
        for yl in year_learners(year=year)
    ]
    return ProgramGrid(blocks=blocks, rows=rows)


def rotation_roster(*, rotation: Rotation, year: AcademicYear) -> list[BlockCell]:
    """Who is on the rotation in each block of the year."""
    assignments = (
        year_assignments(year=year)
        .filter(rotation=rotation)
        .order_by("start_date", "learner__last_name")
    )
    return _cells(year_blocks(year=year), assignments)


# --- unassigned weeks -------------------------------------------------------------------


@dataclass(frozen=True)
class WeekRange:
    first: int
    last: int
    start: dt.date
    end: dt.date

    @property
    def count(self) -> int:
        return self.last - self.first + 1


@dataclass(frozen=True)
class UnassignedWeeks:
    learner: User
    ranges: list[WeekRange]

    @property
    def weeks(self) -> int:
        return sum(r.count for r in self.ranges)


def _week_bounds(year: AcademicYear, week: int) -> tuple[dt.date, dt.date]:
    start = year.start_date + dt.timedelta(days=7 * (week - 1))
    return start, min(start + dt.timedelta(days=6), year.end_date)


def unassigned_weeks(
    *, year: AcademicYear, learners: Iterable[User] | None = None
) -> list[UnassignedWeeks]:
    """For each learner (default: every learner of the year) the weeks of the year, counted
    in sevens from its first day, on which they have no assignment at all. A warning for the
    coordinator, not a rule: vacation and research time may be deliberately left blank."""
    people = (
        list(learners) if learners is not None else [yl.learner for yl in year_learners(year=year)]
    )
    spans: dict[int, list[tuple[dt.date, dt.date]]] = defaultdict(list)
    for start, end, learner_id in (
        year_assignments(year=year)
        .filter(learner__in=people)
        .values_list("start_date", "end_date", "learner_id")
    ):
        spans[learner_id].append((start, end))
    total = ((year.end_date - year.start_date).days // 7) + 1
    report: list[UnassignedWeeks] = []
    for person in people:
        empty = [
            week
            for week in range(1, total + 1)
            if not any(
                s <= _week_bounds(year, week)[1] and e >= _week_bounds(year, week)[0]
                for s, e in spans.get(person.pk, [])
            )
        ]
        if empty:
            report.append(UnassignedWeeks(person, _ranges(year, empty)))
    return report


def _ranges(year: AcademicYear, weeks: list[int]) -> list[WeekRange]:
    out: list[WeekRange] = []
    first = prev = weeks[0]
    for week in [*weeks[1:], None]:
        if week is not None and week == prev + 1:
            prev = week
            continue
        out.append(
            WeekRange(first, prev, _week_bounds(year, first)[0], _week_bounds(year, prev)[1])
        )
        if week is not None:
            first = prev = week
    return out


# --- export -----------------------------------------------------------------------------

EXPORT_COLUMNS = ["learner_email", "rotation", "site", "start_date", "end_date", "supervisors"]


def rotation_reference(rotation: Rotation) -> str:
    return rotation.activity.code or rotation.activity.title


def export_rows(*, year: AcademicYear) -> list[list[str]]:
    """The year's assignments in the import layout (header first), so an export imports
    back as unchanged."""
    rows = [EXPORT_COLUMNS]
    for a in year_assignments(year=year).order_by("learner__email", "start_date"):
        rows.append(
            [
                a.learner.email,
                rotation_reference(a.rotation),
                a.site.code or a.site.name,
                a.start_date.isoformat(),
                a.end_date.isoformat(),
                ";".join(sorted(s.email for s in a.supervisors.all())),
            ]
        )
    return rows
