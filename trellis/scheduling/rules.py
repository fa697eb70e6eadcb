"""The schedule's rules, written once.

`assignments_check` is the one function that decides whether proposed assignments may be
written. The web form passes model instances, the importer and the CLI pass the text of a
file; both come back as the same `Problem`s (row, column, message) and the same resolved
assignments. Nothing here writes. A problem's row is the file row (the header is row 1),
None for the web form or the file as a whole; its column is "" for the whole row.

The rules: the learner is a learner of the program during the dates; the rotation and the
site exist (rotation by code or exact title, site by code or exact name); the start and end
are dates, the end not before the start, both inside the academic year; the learner is not
double-booked (against the database or another proposed row); no rotation goes over its
capacity on any day; every supervisor is faculty of the program.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils import timezone

from trellis.curriculum.models import Activity, ActivityKind
from trellis.lib.importing import Problem
from trellis.people.models import Membership, Program, Role, User
from trellis.scheduling.models import AcademicYear, Assignment, Rotation, Site
from trellis.scheduling.selectors import rotation_reference

# Column names, shared by the file format, the problems and (mapped) the web form.
LEARNER, ROTATION, SITE, START, END, SUPERVISORS = (
    "learner_email",
    "rotation",
    "site",
    "start_date",
    "end_date",
    "supervisors",
)
REQUIRED_COLUMNS = [LEARNER, ROTATION, SITE, START, END]
COLUMNS = [*REQUIRED_COLUMNS, SUPERVISORS]


@dataclass
class Draft:
    """One proposed assignment as given: objects from the web form, text from a file."""

    learner: User | str
    rotation: Rotation | str
    site: Site | str
    start_date: dt.date | str | None
    end_date: dt.date | str | None
    supervisors: Sequence[User | str] = ()
    row: int | None = None


@dataclass
class Resolved:
    """A draft that passed every rule. `rotation` may be unsaved: a clinical experience of
    the curriculum map not yet scheduled, wrapped when the assignment is written. `existing`
    is the assignment already in the database with the same learner, rotation, site and
    dates, if any."""

    row: int | None
    learner: User
    rotation: Rotation
    site: Site | None  # None only while a check has problems
    start_date: dt.date
    end_date: dt.date
    supervisors: list[User]
    existing: Assignment | None = None

    @property
    def outcome(self) -> str:
        if self.existing is None:
            return "created"
        current = {s.pk for s in self.existing.supervisors.all()}
        return "unchanged" if current == {s.pk for s in self.supervisors} else "updated"


@dataclass
class Check:
    problems: list[Problem] = field(default_factory=list)
    resolved: list[Resolved] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def parse_date(value: dt.date | str | None) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat((value or "").strip())
    except ValueError:
        return None


def _key(text: str) -> str:
    return " ".join(text.split()).casefold()


class _Lookups:
    """Everything the rules need, loaded once per check rather than once per row."""

    def __init__(self, program: Program) -> None:
        self.program = program
        self.rotations: dict[str, Rotation] = {}
        rotations = list(Rotation.objects.filter(program=program).select_related("activity"))
        for r in rotations:
            self.rotations.setdefault(_key(r.activity.title), r)
        for r in rotations:  # a code wins over a title that happens to read the same
            if r.activity.code:
                self.rotations[_key(r.activity.code)] = r
        unscheduled = Activity.objects.filter(
            program=program, kind=ActivityKind.CLINICAL_EXPERIENCE, rotation__isnull=True
        )
        for activity in unscheduled:
            for text in (activity.title, activity.code):
                if text and _key(text) not in self.rotations:
                    self.rotations[_key(text)] = Rotation(program=program, activity=activity)
        self.sites: dict[str, Site] = {}
        sites = list(Site.objects.filter(institution_id=program.institution_id))
        for s in sites:
            self.sites.setdefault(_key(s.name), s)
        for s in sites:
            self.sites[_key(s.code)] = s
        self.people: dict[str, User] = {}
        self.periods: dict[tuple[int, str], list[tuple[dt.date, dt.date | None]]] = defaultdict(
            list
        )
        for m in Membership.objects.filter(
            program=program, role__in=[Role.LEARNER, Role.FACULTY]
        ).select_related("person"):
            self.people[m.person.email.casefold()] = m.person
            self.periods[(m.person_id, m.role)].append((m.start_date, m.end_date))

    def person(self, ref: User | str, emails: dict[str, User | None]) -> User | None:
        if isinstance(ref, User):
            return ref
        email = ref.strip().casefold()
        if email in self.people:
            return self.people[email]
        if email not in emails:
            emails[email] = User.objects.filter(email__iexact=email).first()
        return emails[email]

    def holds(self, person: User, role: Role, start: dt.date, end: dt.date) -> bool:
        return any(
            s <= end and (e is None or e >= start)
            for s, e in self.periods.get((person.pk, role), [])
        )


def assignments_check(
    *,
    program: Program,
    year: AcademicYear,
    drafts: Sequence[Draft],
    replacing: Assignment | None = None,
) -> Check:
    """Check proposed assignments for `program` in `year` against every rule, together and
    against the database (less `replacing`, the assignment an edit replaces). Returns every
    problem, or (when there are none) each draft resolved to objects."""
    look = _Lookups(program)
    emails: dict[str, User | None] = {}
    check = Check()
    for draft in drafts:
        resolved = _resolve(draft, look, emails, year, check.problems)
        if resolved is not None:
            check.resolved.append(resolved)
    _match_existing(check.resolved, replacing)
    _double_bookings(check.resolved, replacing, check.problems)
    _capacity(check.resolved, year, replacing, check.problems)
    if check.problems:
        check.problems.sort(
            key=lambda p: (p.row or 0, COLUMNS.index(p.column) if p.column in COLUMNS else 9)
        )
        check.resolved = []
    return check


def _dates(
    draft: Draft, year: AcademicYear, problem: Callable[[str, str], None]
) -> tuple[dt.date | None, dt.date | None]:
    """The draft's start and end, each a date inside the academic year, in order."""
    start, end = parse_date(draft.start_date), parse_date(draft.end_date)
    for column, raw, parsed in ((START, draft.start_date, start), (END, draft.end_date, end)):
        if parsed is None:
            text = "" if raw is None else str(raw).strip()
            problem(
                column, f"'{text}' is not a date (YYYY-MM-DD)" if text else "a date is required"
            )
    if start and end and end < start:
        problem(END, f"ends ({end}) before it starts ({start})")
    for column, day in ((START, start), (END, end)):
        if day and not year.start_date <= day <= year.end_date:
            problem(
                column,
                f"{day} is outside the academic year {year.name} "
                f"({year.start_date} to {year.end_date})",
            )
    return start, end


