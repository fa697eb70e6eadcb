"""Reads for the Clinician Educator Milestones practice.

Everything here is about one educator's own data, or (office_*) about anonymous
aggregates of data that educators shared with an office. Who may call what is decided
in access.py; these functions never widen what their arguments allow."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import QuerySet

from trellis.assessments.evaluations import (
    evaluation_periods,
    evaluation_results,
    teacher_programs,
)
from trellis.assessments.models import Assessment, AssessmentStatus, AssessorRole, FormKind
from trellis.frameworks.crosswalk import framework_now, items_through
from trellis.frameworks.level_picker import LEVELS as LEVELS  # the educators' views read sel.*
from trellis.frameworks.level_picker import descriptor_rows as descriptor_rows
from trellis.frameworks.level_picker import rows_chosen as rows_chosen
from trellis.frameworks.models import Framework, Item, ItemKind
from trellis.people.models import Program, ProgramKind, Role, User
from trellis.people.selectors import memberships_current
from trellis.plans.models import Plan

CEM_SLUG = "clinician-educator-milestones"
PEER_FORM_SLUG = "cem-peer-observation"
SELF_FORM_SLUG = "self-assessment"
# The office sees a group only when at least this many educators shared with it.
OFFICE_MINIMUM = 5
HALF_LEVELS = (Decimal("1.5"), Decimal("2.5"), Decimal("3.5"), Decimal("4.5"))


def cem_framework(*, program: Program | None = None) -> Framework | None:
    """The Clinician Educator Milestones: the catalogue's, or, for a faculty-development
    program that moved to another version through a crosswalk (the published 2022
    milestones, imported), that version."""
    catalogue = Framework.objects.filter(slug=CEM_SLUG).first()
    if program is None or catalogue is None:
        return catalogue
    return framework_now(program=program, framework=catalogue)


def cem_subcompetencies(*, program: Program | None = None) -> list[Item]:
    framework = cem_framework(program=program)
    return list(
        Item.objects.filter(framework=framework, kind=ItemKind.SUBCOMPETENCY)
        .select_related("parent")
        .order_by("position", "id")
    )


def educator_programs(*, person: User) -> list[Program]:
    """The faculty-development programs in which `person` practises (educator or lead)."""
    ms = memberships_current(person=person).filter(
        program__kind=ProgramKind.FACULTY_DEVELOPMENT, role__in=[Role.EDUCATOR, Role.FD_LEAD]
    )
    return [m.program for m in ms.select_related("program__institution") if m.program]


def self_assessments(*, person: User) -> QuerySet[Assessment]:
    """The person's own CEM self-assessments (any version), oldest first."""
    return (
        Assessment.objects.filter(
            subject=person,
            assessor=person,
            assessor_role=AssessorRole.SELF,
            form_version__form__kind=FormKind.SELF,
            status=AssessmentStatus.SUBMITTED,
            ratings__item__framework__developmental=True,
        )
        .distinct()
        .order_by("observed_on", "submitted_at", "id")
        .prefetch_related("ratings")
    )


def peer_assessments(*, person: User) -> QuerySet[Assessment]:
    return (
        Assessment.objects.filter(
            subject=person,
            form_version__form__slug=PEER_FORM_SLUG,
            status=AssessmentStatus.SUBMITTED,
        )
        .select_related("assessor")
        .prefetch_related("ratings__item", "comments")
        .order_by("-observed_on", "-id")
    )


@dataclass
class Trajectory:
    dates: list[str]
    # (subcompetency, level per date, where levels on an earlier version came from)
    rows: list[tuple[Item, list[Decimal | None], list[str]]]

    @property
    def latest(self) -> dict[int, Decimal]:
        out: dict[int, Decimal] = {}
        for item, levels, _ in self.rows:
            for level in levels:
                if level is not None:
                    out[item.pk] = level
        return out


