"""The accreditation evidence package: for every competency item a program adopts, where
it is taught, how it is assessed, what learners reached and the committee decisions that
rest on it, each row linking back to its evidence in Trellis; with the Annual Program
Evaluation tables (completion of evaluation requests, rotation and teaching evaluations
where collected, curriculum gaps). One selector (`evidence_package`) serves the page, the
workbook, the PDF and `trellis reports evidence`.

Every figure is read through the rule that owns it: evidence through
`assessments.evidence.evidence_filter` (submitted, not anonymous), coverage through
`curriculum.selectors.curriculum_gaps`, completion through `compliance_report`, committee
levels from the latest signed-off cycle only. Developmental frameworks never appear.
Anonymous evaluations come from `assessments.evaluations`, for the academic year that holds
the package's end: per rotation only from ANONYMITY_MINIMUM responses up, with no
program-wide mean, so no suppressed rotation can be recovered by subtraction.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from trellis.assessments.evaluations import evaluation_results, period_containing
from trellis.assessments.evidence import (
    ANONYMITY_MINIMUM,
    evidence_filter,
    record_adoptions,
    record_items,
)
from trellis.assessments.models import FormKind, Rating
from trellis.assessments.requests.selectors import ComplianceReport, compliance_report
from trellis.committees.models import ReviewCycle
from trellis.committees.selectors import (
    cycle_current_entrustments,
    cycle_current_levels,
    cycle_outcomes,
    latest_signed_off_cycle,
)
from trellis.curriculum.selectors import GapReport, ItemCoverage, curriculum_gaps
from trellis.frameworks.models import Item
from trellis.people.models import Program


@dataclass(frozen=True)
class YearReached:
    """Committee levels on one item for one training year in the latest signed-off cycle."""

    year: int | None
    levels: list[Decimal]

    @property
    def median(self) -> Decimal:
        return Decimal(str(statistics.median(self.levels)))

    def __str__(self) -> str:
        year = f"Year {self.year}" if self.year else "Year unknown"
        return f"{year}: median {self.median.normalize():f} (n={len(self.levels)})"


@dataclass
class ItemRow:
    item: Item
    coverage: ItemCoverage | None
    forms: list[tuple[str, int]] = field(default_factory=list)  # form title, observations
    roles: list[tuple[str, int]] = field(default_factory=list)  # assessor role, observations
    observations: int = 0
    raters: int = 0
    reached: list[YearReached] = field(default_factory=list)
    outcomes: list[tuple[str, int]] = field(default_factory=list)  # decision outcome, count
    link: str = ""

    @property
    def taught(self) -> str:
        """The activities that introduce (I), reinforce (R) or assess (A) the item."""
        if self.coverage is None:
            return ""
        letters: dict[str, str] = {}
        for code, activities in (
            ("I", self.coverage.introduced),
            ("R", self.coverage.reinforced),
            ("A", self.coverage.assessed),
        ):
            for activity in activities:
                letters[activity.title] = letters.get(activity.title, "") + code
        return "; ".join(f"{title} ({codes})" for title, codes in sorted(letters.items()))

    @property
    def methods(self) -> str:
        return ", ".join(self.coverage.methods) if self.coverage else ""

    @property
    def assessed_by(self) -> str:
        return "; ".join(f"{title} ({n})" for title, n in self.forms)

    @property
    def decisions(self) -> int:
        return sum(n for _, n in self.outcomes)

    @property
    def decided(self) -> str:
        return "; ".join(f"{outcome}: {n}" for outcome, n in self.outcomes)

    @property
    def reached_text(self) -> str:
        return "; ".join(str(r) for r in self.reached)


@dataclass(frozen=True)
class EvaluationRow:
    """Anonymous evaluations of one rotation: the mean only from ANONYMITY_MINIMUM up."""

    rotation: str
    responses: int
    mean: Decimal | None

    @property
    def shown(self) -> bool:
        return self.responses >= ANONYMITY_MINIMUM


@dataclass
class EvidencePackage:
    program: Program
    start: dt.date
    end: dt.date
    generated: dt.datetime
    cycle: ReviewCycle | None
    rows: list[ItemRow]
    completion: ComplianceReport
    gaps: list[GapReport]
    evaluation_year: str  # evaluations are read by academic year only
    rotations: list[EvaluationRow]
    teaching_responses: int
    teachers_evaluated: int
    anonymity_minimum: int = ANONYMITY_MINIMUM

    @property
    def unassessed(self) -> list[ItemRow]:
        return [r for r in self.rows if not r.observations]


def _rating_counts(program: Program, items: list[Item], start: dt.date, end: dt.date) -> Q:
    return evidence_filter(program=program, start=start, end=end) & Q(
        item__in=items, not_observed=False
    )


def _fill_assessment(rows: dict[int, ItemRow], counted: Q) -> None:
    ratings = Rating.objects.filter(counted)
    for item_id, title, n in (
        ratings.values_list("item_id", "assessment__form_version__form__title")
        .annotate(n=Count("pk"))
        .order_by("item_id", "-n", "assessment__form_version__form__title")
    ):
        rows[item_id].forms.append((title, n))
    for item_id, role, n in (
        ratings.values_list("item_id", "assessment__assessor_role")
        .annotate(n=Count("pk"))
        .order_by("item_id", "-n", "assessment__assessor_role")
    ):
        rows[item_id].roles.append((role, n))
    # A rater is a signed-in assessor, or (for an answer through a rater link, which has
    # no account) the one answer: each anonymous patient is a rater of their own.
    for item_id, n, raters, linked in (
        ratings.values_list("item_id")
        .annotate(
            n=Count("pk"),
            raters=Count("assessment__assessor", distinct=True),
            linked=Count("assessment", distinct=True, filter=Q(assessment__assessor__isnull=True)),
        )
        .order_by("item_id")
    ):
        rows[item_id].observations = n
        rows[item_id].raters = raters + linked


def _fill_committee(rows: dict[int, ItemRow], cycle: ReviewCycle) -> None:
    """Subcompetencies: the committee's levels; EPAs: its entrustment decisions."""
    outcomes = cycle_outcomes(cycle=cycle)
    by_year: dict[int, dict[int | None, list[Decimal]]] = defaultdict(lambda: defaultdict(list))
    decided: dict[int, Counter[str]] = defaultdict(Counter)
    judged = [
        (learner_id, item_id, row.level, row.review.training_year)
        for source in (cycle_current_levels(cycle=cycle), cycle_current_entrustments(cycle=cycle))
        for learner_id, per_item in source.items()
        for item_id, row in per_item.items()
    ]
    for learner_id, item_id, level, year in judged:
        if item_id not in rows:
            continue
        if level is not None:
            by_year[item_id][year].append(level)
        if learner_id in outcomes:
            decided[item_id][outcomes[learner_id]] += 1
    for item_id, years in by_year.items():
        rows[item_id].reached = [
            YearReached(year, sorted(values))
            for year, values in sorted(years.items(), key=lambda kv: (kv[0] is None, kv[0] or 0))
        ]
    for item_id, counts in decided.items():
        rows[item_id].outcomes = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))


