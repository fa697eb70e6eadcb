"""The home and program pages' read side: one panel per role a person holds in each
current membership, and a program's members by role. A director's or coordinator's panel
leads with what needs doing there, a faculty member's with their day (`attention`).

This composes people with the frameworks their programs adopted (and the panels link to
every app), so it lives on the read side rather than in `people`. The number of queries
does not grow with the number of memberships or programs, except by a fixed number for
each program one directs or coordinates (its attention list); never with learners,
requests or events.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count
from django.utils import timezone

from trellis.committees.models import Review
from trellis.frameworks.browse import AdoptionSummary, YearLevel, adoption_summaries
from trellis.frameworks.models import Framework
from trellis.frameworks.selectors import frameworks_visible
from trellis.people.display import training_year_label
from trellis.people.models import Membership, Program, Role, User
from trellis.people.selectors import memberships_current, memberships_in_force
from trellis.records.attention import (
    FacultyDay,
    ProgramAttention,
    faculty_day,
    pre_reviews_by_program,
    program_attention,
)

# The order panels appear in: the widest responsibility first, one's own training last.
ROLE_ORDER = [
    Role.ADMIN,
    Role.DIRECTOR,
    Role.COORDINATOR,
    Role.FD_LEAD,
    Role.COMMITTEE,
    Role.FACULTY,
    Role.EDUCATOR,
    Role.LEARNER,
]


@dataclass
class RoleCount:
    role: Role
    count: int


@dataclass
class YearCount:
    year: int | None
    label: str
    count: int


@dataclass
class ProgramFacts:
    """Who is in a program today, counted once per person."""

    program: Program
    people: int = 0
    by_role: list[RoleCount] = field(default_factory=list)
    learners_by_year: list[YearCount] = field(default_factory=list)

    @property
    def learners(self) -> int:
        return sum(y.count for y in self.learners_by_year)


@dataclass
class Panel:
    role: Role
    membership: Membership
    program: Program | None
    facts: ProgramFacts | None = None
    adoptions: list[AdoptionSummary] = field(default_factory=list)
    own_level: list[tuple[AdoptionSummary, YearLevel | None]] = field(default_factory=list)
    learners: list[tuple[str, list[Membership]]] = field(default_factory=list)
    pre_reviews: list[Review] = field(default_factory=list)  # a committee member's
    frameworks: list[Framework] = field(default_factory=list)
    programs: list[ProgramFacts] = field(default_factory=list)
    attention: ProgramAttention | None = None  # directors and coordinators
    day: FacultyDay | None = None  # faculty

    @property
    def template(self) -> str:
        return f"records/panels/{self.role.value}.html"

    @property
    def year_label(self) -> str:
        if self.program is None:
            return ""
        return training_year_label(self.program, self.membership.training_year)


def program_facts(*, programs: list[Program], on: dt.date | None = None) -> dict[int, ProgramFacts]:
    """Member counts by role and learners by training year, for many programs in two queries."""
    day = on or timezone.localdate()
    facts = {p.pk: ProgramFacts(program=p) for p in programs}
    if not facts:
        return facts
    current = memberships_in_force(on=day).filter(program_id__in=facts)
    groups = current.values("program_id", "role", "training_year").annotate(
        n=Count("person_id", distinct=True)
    )
    role_totals: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for row in groups.order_by():
        pid = row["program_id"]
        if row["role"] == Role.LEARNER:
            facts[pid].learners_by_year.append(
                YearCount(
                    year=row["training_year"],
                    label=training_year_label(facts[pid].program, row["training_year"]),
                    count=row["n"],
                )
            )
        role_totals[pid][row["role"]] += row["n"]
    people = current.values("program_id").annotate(n=Count("person_id", distinct=True))
    for pid, n in people.order_by().values_list("program_id", "n"):
        facts[pid].people = n
    for pid, totals in role_totals.items():
        facts[pid].by_role = [RoleCount(role=r, count=totals[r]) for r in Role if totals.get(r)]
        facts[pid].learners_by_year.sort(key=lambda y: (y.year is None, y.year or 0))
    return facts


def home_panels(*, user: User) -> list[Panel]:
    """The panels of the home page, in ROLE_ORDER then program name."""
    day = timezone.localdate()
    memberships = sorted(
        memberships_current(person=user, on=day),
        key=lambda m: (ROLE_ORDER.index(Role(m.role)), m.program.name if m.program else ""),
    )
    roles = {Role(m.role) for m in memberships}
    admin_institutions = [m.institution_id for m in memberships if m.role == Role.ADMIN]
    institution_programs: list[Program] = (
        list(
            Program.objects.filter(institution_id__in=admin_institutions).select_related(
                "institution"
            )
        )
        if admin_institutions
        else []
    )
    programs = {m.program.pk: m.program for m in memberships if m.program is not None}
    programs.update({p.pk: p for p in institution_programs if p.pk not in programs})
    facts = program_facts(programs=list(programs.values()), on=day)
    adoptions = adoption_summaries(programs=[m.program for m in memberships if m.program])
    committee_programs = [
        m.program_id for m in memberships if m.role == Role.COMMITTEE and m.program_id
    ]
    learners = _learners_by_program(committee_programs, day)
    pre_reviews = pre_reviews_by_program(member=user, program_ids=committee_programs)
    developmental: list[Framework] = (
        list(frameworks_visible(user=user).filter(developmental=True).order_by("title"))
        if roles & {Role.EDUCATOR, Role.FD_LEAD}
        else []
    )

    panels = []
    attention: dict[int, ProgramAttention] = {}  # one per program, however many roles
    for m in memberships:
        role = Role(m.role)
        panel = Panel(role=role, membership=m, program=m.program)
        if m.program is not None:
            panel.facts = facts.get(m.program.pk)
            panel.adoptions = adoptions.get(m.program.pk, [])
        if role == Role.LEARNER:
            panel.own_level = [(a, a.level_for(m.training_year)) for a in panel.adoptions]
        elif role in (Role.DIRECTOR, Role.COORDINATOR) and m.program is not None:
            panel.attention = attention.get(m.program.pk) or program_attention(program=m.program)
            attention[m.program.pk] = panel.attention
        elif role == Role.FACULTY and m.program is not None:
            panel.day = faculty_day(faculty=user, program=m.program, day=day)
        elif role == Role.COMMITTEE and m.program is not None:
            panel.learners = _group_by_year(m.program, learners.get(m.program.pk, []))
            panel.pre_reviews = pre_reviews.get(m.program.pk, [])
        elif role in (Role.EDUCATOR, Role.FD_LEAD):
            panel.frameworks = developmental
        elif role == Role.ADMIN:
            panel.programs = [
                facts[p.pk] for p in institution_programs if p.institution_id == m.institution_id
            ]
        panels.append(panel)
    return panels


def _learners_by_program(program_ids: list[int], day: dt.date) -> dict[int, list[Membership]]:
    out: dict[int, list[Membership]] = defaultdict(list)
    if not program_ids:
        return out
    rows = (
        memberships_in_force(on=day, role=Role.LEARNER)
        .filter(program_id__in=program_ids)
        .select_related("person")
        .order_by("training_year", "person__last_name", "person__first_name")
    )
    for row in rows:
        out[row.program_id].append(row)  # type: ignore[index]
    return out


def _group_by_year(program: Program, rows: list[Membership]) -> list[tuple[str, list[Membership]]]:
    groups: dict[int | None, list[Membership]] = defaultdict(list)
    for row in rows:
        groups[row.training_year].append(row)
    return [
        (training_year_label(program, year), groups[year])
        for year in sorted(groups, key=lambda y: (y is None, y or 0))
    ]


@dataclass
class RoleGroup:
    role: Role
    years: list[tuple[str, list[Membership]]]

    @property
    def count(self) -> int:
        return sum(len(rows) for _, rows in self.years)


def members_by_role(*, program: Program, memberships: list[Membership]) -> list[RoleGroup]:
    """A program's members grouped by role (in ROLE_ORDER), learners also by training year."""
    by_role: dict[Role, list[Membership]] = defaultdict(list)
    for m in memberships:
        by_role[Role(m.role)].append(m)
    groups = []
    for role in reversed(ROLE_ORDER):  # learners first: they are what a program is for
        rows = by_role.get(role)
        if not rows:
            continue
        years = _group_by_year(program, rows) if role == Role.LEARNER else [("", rows)]
        groups.append(RoleGroup(role=role, years=years))
    return groups