def trajectory(
    *, person: User, items: list[Item], last: int = 8, program: Program | None = None
) -> Trajectory:
    """Rows: subcompetencies; columns: the `last` self-assessments, oldest first. Where
    `program` moved to a new version of the milestones, a self-assessment made on the
    earlier version shows under the items it became (`frameworks.crosswalk`); the rating
    keeps its item."""
    done = list(self_assessments(person=person))[-last:]
    carried = items_through(program=program) if program is not None else {}
    levels: dict[tuple[int, int], Decimal | None] = {}
    origins: dict[int, list[str]] = defaultdict(list)
    for a in done:
        for r in a.ratings.all():
            if r.not_observed:
                continue
            origin = carried.get(r.item_id)
            for shown in origin.to if origin is not None else (r.item_id,):
                levels.setdefault((a.pk, shown), r.level)
                if origin is not None and origin.label not in origins[shown]:
                    origins[shown].append(origin.label)
    return Trajectory(
        dates=[a.observed_on.isoformat() for a in done],
        rows=[(i, [levels.get((a.pk, i.pk)) for a in done], origins.get(i.pk, [])) for i in items],
    )


def latest_levels(*, people: list[int], items: list[Item]) -> dict[int, dict[int, Decimal]]:
    """person id -> item id -> the level of that person's latest self-assessment of it."""
    out: dict[int, dict[int, Decimal]] = defaultdict(dict)
    rows = (
        Assessment.objects.filter(
            subject_id__in=people,
            assessor_id__in=people,
            assessor_role=AssessorRole.SELF,
            status=AssessmentStatus.SUBMITTED,
            ratings__item__in=items,
            ratings__not_observed=False,
        )
        .order_by("observed_on", "submitted_at", "id")
        .values_list("subject_id", "assessor_id", "ratings__item_id", "ratings__level")
    )
    for subject, assessor, item, level in rows:
        if subject == assessor and level is not None:
            out[subject][item] = Decimal(level)
    return out


@dataclass
class EvaluationMean:
    form_title: str  # where and when: "Internal Medicine Residency, 2025-2026"
    mean: Decimal
    count: int


def teaching_by_item(*, person: User) -> tuple[dict[int, list[EvaluationMean]], int]:
    """Learners' anonymous evaluations of `person`, per CEM subcompetency, read as program
    evaluation reads them (`assessments.evaluations`: by academic year, a year shown from
    three responses and an item from three ratings), never across years, so no figure here
    and there leaves a smaller group's by subtraction; and how many responses are held
    back."""
    out: dict[int, list[EvaluationMean]] = defaultdict(list)
    held = 0
    for program in teacher_programs(teacher=person):
        for period in evaluation_periods(program=program):
            results = evaluation_results(
                program=program, kind=FormKind.TEACHING, period=period, only=person.pk
            )
            for group in results.groups:
                if not group.released:
                    held += group.responses
                    continue
                for result in group.items:
                    if result.mean is not None and result.item.framework.slug == CEM_SLUG:
                        where = f"{program.name}, {period.label}"
                        out[result.item.pk].append(
                            EvaluationMean(where, result.mean, result.ratings)
                        )
    return dict(out), held


@dataclass
class ItemDistribution:
    item: Item
    counts: list[int]  # whole levels 1..5 (a half level counts at the level below)
    rated: int
    shown: bool


@dataclass
class GroupRow:
    label: str
    size: int
    shown: bool
    means: list[Decimal | None] = field(default_factory=list)
    withheld: int = 0  # cells hidden only so that a smaller group cannot be derived


def _suppressed(rated: list[int], minimum: int) -> set[int]:
    """Which of a partition's groups to hide for one item, given how many in each rated it,
    when the whole (the institution's mean and distribution) is shown: each group under
    `minimum`, and then, while the hidden groups together are still under it, the
    smallest shown group too. What subtraction from the whole recovers is then only ever
    the hidden groups together, at least `minimum` people, or nothing (complementary
    suppression)."""
    hidden = {i for i, n in enumerate(rated) if 0 < n < minimum}
    shown = sorted((n, i) for i, n in enumerate(rated) if n >= minimum)
    while hidden and sum(rated[i] for i in hidden) < minimum and shown:
        hidden.add(shown.pop(0)[1])
    return hidden


