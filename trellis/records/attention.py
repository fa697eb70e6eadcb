"""What needs doing, for the home page: a program's open business for those who run it,
and a faculty member's day.

A director's or coordinator's program: overdue requests (the oldest first, with how many
a chase would reach), learners who need attention and why (a concern a rater raised in
the last half year, or a discriminating flag of the program view: at risk, projected
below Level 4), the next committee meeting with how ready it is, and imports refused
that no later import of the same kind replaced. Every figure is the one its own page
shows, from the same function, so following a link never gives a different count.

A faculty member's: whom they supervise today (from the schedule) and the requests
addressed to them, due and overdue marked.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.utils import timezone

from trellis.assessments.comment_quality import level_text_mismatches
from trellis.assessments.models import Concern, Request
from trellis.assessments.requests.reminders import requests_chaseable
from trellis.assessments.requests.selectors import requests_due_for, requests_filtered
from trellis.audit.models import AuditEvent
from trellis.audit.selectors import imports_refused
from trellis.committees.analytics import program_flags
from trellis.committees.models import CycleStatus, Review, ReviewCycle, ReviewStatus
from trellis.people.models import Program, User
from trellis.records.program import concerns_raised
from trellis.scheduling.models import Assignment
from trellis.scheduling.selectors import learner_memberships, supervised_learners_on

SHOWN = 5  # rows per list on the home page; each list links to its full page
IMPORTS_DAYS = 30


@dataclass(frozen=True)
class LearnerAttention:
    learner: User
    training_year: int | None
    reasons: list[str]
    concern: bool  # a rater raised a concern (listed first)


@dataclass(frozen=True)
class MeetingReadiness:
    cycle: ReviewCycle
    reviews: int
    no_pre_reviewer: int
    pending: int
    pre_reviewed: int
    decided: int

    @property
    def days_away(self) -> int:
        return (self.cycle.meeting_date - timezone.localdate()).days

    @property
    def days_ago(self) -> int:
        return -self.days_away

    @property
    def ready(self) -> bool:
        return self.reviews > 0 and self.pending == 0

    @property
    def share_ready(self) -> int:
        """Pre-reviewed or decided, as a percentage of the reviews."""
        done = self.pre_reviewed + self.decided
        return round(100 * done / self.reviews) if self.reviews else 0


@dataclass
class ProgramAttention:
    program: Program
    day: dt.date
    overdue: int = 0
    oldest_overdue: list[Request] = field(default_factory=list)
    chaseable: int = 0  # overdue requests not reminded within CHASE_GAP
    learners: list[LearnerAttention] = field(default_factory=list)
    learners_total: int = 0
    concerns: int = 0  # learners with a concern raised
    meeting: MeetingReadiness | None = None
    imports: list[AuditEvent] = field(default_factory=list)
    mismatches: int = 0  # forms whose words and levels disagree, last MISMATCH_ATTENTION_DAYS

    @property
    def nothing(self) -> bool:
        return not (
            self.overdue or self.learners_total or self.imports or self.meeting or self.mismatches
        )


MISMATCH_ATTENTION_DAYS = 30


def _learners(program: Program, day: dt.date) -> tuple[list[LearnerAttention], int, int]:
    members = list(
        learner_memberships(program=program, start=day, end=day)
        .select_related("person")
        .order_by("training_year", "person__last_name", "person__first_name", "pk")
    )
    people = {m.person_id: m for m in members}
    ids = list(people)
    concerns = concerns_raised(program=program, learner_ids=ids, day=day)
    flags = program_flags(program=program, learner_ids=ids, sufficiency=False)
    rows = []
    for pid, membership in people.items():
        raised = [
            f"Concern raised: {Concern(kind).label.lower()} ({when:%d %b})"
            for kind, when in concerns.get(pid, [])
        ]
        flagged = flags.get(pid)
        reasons = raised + (flagged.texts if flagged else [])
        if reasons:
            rows.append(
                LearnerAttention(membership.person, membership.training_year, reasons, bool(raised))
            )
    rows.sort(key=lambda r: (not r.concern, -len(r.reasons)))
    return rows[:SHOWN], len(rows), sum(1 for r in rows if r.concern)


def next_meeting(*, program: Program) -> MeetingReadiness | None:
    """The soonest cycle not yet signed off, with its reviews counted by state."""
    cycle = (
        ReviewCycle.objects.filter(program=program)
        .exclude(status=CycleStatus.SIGNED_OFF)
        .order_by("meeting_date", "pk")
        .first()
    )
    if cycle is None:
        return None
    counts = cycle.reviews.aggregate(
        reviews=Count("pk"),
        no_pre_reviewer=Count("pk", filter=Q(pre_reviewer__isnull=True)),
        pending=Count("pk", filter=Q(status=ReviewStatus.PENDING)),
        pre_reviewed=Count("pk", filter=Q(status=ReviewStatus.PRE_REVIEWED)),
        decided=Count("pk", filter=Q(status=ReviewStatus.DECIDED)),
    )
    return MeetingReadiness(cycle=cycle, **counts)


def program_attention(*, program: Program, now: dt.datetime | None = None) -> ProgramAttention:
    now = now or timezone.now()
    day = timezone.localdate(now)
    overdue = requests_filtered(program=program, today=day)
    out = ProgramAttention(program=program, day=day)
    out.overdue = overdue.count()
    if out.overdue:
        out.oldest_overdue = list(overdue[:SHOWN])
        out.chaseable = requests_chaseable(program=program, now=now).count()
    out.learners, out.learners_total, out.concerns = _learners(program, day)
    out.meeting = next_meeting(program=program)
    out.imports = imports_refused(program=program, since=now - dt.timedelta(days=IMPORTS_DAYS))
    out.mismatches = len(
        level_text_mismatches(
            program=program, since=day - dt.timedelta(days=MISMATCH_ATTENTION_DAYS)
        )
    )
    return out


@dataclass(frozen=True)
class DueRequest:
    request: Request
    days: int  # until due; negative when overdue

    @property
    def overdue(self) -> bool:
        return self.days < 0

    @property
    def days_overdue(self) -> int:
        return -self.days


@dataclass
class FacultyDay:
    supervising: list[Assignment]
    requests: list[DueRequest]

    @property
    def overdue(self) -> int:
        return sum(1 for r in self.requests if r.overdue)


def faculty_day(*, faculty: User, program: Program, day: dt.date | None = None) -> FacultyDay:
    """Whom `faculty` supervises today in `program`, and what is asked of them there."""
    day = day or timezone.localdate()
    supervising = [
        a
        for a in supervised_learners_on(faculty=faculty, day=day)
        if a.rotation.program_id == program.pk
    ]
    requests = [  # open ones, soonest due first
        DueRequest(r, (r.due_date - day).days)
        for r in requests_due_for(assessor=faculty, program=program)
    ]
    return FacultyDay(supervising=supervising, requests=requests)


def pre_reviews_by_program(*, member: User, program_ids: list[int]) -> dict[int, list[Review]]:
    """The reviews a committee member is to pre-review in each program's cycles not yet
    signed off, those still awaiting pre-review first, then by learner; one query."""
    if not program_ids:
        return {}
    rows = (
        Review.objects.filter(cycle__program_id__in=program_ids, pre_reviewer=member)
        .exclude(cycle__status=CycleStatus.SIGNED_OFF)
        .select_related("cycle", "learner")
    )
    order = {ReviewStatus.PENDING: 0, ReviewStatus.PRE_REVIEWED: 1, ReviewStatus.DECIDED: 2}
    by_program: dict[int, list[Review]] = {}
    for r in sorted(
        rows, key=lambda r: (order.get(ReviewStatus(r.status), 3), r.learner.last_name, r.pk)
    ):
        by_program.setdefault(r.cycle.program_id, []).append(r)
    return by_program
