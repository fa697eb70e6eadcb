"""Program evaluation: what learners said about rotations and teachers, in groups.

Rotation and teaching evaluations are anonymous forms. Their results are read only here,
so the rules of anonymity have one home:
- a group (a rotation, or a teacher) shows its ratings only from ANONYMITY_MINIMUM
  responses, each item's mean only from as many ratings of that item, and its free text
  only from COMMENT_MINIMUM responses, in no particular order and without names or dates;
- results are read per academic year of the program, never for an arbitrary span: two
  overlapping spans would give, by subtraction, the results of the few responses that lie
  in one and not the other. A program-wide figure is computed from released groups only,
  so the program total less the groups shown never leaves a smaller group's figure.
The counts (asked, completed, responses) are not results and are always shown.

A rotation evaluation is written by a learner about the rotation they were on: its
request and assessment name that learner as subject and assessor, and the assignment says
which rotation. A teaching evaluation's subject is the teacher.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from trellis.assessments.evidence import ANONYMITY_MINIMUM
from trellis.assessments.models import (
    Assessment,
    AssessmentStatus,
    Comment,
    FormKind,
    Prompt,
    Rating,
    Request,
    RequestStatus,
)
from trellis.frameworks.models import Item
from trellis.people.models import Program, User
from trellis.scheduling.models import AcademicYear, Rotation

# Free text identifies its writer sooner than a number: it waits for more responses.
COMMENT_MINIMUM = 5
# Forms a learner fills about their training, answering a request.
EVALUATION_KINDS = (FormKind.ROTATION, FormKind.TEACHING)
TENTH = Decimal("0.1")


@dataclass(frozen=True)
class Period:
    """An academic year: the only span results are read for."""

    key: str
    label: str
    start: dt.date
    end: dt.date


def _july_year(day: dt.date) -> Period:
    first = day.year if day.month >= 7 else day.year - 1
    name = f"{first}-{first + 1}"
    return Period(name, name, dt.date(first, 7, 1), dt.date(first + 1, 6, 30))


def evaluation_periods(*, program: Program, today: dt.date | None = None) -> list[Period]:
    """The program's academic years, latest first; where it has none, July-to-June years
    from the first evaluation to today."""
    today = today or timezone.localdate()
    years = [
        Period(str(y.pk), y.name, y.start_date, y.end_date)
        for y in AcademicYear.objects.filter(program=program, start_date__lte=today).order_by(
            "-start_date"
        )
    ]
    if years:
        return years
    first = (
        Assessment.objects.filter(program=program, form_version__form__kind__in=EVALUATION_KINDS)
        .order_by("observed_on")
        .values_list("observed_on", flat=True)
        .first()
    )
    out, day = [], today
    while True:
        period = _july_year(day)
        out.append(period)
        if first is None or period.start <= first or len(out) >= 30:
            return out
        day = period.start - dt.timedelta(days=1)


def period_containing(*, program: Program, day: dt.date) -> Period:
    """The academic year of the program that holds `day` (July to June if none does)."""
    for period in evaluation_periods(program=program, today=max(day, timezone.localdate())):
        if period.start <= day <= period.end:
            return period
    return _july_year(day)


def period_for(*, program: Program, key: str | None) -> tuple[Period, list[Period]]:
    """The period asked for by its key (the latest if none or unknown) and all of them."""
    periods = evaluation_periods(program=program)
    chosen = next((p for p in periods if p.key == key), periods[0])
    return chosen, periods


@dataclass(frozen=True)
class ItemResult:
    item: Item
    ratings: int
    mean: Decimal | None  # None: fewer than ANONYMITY_MINIMUM ratings of this item


@dataclass
class CommentGroup:
    """The comments given to one question of the form; the same words written by several
    learners are shown once, with how many wrote them."""

    prompt: str
    texts: list[tuple[str, int]]

    @property
    def count(self) -> int:
        return sum(n for _, n in self.texts)


@dataclass
class GroupResult:
    """One rotation's or one teacher's evaluations in a period."""

    key: int
    label: str
    asked: int = 0  # requests, cancelled ones left out
    completed: int = 0
    responses: int = 0
    items: list[ItemResult] = field(default_factory=list)
    comments: list[CommentGroup] = field(default_factory=list)

    @property
    def released(self) -> bool:
        return self.responses >= ANONYMITY_MINIMUM

    @property
    def comments_released(self) -> bool:
        return self.responses >= COMMENT_MINIMUM

    @property
    def completion(self) -> int | None:
        return round(100 * self.completed / self.asked) if self.asked else None

    @property
    def mean(self) -> Decimal | None:
        """The mean of the item means shown (None until released)."""
        shown = [i.mean for i in self.items if i.mean is not None]
        return (sum(shown, Decimal(0)) / len(shown)).quantize(TENTH) if shown else None


@dataclass
class EvaluationResults:
    kind: str
    period: Period
    groups: list[GroupResult]

    @property
    def asked(self) -> int:
        return sum(g.asked for g in self.groups)

    @property
    def completed(self) -> int:
        return sum(g.completed for g in self.groups)

    @property
    def responses(self) -> int:
        return sum(g.responses for g in self.groups)

    @property
    def completion(self) -> int | None:
        return round(100 * self.completed / self.asked) if self.asked else None

    @property
    def mean(self) -> Decimal | None:
        """Over the released groups only, weighted by their responses: withheld groups
        stay out of it, so no subtraction gives their figure."""
        shown = [(g.mean, g.responses) for g in self.groups if g.mean is not None]
        weight = sum(n for _, n in shown)
        if not weight:
            return None
        return (sum((m * n for m, n in shown), Decimal(0)) / weight).quantize(TENTH)

    @property
    def withheld(self) -> int:
        return sum(1 for g in self.groups if g.responses and not g.released)


def _in_period(period: Period, prefix: str = "") -> Q:
    """A request's or an assessment's place in a period: the end of the rotation block it
    is about, or (asked outside the schedule) its own date."""
    on = "due_date" if prefix == "request" else "observed_on"
    return Q(assignment__end_date__range=(period.start, period.end)) | Q(
        assignment__isnull=True, **{f"{on}__range": (period.start, period.end)}
    )


def _group_field(kind: str) -> str:
    return "assignment__rotation_id" if kind == FormKind.ROTATION else "subject_id"


def _responses(program: Program, kind: str, period: Period) -> QuerySet[Assessment]:
    return Assessment.objects.filter(
        _in_period(period),
        program=program,
        status=AssessmentStatus.SUBMITTED,
        form_version__form__kind=kind,
        form_version__form__anonymous=True,
    ).exclude(**{f"{_group_field(kind)}__isnull": True})


def _requests(program: Program, kind: str, period: Period) -> QuerySet[Request]:
    return (
        Request.objects.filter(_in_period(period, "request"), program=program, form__kind=kind)
        .exclude(status=RequestStatus.CANCELLED)
        .exclude(**{f"{_group_field(kind)}__isnull": True})
    )


def _labels(kind: str, keys: set[int]) -> dict[int, str]:
    if kind == FormKind.ROTATION:
        return {
            r.pk: r.activity.title
            for r in Rotation.objects.filter(pk__in=keys).select_related("activity")
        }
    return {u.pk: u.get_full_name() or u.email for u in User.objects.filter(pk__in=keys)}


def evaluation_results(
    *, program: Program, kind: str, period: Period, only: int | None = None
) -> EvaluationResults:
    """Each rotation's (kind ROTATION) or teacher's (kind TEACHING) results in `period`,
    or only the group `only` (a rotation's or a teacher's id). A fixed number of queries."""
    group = _group_field(kind)
    requests = _requests(program, kind, period)
    responses = _responses(program, kind, period)
    if only is not None:
        requests = requests.filter(**{group: only})
        responses = responses.filter(**{group: only})
    groups: dict[int, GroupResult] = {}

    def at(key: int) -> GroupResult:
        return groups.setdefault(key, GroupResult(key=key, label=""))

    for row in (
        requests.values(group)
        .annotate(n=Count("pk"), done=Count("pk", filter=Q(status=RequestStatus.COMPLETED)))
        .order_by()
    ):
        at(row[group]).asked, at(row[group]).completed = row["n"], row["done"]
    for row in responses.values(group).annotate(n=Count("pk")).order_by():
        at(row[group]).responses = row["n"]
    released = {k for k, g in groups.items() if g.released}
    if released:
        _fill_items(groups, responses, group, released)
        _fill_comments(groups, responses, group)
    labels = _labels(kind, set(groups))
    for key, g in groups.items():
        g.label = labels.get(key, "")
    ordered = sorted(groups.values(), key=lambda g: g.label.casefold())
    return EvaluationResults(kind=kind, period=period, groups=ordered)


def _fill_items(
    groups: dict[int, GroupResult], responses: QuerySet[Assessment], group: str, released: set[int]
) -> None:
    sums: dict[tuple[int, int], list[Decimal]] = defaultdict(list)
    for key, item_id, level in Rating.objects.filter(
        assessment__in=responses.filter(**{f"{group}__in": released}),
        not_observed=False,
        level__isnull=False,
    ).values_list(f"assessment__{group}", "item_id", "level"):
        sums[(key, item_id)].append(Decimal(level))
    items = Item.objects.in_bulk({item_id for _, item_id in sums})
    for (key, item_id), levels in sorted(
        sums.items(), key=lambda kv: (items[kv[0][1]].position, items[kv[0][1]].pk)
    ):
        shown = len(levels) >= ANONYMITY_MINIMUM
        mean = (sum(levels, Decimal(0)) / len(levels)).quantize(TENTH) if shown else None
        groups[key].items.append(ItemResult(items[item_id], len(levels), mean))


def _fill_comments(
    groups: dict[int, GroupResult], responses: QuerySet[Assessment], group: str
) -> None:
    talking = [k for k, g in groups.items() if g.comments_released]
    if not talking:
        return
    prompts = {
        (version, key): text
        for version, key, text in Prompt.objects.filter(
            version__in=responses.values("form_version")
        ).values_list("version_id", "key", "text")
    }
    said: dict[int, dict[str, Counter[str]]] = defaultdict(lambda: defaultdict(Counter))
    for key, version, prompt_key, text in Comment.objects.filter(
        assessment__in=responses.filter(**{f"{group}__in": talking})
    ).values_list(f"assessment__{group}", "assessment__form_version_id", "prompt_key", "text"):
        if text.strip():
            said[key][prompts.get((version, prompt_key), "Comments")][text.strip()] += 1
    for key, by_prompt in said.items():
        # Alphabetical within a question: no order that hints at who wrote what, or when.
        groups[key].comments = [
            CommentGroup(prompt, sorted(counts.items(), key=lambda kv: kv[0].casefold()))
            for prompt, counts in by_prompt.items()
        ]


def teacher_programs(*, teacher: User) -> list[Program]:
    """The programs in which someone's teaching has been evaluated or asked about."""
    ids = set(
        Request.objects.filter(subject=teacher, form__kind=FormKind.TEACHING).values_list(
            "program_id", flat=True
        )
    ) | set(
        Assessment.objects.filter(
            subject=teacher, form_version__form__kind=FormKind.TEACHING
        ).values_list("program_id", flat=True)
    )
    return list(Program.objects.filter(pk__in=ids).order_by("name"))
