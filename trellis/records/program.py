"""The program view: every learner by every subcompetency, with flags.

One aggregate query per table, never one per learner: memberships, items, expected
levels, the last few ratings per learner and item (a window query), recent observation
counts and request completion.

Flags, so the page, the spreadsheet and the PDF agree: a *concern* a rater raised on a form
in the last CONCERN_DAYS (professionalism, patient safety), and the ones that discriminate
(`committees.analytics.program_flags`): *at risk* on a subcompetency when most past
learners at or below the learner's committee level at that point did not reach Level 4
(calibrated on the program's and the consortium's history), and *projected below Level
4* by the growth model. Beside them, how many subcompetencies have enough evidence (the
G-study's D-study count from several raters). A cell's shading still compares the latest
level with the level expected for the training year.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, F, Q, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from trellis.assessments.evidence import (
    ExpectedLevels,
    evidence_filter,
    record_adoptions,
    record_items,
)
from trellis.assessments.models import (
    Assessment,
    AssessmentStatus,
    Concern,
    Rating,
    Request,
    RequestStatus,
)
from trellis.committees.analytics import LearnerFlags, program_flags
from trellis.frameworks.models import Item, ItemKind
from trellis.people.models import Program, User
from trellis.records.templatetags.records_tags import level
from trellis.scheduling.selectors import learner_memberships

RECENT_DAYS = 91
CONCERN_DAYS = 182  # a concern stays on the program view for half a year


@dataclass(frozen=True)
class Cell:
    item: Item
    latest: Decimal | None
    expected: Decimal | None

    @property
    def below(self) -> bool:
        return self.latest is not None and self.expected is not None and self.latest < self.expected

    @property
    def state(self) -> str:
        if self.latest is None:
            return "none"
        if self.below:
            return "below"
        return "met"

    # The grid has a cell per learner and item (thousands in a large program): its text is
    # made here as strings, which the template prints without localising each number.
    @property
    def shown(self) -> str:
        return "" if self.latest is None else level(self.latest)

    @property
    def expected_shown(self) -> str:
        return level(self.expected)

    @property
    def sort_value(self) -> str:
        return "-1" if self.latest is None else str(self.latest)

    @property
    def path(self) -> str:
        return f"items/{self.item.pk}/"


@dataclass(frozen=True)
class LearnerRow:
    learner: User
    training_year: int | None
    cells: list[Cell]
    recent_observations: int
    requested: int
    completed: int

    analytic: LearnerFlags | None
    concerns: list[tuple[str, dt.date]] = field(default_factory=list)

    @property
    def below_count(self) -> int:
        return sum(1 for c in self.cells if c.below)

    @property
    def completion(self) -> int | None:
        """Completed requests as a percentage of those made; None when none were made."""
        return round(100 * self.completed / self.requested) if self.requested else None

    @property
    def flags(self) -> list[str]:
        raised = [
            f"Concern raised: {Concern(kind).label.lower()} ({day:%d %b})"
            for kind, day in self.concerns
        ]
        return raised + (self.analytic.texts if self.analytic else [])

    @property
    def badges(self) -> list[tuple[str, str, bool]]:
        """The flags as (short label, full text, is a concern), for the dense grid: the
        short label in the row, the full text on demand."""
        out = []
        if self.concerns:
            n = len(self.concerns)
            raised = "; ".join(f"{Concern(k).label.lower()} ({d:%d %b})" for k, d in self.concerns)
            out.append((f"Concern ×{n}" if n > 1 else "Concern", f"Concern raised: {raised}", True))
        a = self.analytic
        if a and a.at_risk_flagged:
            out.append((f"At risk ×{len(a.at_risk)}", a.texts[0], False))
        if a and a.falling_behind and a.predicted_final is not None:
            out.append((f"Proj. {a.predicted_final:.1f}", a.texts[-1], False))
        return out

    @property
    def sufficient(self) -> int:
        """Subcompetencies with enough evidence (for sorting)."""
        a = self.analytic
        return a.items - a.insufficient if a and a.items else -1

    @property
    def evidence(self) -> str:
        """Subcompetencies with enough evidence, as "k of N"."""
        if not self.analytic or not self.analytic.items:
            return "–"
        a = self.analytic
        return f"{a.items - a.insufficient} of {a.items}"


@dataclass(frozen=True)
class ProgramOverview:
    program: Program
    day: dt.date
    items: list[Item]
    rows: list[LearnerRow]
    training_years: list[int]
    training_year: int | None


def _latest_ratings(
    *, program: Program, learner_ids: list[int], item_ids: list[int]
) -> dict[tuple[int, int], Decimal]:
    """The latest observed level per (learner, item): one query."""
    ranked = (
        Rating.objects.filter(
            evidence_filter(program=program, start=None, end=None),
            assessment__subject_id__in=learner_ids,
            item_id__in=item_ids,
            not_observed=False,
        )
        .annotate(
            rank=Window(
                RowNumber(),
                partition_by=[F("assessment__subject_id"), F("item_id")],
                order_by=[F("assessment__observed_on").desc(), F("assessment_id").desc()],
            )
        )
        .filter(rank=1)
        .values_list("assessment__subject_id", "item_id", "level")
    )
    return {(s, i): level for s, i, level in ranked if level is not None}


def concerns_raised(
    *, program: Program, learner_ids: list[int], day: dt.date
) -> dict[int, list[tuple[str, dt.date]]]:
    """Concerns raised on submitted assessments in the last CONCERN_DAYS, newest first,
    per learner: one query."""
    rows = (
        Assessment.objects.filter(
            program=program,
            subject_id__in=learner_ids,
            status=AssessmentStatus.SUBMITTED,
            observed_on__gt=day - dt.timedelta(days=CONCERN_DAYS),
        )
        .exclude(concerns=[])
        .order_by("-observed_on", "-pk")
        .values_list("subject_id", "concerns", "observed_on")
    )
    out: dict[int, list[tuple[str, dt.date]]] = {}
    for subject, kinds, observed in rows:
        out.setdefault(subject, []).extend((k, observed) for k in kinds)
    return out


def program_overview(
    *, program: Program, training_year: int | None = None, day: dt.date | None = None
) -> ProgramOverview:
    day = day or timezone.localdate()
    members = list(
        learner_memberships(program=program, start=day, end=day)
        .select_related("person")
        .order_by("training_year", "person__last_name", "person__first_name", "pk")
    )
    years = sorted({m.training_year for m in members if m.training_year is not None})
    if training_year is not None:
        members = [m for m in members if m.training_year == training_year]
    people: dict[int, tuple[User, int | None]] = {}
    for m in members:
        people.setdefault(m.person_id, (m.person, m.training_year))
    adoptions = record_adoptions(program=program)
    items = [it for it in record_items(adoptions=adoptions) if it.kind == ItemKind.SUBCOMPETENCY]
    expected = ExpectedLevels(adoptions)
    ids = list(people)
    latest = _latest_ratings(program=program, learner_ids=ids, item_ids=[i.pk for i in items])
    concerns = concerns_raised(program=program, learner_ids=ids, day=day)
    flags = program_flags(program=program, learner_ids=ids)
    observed = dict(
        Assessment.objects.filter(
            program=program,
            subject_id__in=ids,
            status=AssessmentStatus.SUBMITTED,
            form_version__form__anonymous=False,
            observed_on__gt=day - dt.timedelta(days=RECENT_DAYS),
            observed_on__lte=day,
        )
        .values("subject_id")
        .annotate(n=Count("pk"))
        .values_list("subject_id", "n")
        .order_by()
    )
    requests = {
        row[0]: row[1:]
        for row in Request.objects.filter(program=program, subject_id__in=ids)
        .exclude(status=RequestStatus.CANCELLED)
        .values("subject_id")
        .annotate(total=Count("pk"), done=Count("pk", filter=Q(status=RequestStatus.COMPLETED)))
        .values_list("subject_id", "total", "done")
        .order_by()
    }
    rows = []
    for pid, (person, year) in people.items():
        cells = [
            Cell(item=it, latest=latest.get((pid, it.pk)), expected=expected.level(it, year))
            for it in items
        ]
        total, done = requests.get(pid, (0, 0))
        rows.append(
            LearnerRow(
                person,
                year,
                cells,
                observed.get(pid, 0),
                total,
                done,
                flags.get(pid),
                concerns.get(pid, []),
            )  # fmt: skip
        )
    return ProgramOverview(program, day, items, rows, years, training_year)
