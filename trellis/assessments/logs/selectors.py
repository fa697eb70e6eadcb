"""Reads about case and procedure logs: the catalogue, a learner's entries and progress
against the minimums, a supervisor's queue, and the program overview (a fixed number of
queries however many learners or log types)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from trellis.assessments.models import LogEntry, LogType
from trellis.people.models import Program, User
from trellis.scheduling.selectors import learner_memberships


def log_catalogue(*, program: Program) -> QuerySet[LogType]:
    return LogType.objects.filter(program=program).select_related("item").order_by("kind", "name")


def learner_entries(*, program: Program, learner: User, limit: int = 50) -> list[LogEntry]:
    return list(
        LogEntry.objects.filter(program=program, learner=learner)
        .select_related("log_type", "supervisor", "site", "verified_by")
        .order_by("-performed_on", "-id")[:limit]
    )


def entries_awaiting(*, supervisor: User, program: Program) -> list[LogEntry]:
    """Entries naming `supervisor` that are not verified yet, oldest first."""
    return list(
        LogEntry.objects.filter(program=program, supervisor=supervisor, verified_at__isnull=True)
        .select_related("learner", "log_type", "site")
        .order_by("performed_on", "id")
    )


@dataclass(frozen=True)
class Progress:
    log_type: LogType
    verified: int
    pending: int

    @property
    def minimum(self) -> int:
        return self.log_type.minimum

    @property
    def met(self) -> bool:
        return self.verified >= self.minimum

    @property
    def shown(self) -> int:
        """The verified count, capped at the minimum, for a progress bar."""
        return min(self.verified, self.minimum)


def _counts() -> dict[str, Count]:
    return {
        "verified": Count("pk", filter=Q(verified_at__isnull=False)),
        "pending": Count("pk", filter=Q(verified_at__isnull=True)),
    }


def learner_progress(*, program: Program, learner: User) -> list[Progress]:
    """Each log type of the catalogue with the learner's verified and pending counts."""
    counts = {
        row["log_type_id"]: row
        for row in LogEntry.objects.filter(program=program, learner=learner)
        .values("log_type_id")
        .annotate(**_counts())
        .order_by()
    }
    return [
        Progress(
            t,
            counts.get(t.pk, {}).get("verified", 0),
            counts.get(t.pk, {}).get("pending", 0),
        )
        for t in log_catalogue(program=program)
    ]


@dataclass(frozen=True)
class LearnerLogRow:
    learner: User
    training_year: int | None
    cells: list[Progress]

    @property
    def met(self) -> int:
        return sum(1 for c in self.cells if c.minimum and c.met)

    @property
    def required(self) -> int:
        return sum(1 for c in self.cells if c.minimum)


@dataclass(frozen=True)
class ProgramLogOverview:
    types: list[LogType]
    rows: list[LearnerLogRow]


def program_log_overview(*, program: Program, day: dt.date | None = None) -> ProgramLogOverview:
    """Every learner of the program on `day` (today) against every log type. Three queries."""
    day = day or timezone.localdate()
    types = list(log_catalogue(program=program))
    memberships = (
        learner_memberships(program=program, start=day, end=day)
        .select_related("person")
        .order_by("training_year", "person__last_name", "person__first_name")
    )
    people: dict[int, tuple[User, int | None]] = {}
    for m in memberships:
        people[m.person_id] = (m.person, m.training_year)
    counts: dict[int, dict[int, dict[str, int]]] = defaultdict(dict)
    for row in (
        LogEntry.objects.filter(program=program, learner_id__in=list(people))
        .values("learner_id", "log_type_id")
        .annotate(**_counts())
        .order_by()
    ):
        counts[row["learner_id"]][row["log_type_id"]] = row
    rows = [
        LearnerLogRow(
            learner=person,
            training_year=year,
            cells=[
                Progress(
                    t,
                    counts[pk].get(t.pk, {}).get("verified", 0),
                    counts[pk].get(t.pk, {}).get("pending", 0),
                )
                for t in types
            ],
        )
        for pk, (person, year) in people.items()
    ]
    return ProgramLogOverview(types=types, rows=rows)