def _resolve(
    draft: Draft,
    look: _Lookups,
    emails: dict[str, User | None],
    year: AcademicYear,
    problems: list[Problem],
) -> Resolved | None:
    before = len(problems)

    def problem(column: str, message: str) -> None:
        problems.append(Problem(draft.row, column, message))

    start, end = _dates(draft, year, problem)
    # Membership is judged over the assignment's dates when they are sound, else today.
    span = (
        (start, end)
        if start and end and start <= end
        else (timezone.localdate(), timezone.localdate())
    )

    learner = look.person(draft.learner, emails)
    if learner is None:
        problem(
            LEARNER,
            f"no person with e-mail '{str(draft.learner).strip()}'"
            if str(draft.learner).strip()
            else "a learner e-mail is required",
        )
    elif not look.holds(learner, Role.LEARNER, *span):
        problem(LEARNER, f"{learner.email} is not a learner of {look.program.name} on these dates")

    rotation = (
        draft.rotation
        if isinstance(draft.rotation, Rotation)
        else look.rotations.get(_key(draft.rotation))
    )
    if rotation is None:
        problem(
            ROTATION,
            f"no rotation '{str(draft.rotation).strip()}' (by code or exact title)"
            if str(draft.rotation).strip()
            else "a rotation is required",
        )
    elif rotation.program_id != look.program.pk:
        problem(ROTATION, f"{rotation} is not a rotation of {look.program.name}")

    site = draft.site if isinstance(draft.site, Site) else look.sites.get(_key(draft.site))
    if site is None:
        problem(
            SITE,
            f"no site '{str(draft.site).strip()}' (by code or exact name)"
            if str(draft.site).strip()
            else "a site is required",
        )
    elif site.institution_id != look.program.institution_id:
        problem(SITE, f"{site} is not a site of {look.program.institution.name}")

    supervisors: list[User] = []
    for ref in draft.supervisors:
        person = look.person(ref, emails)
        if person is None:
            problem(SUPERVISORS, f"no person with e-mail '{str(ref).strip()}'")
        elif not look.holds(person, Role.FACULTY, *span):
            problem(SUPERVISORS, f"{person.email} is not faculty of {look.program.name}")
        elif person not in supervisors:
            supervisors.append(person)

    core = {p.column for p in problems[before:]} & {LEARNER, ROTATION, START, END}
    if core:
        return None
    assert learner and rotation and start and end  # every None was a problem above
    # A row whose only problems are its site or supervisors still takes part in the
    # double-booking and capacity checks, so that every problem is listed at once.
    return Resolved(draft.row, learner, rotation, site, start, end, supervisors)