def _evaluations(program: Program, end: dt.date) -> tuple[str, list[EvaluationRow], int, int]:
    """Rotation and teaching evaluations of the academic year holding `end`, read where
    the rules of anonymity live (assessments.evaluations): never for the package's own
    span, which, set one day apart, would tell a single response by subtraction."""
    period = period_containing(program=program, day=end)
    rotations = evaluation_results(program=program, kind=FormKind.ROTATION, period=period)
    teaching = evaluation_results(program=program, kind=FormKind.TEACHING, period=period)
    rows = [EvaluationRow(g.label, g.responses, g.mean) for g in rotations.groups if g.responses]
    teachers = sum(1 for g in teaching.groups if g.responses)
    return period.label, rows, teaching.responses, teachers


def evidence_package(
    *, program: Program, start: dt.date, end: dt.date, today: dt.date | None = None
) -> EvidencePackage:
    """The package for observations and requests dated from `start` to `end` inclusive;
    committee levels and decisions from the latest signed-off cycle."""
    today = today or timezone.localdate()
    adoptions = record_adoptions(program=program)
    items = record_items(adoptions=adoptions)
    gaps = [curriculum_gaps(program=program, framework=a.framework) for a in adoptions]
    coverage = {c.item.pk: c for report in gaps for c in report.coverage}
    rows = {
        item.pk: ItemRow(
            item=item,
            coverage=coverage.get(item.pk),
            link=reverse(
                "framework-item",
                kwargs={"slug": item.framework.slug, "identifier": item.identifier},
            ),
        )
        for item in items
    }
    _fill_assessment(rows, _rating_counts(program, items, start, end))
    cycle = latest_signed_off_cycle(program=program)
    if cycle is not None:
        _fill_committee(rows, cycle)
    year, rotations, teaching, teachers = _evaluations(program, end)
    return EvidencePackage(
        program=program,
        start=start,
        end=end,
        generated=timezone.now(),
        cycle=cycle,
        rows=list(rows.values()),
        completion=compliance_report(program=program, start=start, end=end, today=today),
        gaps=gaps,
        evaluation_year=year,
        rotations=rotations,
        teaching_responses=teaching,
        teachers_evaluated=teachers,
    )


def default_period(today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """The 365 days up to today."""
    end = today or timezone.localdate()
    return end - dt.timedelta(days=364), end
