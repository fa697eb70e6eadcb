"""Evidence: the one public read of assessments. What counts, what is excluded, and
every rating, comment, log count and exam score about one learner in one program,
gathered per framework item.

The learner record, its charts and PDF, the program view, the committee's packets and
the analytics all read evidence here, with the same window, so a page and its PDF never
disagree. `learner_evidence` runs a fixed number of queries however many items or
ratings there are.

The rules, each written once:
- only submitted assessments count (`evidence_filter`);
- a self-assessment is its learner's own view: never evidence, shown beside it
  (`learner_self_levels`), so the record and the committee's packet show the gap;
- anonymous-form assessments (teaching and rotation evaluations) never feed a learner's
  evidence; their subject sees them only as aggregates of at least `ANONYMITY_MINIMUM`;
- items of developmental frameworks (the Clinician Educator Milestones) are left out
  unless their owner's own view asks for them (`record_adoptions`, `DEVELOPMENTAL`);
- a program that moved to a new framework version keeps its ratings on the old items;
  they are read under the new ones through the crosswalk (`items_through`), each point
  naming where it came from;
- *entrustment reached* on an EPA is the highest level observed at least
  `ENTRUSTMENT_MIN_TIMES` times (one lucky rating is not entrustment).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q
from django.utils import timezone

from trellis.assessments.logs.selectors import Progress, learner_progress
from trellis.assessments.models import (
    Assessment,
    AssessmentStatus,
    AssessorRole,
    Comment,
    ExamScore,
    Rating,
)
from trellis.frameworks.crosswalk import Carried, items_through
from trellis.frameworks.models import Adoption, ExpectedLevel, Item, ItemKind
from trellis.frameworks.selectors import default_expected_level
from trellis.people.models import Program, User
from trellis.people.selectors import was_learner_of

ENTRUSTMENT_MIN_TIMES = 2
# Anonymous responses are shown to their subject only in groups at least this big.
ANONYMITY_MINIMUM = 3
# A filter on Rating: a rating of a developmental framework's item.
DEVELOPMENTAL = Q(item__framework__developmental=True)
RECORD_KINDS = (ItemKind.SUBCOMPETENCY, ItemKind.EPA)
# A self-assessment this far from the latest rating is shown as a gap.
SELF_GAP = Decimal(1)
DAYS_PER_MONTH = 30.4375


@dataclass(frozen=True)
class RatingPoint:
    assessment_id: int
    observed_on: dt.date
    level: Decimal | None
    not_observed: bool
    assessor_role: str
    # Where a rating on an item the program moved on from comes from ("PC1, IM 1.0"):
    # the rating keeps its own item; it is read here through the crosswalk.
    carried_from: str = ""


@dataclass
class ItemEvidence:
    item: Item
    points: list[RatingPoint]
    count: int
    distribution: dict[Decimal, int]
    trend_per_month: float | None
    latest_level: Decimal | None
    expected_level: Decimal | None
    comments: list[tuple[int, dt.date, str]] = field(default_factory=list)

    @property
    def observed(self) -> list[RatingPoint]:
        return [p for p in self.points if not p.not_observed and p.level is not None]

    @property
    def latest_assessment_id(self) -> int | None:
        observed = self.observed
        return observed[-1].assessment_id if observed else None

    @property
    def entrustment_reached(self) -> Decimal | None:
        """The highest level observed at least ENTRUSTMENT_MIN_TIMES times."""
        reached = [lvl for lvl, n in self.distribution.items() if n >= ENTRUSTMENT_MIN_TIMES]
        return max(reached) if reached else None

    @property
    def below_expected(self) -> bool:
        return (
            self.latest_level is not None
            and self.expected_level is not None
            and self.latest_level < self.expected_level
        )


@dataclass(frozen=True)
class ExamResult:
    exam_id: int
    name: str
    taken_on: dt.date
    score: Decimal
    max_score: Decimal | None
    percentile: int | None


@dataclass
class LearnerEvidence:
    learner: User
    program: Program
    training_year: int | None
    items: list[ItemEvidence]
    logs: list[Progress]
    exams: list[ExamResult]
    start: dt.date | None = None
    end: dt.date | None = None
    # Rated items of versions the program moved on from that became no current item.
    retired: list[ItemEvidence] = field(default_factory=list)
    # Items of versions the program moved on from, by id: the current items they became.
    carried: dict[int, Carried] = field(default_factory=dict)

    @property
    def subcompetencies(self) -> list[ItemEvidence]:
        return [e for e in self.items if e.item.kind == ItemKind.SUBCOMPETENCY]

    @property
    def epas(self) -> list[ItemEvidence]:
        return [e for e in self.items if e.item.kind == ItemKind.EPA]

    def for_item(self, item_id: int) -> ItemEvidence | None:
        return next((e for e in self.items if e.item.pk == item_id), None)


# --- building blocks shared with the program view ----------------------------------------


def program_adoptions(*, program: Program) -> list[Adoption]:
    """Every adoption of the program, those it moved on from too (`items_through` reads
    them), in one query."""
    qs = Adoption.objects.filter(program=program).select_related("framework", "program")
    return list(qs.order_by("framework__title", "id"))


def current_adoptions(
    adoptions: list[Adoption], *, include_developmental: bool = False
) -> list[Adoption]:
    return [
        a
        for a in adoptions
        if a.replaced_at is None and (include_developmental or not a.framework.developmental)
    ]


def record_adoptions(*, program: Program, include_developmental: bool = False) -> list[Adoption]:
    """The frameworks the program uses now, developmental ones only where asked."""
    return current_adoptions(
        program_adoptions(program=program), include_developmental=include_developmental
    )


def record_items(*, adoptions: list[Adoption]) -> list[Item]:
    """Subcompetencies and EPAs of the adopted frameworks, in framework order."""
    order = {a.framework_id: i for i, a in enumerate(adoptions)}
    items = list(
        Item.objects.filter(framework_id__in=list(order), kind__in=RECORD_KINDS).select_related(
            "framework", "parent"
        )
    )
    items.sort(key=lambda it: (order[it.framework_id], it.position, it.pk))
    return items


class ExpectedLevels:
    """Resolves expected levels for many items and years from one query."""

    def __init__(self, adoptions: list[Adoption]) -> None:
        self.by_framework = {a.framework_id: a for a in adoptions}
        self.rows: dict[tuple[int, int | None, int], Decimal] = {
            (row.adoption_id, row.item_id, row.training_year): row.level
            for row in ExpectedLevel.objects.filter(adoption__in=adoptions)
        }

    def level(self, item: Item, training_year: int | None) -> Decimal | None:
        adoption = self.by_framework.get(item.framework_id)
        if adoption is None or training_year is None:
            return None
        for key in ((adoption.pk, item.pk, training_year), (adoption.pk, None, training_year)):
            if key in self.rows:
                return self.rows[key]
        return default_expected_level(
            graduation_level=adoption.graduation_level,
            training_year=training_year,
            length_years=adoption.program.length_years,
        )


def is_developmental(*, assessment: Assessment) -> bool:
    """Whether the assessment rates items of a developmental framework."""
    return assessment.ratings.filter(DEVELOPMENTAL).exists()


def evidence_filter(*, program: Program, start: dt.date | None, end: dt.date | None) -> Q:
    """Ratings that count as evidence (see the module docstring), as a Rating filter. The
    items asked for decide whether developmental ones are in (`record_items`)."""
    q = Q(
        assessment__program=program,
        assessment__status=AssessmentStatus.SUBMITTED,
        assessment__form_version__form__anonymous=False,
    ) & ~Q(assessment__assessor_role=AssessorRole.SELF)
    if start is not None:
        q &= Q(assessment__observed_on__gte=start)
    if end is not None:
        q &= Q(assessment__observed_on__lte=end)
    return q


@dataclass(frozen=True)
class SelfLevel:
    """Where the learner last placed themself on an item, and when."""

    level: Decimal
    observed_on: dt.date
    assessment_id: int
    carried_from: str = ""  # the item of an earlier framework version it was placed on

    def gap(self, other: Decimal | None) -> Decimal | None:
        """How far above (positive) or below `other` (the latest rating) the learner placed
        themself, where that is SELF_GAP or more (the gap worth a committee's question)."""
        gap = None if other is None else self.level - other
        return gap if gap is not None and abs(gap) >= SELF_GAP else None


def learner_self_levels(
    *, program: Program, learner: User, through: dict[int, Carried] | None = None
) -> dict[int, SelfLevel]:
    """Item id -> the learner's latest self-assessed level of it in `program` (their own
    self-assessments only; developmental frameworks left out), a level placed on an item of
    a version the program moved on from read under the items it became (`carried_from`
    says which; `through` is the learner evidence's `carried`, when the caller has it). One
    query, and one more where `through` is not given."""
    rows = (
        Rating.objects.filter(
            assessment__program=program,
            assessment__subject=learner,
            assessment__assessor=learner,
            assessment__assessor_role=AssessorRole.SELF,
            assessment__status=AssessmentStatus.SUBMITTED,
            not_observed=False,
            level__isnull=False,
        )
        .exclude(DEVELOPMENTAL)
        .order_by("assessment__observed_on", "assessment__submitted_at", "assessment_id")
        .values_list("item_id", "level", "assessment__observed_on", "assessment_id")
    )
    through = items_through(program=program) if through is None else through
    out: dict[int, SelfLevel] = {}
    for item, level, day, pk in rows:
        if level is None:
            continue
        out[item] = SelfLevel(level, day, pk)
        carried = through.get(item)
        if carried is not None:
            for now in carried.to:
                # A later self-assessment on the new item itself comes later in `rows`.
                out[now] = SelfLevel(level, day, pk, carried.label)
    return out


def trend_per_month(points: list[tuple[dt.date, Decimal]]) -> float | None:
    """Least-squares slope of level against time, in levels per month; None with fewer
    than two observation dates."""
    if len({d for d, _ in points}) < 2:
        return None
    xs = [d.toordinal() / DAYS_PER_MONTH for d, _ in points]
    ys = [float(v) for _, v in points]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    sxx = sum((x - mx) ** 2 for x in xs)
    sxy = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True))
    return sxy / sxx if sxx else None