def _match_existing(resolved: list[Resolved], replacing: Assignment | None) -> None:
    learners = {r.learner.pk for r in resolved}
    if not learners:
        return
    existing = Assignment.objects.filter(learner_id__in=learners).prefetch_related("supervisors")
    if replacing is not None:
        existing = existing.exclude(pk=replacing.pk)
    index = {
        (a.learner_id, a.rotation_id, a.site_id, a.start_date, a.end_date): a for a in existing
    }
    claimed: set[int] = set()
    for r in resolved:
        if r.rotation.pk is None or r.site is None:
            continue
        match = index.get((r.learner.pk, r.rotation.pk, r.site.pk, r.start_date, r.end_date))
        if match is not None and match.pk not in claimed:
            r.existing = match
            claimed.add(match.pk)


def _describe(rotation: Rotation, start: dt.date, end: dt.date) -> str:
    return f"{rotation.activity.title} ({rotation_reference(rotation)}) {start} to {end}"


def _double_bookings(
    resolved: list[Resolved], replacing: Assignment | None, problems: list[Problem]
) -> None:
    by_learner: dict[int, list[Resolved]] = defaultdict(list)
    for r in resolved:
        by_learner[r.learner.pk].append(r)
    if not by_learner:
        return
    lo = min(r.start_date for r in resolved)
    hi = max(r.end_date for r in resolved)
    stored = Assignment.objects.filter(
        learner_id__in=by_learner, start_date__lte=hi, end_date__gte=lo
    ).select_related("rotation__activity")
    if replacing is not None:
        stored = stored.exclude(pk=replacing.pk)
    for a in stored:
        for r in by_learner[a.learner_id]:
            if r.existing is not None and r.existing.pk == a.pk:
                continue
            if a.start_date <= r.end_date and a.end_date >= r.start_date:
                problems.append(
                    Problem(
                        r.row,
                        START,
                        f"{r.learner.email} is already on "
                        f"{_describe(a.rotation, a.start_date, a.end_date)}",
                    )
                )
    for rows in by_learner.values():
        for i, later in enumerate(rows):
            for earlier in rows[:i]:
                if earlier.start_date <= later.end_date and earlier.end_date >= later.start_date:
                    where = (
                        f"row {earlier.row}" if earlier.row is not None else "another assignment"
                    )
                    what = _describe(earlier.rotation, earlier.start_date, earlier.end_date)
                    problems.append(
                        Problem(
                            later.row,
                            START,
                            f"{later.learner.email} is double-booked: overlaps {where} ({what})",
                        )
                    )


def _capacity(
    resolved: list[Resolved],
    year: AcademicYear,
    replacing: Assignment | None,
    problems: list[Problem],
) -> None:
    """Count learners per rotation per day: what is stored plus what is new."""
    new_by_rotation: dict[int, list[Resolved]] = defaultdict(list)
    for r in resolved:
        if r.existing is None and r.rotation.pk is not None and r.rotation.capacity is not None:
            new_by_rotation[r.rotation.pk].append(r)
    if not new_by_rotation:
        return
    stored = Assignment.objects.filter(
        Q(rotation_id__in=new_by_rotation),
        start_date__lte=year.end_date,
        end_date__gte=year.start_date,
    )
    if replacing is not None:
        stored = stored.exclude(pk=replacing.pk)
    counts: dict[int, dict[dt.date, int]] = defaultdict(lambda: defaultdict(int))
    spans = [(a.rotation_id, a.start_date, a.end_date) for a in stored]
    spans += [(pk, r.start_date, r.end_date) for pk, rows in new_by_rotation.items() for r in rows]
    for pk, start, end in spans:
        day = max(start, year.start_date)
        while day <= min(end, year.end_date):
            counts[pk][day] += 1
            day += dt.timedelta(days=1)
    for pk, rows in new_by_rotation.items():
        for r in rows:
            capacity = r.rotation.capacity or 0
            day = r.start_date
            while day <= r.end_date:
                if counts[pk][day] > capacity:
                    problems.append(
                        Problem(
                            r.row,
                            ROTATION,
                            f"{r.rotation.activity.title} would have "
                            f"{counts[pk][day]} learners on {day}; its capacity is {capacity}",
                        )
                    )
                    break
                day += dt.timedelta(days=1)