def _group_rows(
    office: Program,
    sharers: list[User],
    items: list[Item],
    latest: dict[int, dict[int, Decimal]],
    minimum: int,
) -> list[GroupRow]:
    """Each department's mean latest level per item, and the institution's, with no group
    under `minimum` shown or derivable from the others by subtraction."""
    by_dept: dict[str, list[User]] = defaultdict(list)
    for p in sharers:
        by_dept[p.department.name if p.department else "No department"].append(p)
    departments = sorted(by_dept.items())
    rows = [
        GroupRow(label, len(members), len(members) >= minimum) for label, members in departments
    ]
    for item in items:
        values = [
            [latest[p.pk][item.pk] for p in members if item.pk in latest[p.pk]]
            for _, members in departments
        ]
        hidden = _suppressed([len(v) for v in values], minimum)
        for i, (row, vals) in enumerate(zip(rows, values, strict=True)):
            if not row.shown:
                continue
            row.means.append(None if i in hidden else _mean(vals))
            row.withheld += i in hidden and len(vals) >= minimum
    whole = GroupRow(f"Institution ({office.institution})", len(sharers), True)
    for item in items:
        vals = [latest[p.pk][item.pk] for p in sharers if item.pk in latest[p.pk]]
        whole.means.append(_mean(vals) if len(vals) >= minimum else None)
    return [*rows, whole]


@dataclass
class OfficeView:
    office: Program
    sharers: int
    shown: bool
    minimum: int
    items: list[Item]
    distributions: list[ItemDistribution]
    groups: list[GroupRow]
    not_offered: list[Item]


def _mean(values: list[Decimal]) -> Decimal | None:
    if not values:
        return None
    return (sum(values, Decimal(0)) / len(values)).quantize(Decimal("0.1"))


def office_view(*, office: Program, minimum: int = OFFICE_MINIMUM) -> OfficeView:
    """Where the faculty stands, from self-assessments shared with `office` only, in groups
    of at least `minimum` sharers; and which subcompetencies no offering addresses."""
    from trellis.curriculum.selectors import curriculum_gaps
    from trellis.plans.models import ShareScope
    from trellis.plans.selectors import office_sharers

    items = cem_subcompetencies()
    sharers = list(
        office_sharers(office=office, scope=ShareScope.SELF_ASSESSMENTS).select_related(
            "department"
        )
    )
    shown = len(sharers) >= minimum
    distributions: list[ItemDistribution] = []
    groups: list[GroupRow] = []
    if shown:
        latest = latest_levels(people=[p.pk for p in sharers], items=items)
        for item in items:
            levels = [latest[p.pk][item.pk] for p in sharers if item.pk in latest[p.pk]]
            counts = Counter(min(5, max(1, int(v))) for v in levels)
            distributions.append(
                ItemDistribution(
                    item, [counts[n] for n in LEVELS], len(levels), len(levels) >= minimum
                )
            )
        groups = _group_rows(office, sharers, items, latest, minimum)
    framework = cem_framework()
    not_offered: list[Item] = []
    if framework is not None:
        gaps = curriculum_gaps(program=office, framework=framework)
        not_offered = [c.item for c in gaps.not_mapped if c.item.kind == ItemKind.SUBCOMPETENCY]
    return OfficeView(
        office=office,
        sharers=len(sharers),
        shown=shown,
        minimum=minimum,
        items=items,
        distributions=distributions,
        groups=groups,
        not_offered=not_offered,
    )


@dataclass
class Progress:
    """What a portfolio shows of one educator; each part only when `scopes` allow it."""

    person: User
    items: list[Item]
    trajectory: Trajectory | None
    peer: list[Assessment]
    plans: Sequence[Plan]
    teaching: dict[int, list[EvaluationMean]]
    teaching_held: int


def progress(*, person: User, scopes: frozenset[str] | set[str], plans: Sequence[Plan]) -> Progress:
    """`scopes`: ShareScope values the viewer may see ("teaching" only for the owner)."""
    programs = educator_programs(person=person)
    program = programs[0] if programs else None
    items = cem_subcompetencies(program=program)
    teaching: dict[int, list[EvaluationMean]] = {}
    held = 0
    if "teaching" in scopes:
        teaching, held = teaching_by_item(person=person)
    return Progress(
        person=person,
        items=items,
        trajectory=(
            trajectory(person=person, items=items, program=program)
            if "self_assessments" in scopes
            else None
        ),
        peer=list(peer_assessments(person=person)) if "peer_assessments" in scopes else [],
        plans=plans,
        teaching=teaching,
        teaching_held=held,
    )