def learner_training_year(
    *, program: Program, learner: User, on: dt.date | None = None
) -> int | None:
    """The learner's training year on `on` (today); else that of their latest membership."""
    day = on or timezone.localdate()
    rows = list(
        was_learner_of(program=program)
        .filter(person=learner)
        .order_by("-start_date")
        .values_list("start_date", "end_date", "training_year")
    )
    for start, end, year in rows:
        if start <= day and (end is None or end >= day):
            return year
    return rows[0][2] if rows else None


def build_item_evidence(
    item: Item,
    points: list[RatingPoint],
    expected: Decimal | None,
    comments: list[tuple[int, dt.date, str]],
) -> ItemEvidence:
    observed = [(p.observed_on, p.level) for p in points if p.level is not None]
    distribution = dict(sorted(Counter(level for _, level in observed).items()))
    return ItemEvidence(
        item=item,
        points=points,
        count=len(observed),
        distribution=distribution,
        trend_per_month=trend_per_month(observed),
        latest_level=observed[-1][1] if observed else None,
        expected_level=expected,
        comments=comments,
    )


# --- the learner -------------------------------------------------------------------------


def _comments_by_item(
    *,
    program: Program,
    learner: User,
    start: dt.date | None,
    end: dt.date | None,
    rated: dict[int, set[int]],
) -> dict[int, list[tuple[int, dt.date, str]]]:
    """Comments tagged to an item go to that item; untagged ones go to every item the same
    assessment rated. Two queries (one without comments)."""
    q = evidence_filter(program=program, start=start, end=end) & Q(assessment__subject=learner)
    comments = Comment.objects.filter(q).exclude(text="")
    rows = list(
        comments.values_list("pk", "assessment_id", "assessment__observed_on", "text").order_by(
            "assessment__observed_on", "pk"
        )
    )
    tags: dict[int, set[int]] = defaultdict(set)
    # The comments as a subquery, not their ids: thousands of ids as parameters took 30 ms.
    tagged = Comment.items.through.objects.filter(comment__in=comments.values("pk"))
    for comment_id, item_id in tagged.values_list("comment_id", "item_id") if rows else ():
        tags[comment_id].add(item_id)
    out: dict[int, list[tuple[int, dt.date, str]]] = defaultdict(list)
    for comment_id, assessment_id, day, text in rows:
        targets = tags.get(comment_id) or rated.get(assessment_id, set())
        for item_id in targets:
            out[item_id].append((assessment_id, day, text))
    return out


