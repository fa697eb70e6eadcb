"""Reads about requests: open and overdue lists, each person's due list, completion rates.

Completion over a period counts the requests *due* in it: completed / (completed +
expired + overdue), where overdue means still open past its due date. Open requests not
yet due and cancelled ones do not count either way. Every function here runs a fixed
number of queries, however many requests, faculty or rotations there are.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from trellis.assessments.models import Request, RequestStatus
from trellis.people.models import Program, User
from trellis.people.selectors import people_named


def _listed() -> QuerySet[Request]:
    return Request.objects.select_related(
        "form", "subject", "assessor", "assignment__rotation__activity"
    )


REQUEST_VIEWS = {"overdue": "Overdue", "open": "Not yet due", "all": "All open"}


def requests_filtered(
    *,
    program: Program,
    today: dt.date,
    view: str = "overdue",
    form: int | None = None,
    name: str = "",
) -> QuerySet[Request]:
    """Open requests of `program` for the list: overdue (most overdue first), not yet due,
    or all; on one form; about or addressed to someone whose name matches `name`."""
    qs = _listed().filter(program=program, status=RequestStatus.OPEN)
    if view == "overdue":
        qs = qs.filter(due_date__lt=today)
    elif view == "open":
        qs = qs.filter(due_date__gte=today)
    if form is not None:
        qs = qs.filter(form_id=form)
    if name.strip():
        named = people_named(User.objects.all(), name).values("pk")
        qs = qs.filter(Q(subject__in=named) | Q(assessor__in=named))
    return qs.order_by("due_date", "pk")


def requests_due_for(*, assessor: User, program: Program | None = None) -> list[Request]:
    """The open requests addressed to `assessor`, soonest due first."""
    qs = _listed().filter(assessor=assessor, status=RequestStatus.OPEN)
    if program is not None:
        qs = qs.filter(program=program)
    return list(qs)


@dataclass(frozen=True)
class Completion:
    label: str
    completed: int
    expired: int
    overdue: int
    key: int | None = None

    @property
    def counted(self) -> int:
        return self.completed + self.expired + self.overdue

    @property
    def rate(self) -> float | None:
        """Completed share of the counted requests, 0..1; None when nothing counts."""
        return self.completed / self.counted if self.counted else None

    @property
    def percent(self) -> int | None:
        return None if self.rate is None else round(self.rate * 100)


@dataclass(frozen=True)
class ComplianceReport:
    start: dt.date
    end: dt.date
    program: Completion
    by_faculty: list[Completion]
    by_rotation: list[Completion]


def _counts(today: dt.date) -> dict[str, Count]:
    return {
        "completed": Count("pk", filter=Q(status=RequestStatus.COMPLETED)),
        "expired": Count("pk", filter=Q(status=RequestStatus.EXPIRED)),
        "overdue": Count("pk", filter=Q(status=RequestStatus.OPEN, due_date__lt=today)),
    }


def _sort(rows: list[Completion]) -> list[Completion]:
    """Lowest completion first (those to chase), then by name; nothing counted last."""
    return sorted(rows, key=lambda c: (c.rate is None, c.rate or 0.0, c.label))


def compliance_report(
    *, program: Program, start: dt.date, end: dt.date, today: dt.date
) -> ComplianceReport:
    """Completion for the program, each assessor and each rotation, for requests due
    between `start` and `end` inclusive. Three queries."""
    due = Request.objects.filter(program=program, due_date__gte=start, due_date__lte=end)
    counts = _counts(today)
    total = due.aggregate(**counts)
    faculty = [
        Completion(
            label=" ".join(
                p for p in (row["assessor__first_name"], row["assessor__last_name"]) if p
            )
            or row["assessor__email"],
            completed=row["completed"],
            expired=row["expired"],
            overdue=row["overdue"],
            key=row["assessor_id"],
        )
        for row in due.filter(assessor__isnull=False)
        .values("assessor_id", "assessor__first_name", "assessor__last_name", "assessor__email")
        .annotate(**counts)
        .order_by()
    ]
    rotations = [
        Completion(
            label=row["assignment__rotation__activity__title"],
            completed=row["completed"],
            expired=row["expired"],
            overdue=row["overdue"],
            key=row["assignment__rotation_id"],
        )
        for row in due.filter(assignment__isnull=False)
        .values("assignment__rotation_id", "assignment__rotation__activity__title")
        .annotate(**counts)
        .order_by()
    ]
    return ComplianceReport(
        start=start,
        end=end,
        program=Completion(label=program.name, **total),
        by_faculty=_sort(faculty),
        by_rotation=_sort(rotations),
    )