def learner_exams(*, program: Program, learner: User) -> list[ExamResult]:
    return [
        ExamResult(s.exam_id, s.exam.name, s.exam.taken_on, s.score, s.exam.max_score, s.percentile)
        for s in ExamScore.objects.filter(exam__program=program, learner=learner)
        .select_related("exam")
        .order_by("exam__taken_on", "exam__name")
    ]


def learner_evidence(
    *,
    program: Program,
    learner: User,
    start: dt.date | None = None,
    end: dt.date | None = None,
    include_developmental: bool = False,
    with_comments: bool = True,
) -> LearnerEvidence:
    """Everything the record shows about `learner` in `program`, per item (subcompetencies
    and EPAs of the adopted frameworks), between `start` and `end` inclusive. About ten
    queries whatever the number of items or ratings. Not `with_comments`: every item's
    comments are left empty, two queries fewer, for a reader that shows none (the record
    page and its charts; thousands of comments were a fifth of that page's time)."""
    every = program_adoptions(program=program)
    adoptions = current_adoptions(every, include_developmental=include_developmental)
    items = record_items(adoptions=adoptions)
    expected = ExpectedLevels(adoptions)
    year = learner_training_year(program=program, learner=learner, on=end)
    item_ids = {it.pk for it in items}
    carried = {
        old: c
        for old, c in items_through(program=program, adoptions=every).items()
        if item_ids.intersection(c.to)
    }
    retired = _retired_items(every, carried, include_developmental=include_developmental)
    retired_ids = {it.pk for it in retired}
    points: dict[int, list[RatingPoint]] = defaultdict(list)
    rated: dict[int, set[int]] = defaultdict(set)
    rows = (
        Rating.objects.filter(
            evidence_filter(program=program, start=start, end=end),
            assessment__subject=learner,
            item_id__in=item_ids | set(carried) | retired_ids,
        )
        .values_list(
            "item_id",
            "assessment_id",
            "assessment__observed_on",
            "level",
            "not_observed",
            "assessment__assessor_role",
        )
        .order_by("assessment__observed_on", "assessment_id")
    )
    for item_id, assessment_id, day, level, not_observed, role in rows:
        origin = carried.get(item_id)
        label = origin.label if origin is not None else ""
        for shown in origin.to if origin is not None else (item_id,):
            if shown not in item_ids and shown not in retired_ids:
                continue
            points[shown].append(RatingPoint(assessment_id, day, level, not_observed, role, label))
            if not not_observed:
                rated[assessment_id].add(shown)
    comments = (
        _comments_by_item(program=program, learner=learner, start=start, end=end, rated=rated)
        if with_comments
        else {}
    )
    for old, origin in carried.items():
        for shown in origin.to:
            comments.setdefault(shown, []).extend(comments.get(old, []))
    return LearnerEvidence(
        learner=learner,
        program=program,
        training_year=year,
        items=[
            build_item_evidence(
                it,
                points.get(it.pk, []),
                expected.level(it, year),
                comments.get(it.pk, []),
            )
            for it in items
        ],
        logs=learner_progress(program=program, learner=learner),
        exams=learner_exams(program=program, learner=learner),
        start=start,
        end=end,
        retired=[
            build_item_evidence(it, points[it.pk], None, comments.get(it.pk, []))
            for it in retired
            if points.get(it.pk)
        ],
        carried=carried,
    )


def _retired_items(
    adoptions: list[Adoption], carried: dict[int, Carried], *, include_developmental: bool
) -> list[Item]:
    """Subcompetencies and EPAs of the versions the program moved on from that no crosswalk
    carries to a current item: their ratings are kept and shown apart. No query for a
    program that never moved."""
    replaced = [
        a.framework_id
        for a in adoptions
        if a.replaced_at is not None and (include_developmental or not a.framework.developmental)
    ]
    if not replaced:
        return []
    return list(
        Item.objects.filter(framework_id__in=replaced, kind__in=RECORD_KINDS)
        .exclude(pk__in=list(carried))
        .select_related("framework", "parent")
        .order_by("framework_id", "position", "id")
    )
