"""Comments that teach, per program: the share of assessments whose comments say what to
do next (`analytics.narratives.suggests`), by quarter and by rater, and the assessments
whose words and levels disagree (`analytics.narratives.level_text_mismatch`).

Read over the named assessments a learner's record rests on: submitted, not anonymous,
not self-assessments (`evidence.evidence_filter`'s rules, here on assessments). The rules
themselves live in analytics.narratives, used by the form's nudge too.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet
from django.utils import timezone

from trellis.analytics.narratives import NEXT_STEP_PROMPT, level_text_mismatch, suggests
from trellis.assessments.models import (
    Assessment,
    AssessmentStatus,
    AssessorRole,
    Comment,
    Rating,
)
from trellis.frameworks.models import levels_accepted
from trellis.people.models import Program, User

QUARTERS = 6
MISMATCH_DAYS = 90


@dataclass
class Share:
    """How many assessments with comments, and how many of them say what to do next."""

    label: str
    key: object = None
    commented: int = 0
    suggesting: int = 0

    @property
    def percent(self) -> int | None:
        return round(100 * self.suggesting / self.commented) if self.commented else None


@dataclass
class CommentQuality:
    start: dt.date
    program: Share
    quarters: list[Share]
    raters: list[Share] = field(default_factory=list)

    def rater(self, user_id: int) -> Share | None:
        return next((r for r in self.raters if r.key == user_id), None)


def _named(program: Program) -> QuerySet[Assessment]:
    return Assessment.objects.filter(
        program=program,
        status=AssessmentStatus.SUBMITTED,
        form_version__form__anonymous=False,
    ).exclude(assessor_role=AssessorRole.SELF)


def _quarter(day: dt.date) -> dt.date:
    return dt.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def _quarter_label(first: dt.date) -> str:
    last_month = dt.date(first.year, first.month + 2, 1)
    return f"{first:%b}–{last_month:%b %Y}"


def comment_quality(
    *, program: Program, today: dt.date | None = None, quarters: int = QUARTERS
) -> CommentQuality:
    """The last `quarters` calendar quarters up to today: the program's share per quarter
    and over them all, and each signed-in rater's share over them all. Two queries."""
    today = today or timezone.localdate()
    first = _quarter(today)
    for _ in range(quarters - 1):
        first = _quarter(first - dt.timedelta(days=1))
    said: dict[int, list[str]] = defaultdict(list)
    next_step: dict[int, str] = {}
    meta: dict[int, tuple[int | None, dt.date]] = {}
    rows = Comment.objects.filter(
        assessment__in=_named(program).filter(observed_on__gte=first, observed_on__lte=today)
    ).values_list(
        "assessment_id", "assessment__assessor_id", "assessment__observed_on", "prompt_key", "text"
    )
    for pk, assessor, day, prompt, text in rows:
        if not text.strip():
            continue
        meta[pk] = (assessor, day)
        if prompt == NEXT_STEP_PROMPT:
            next_step[pk] = text
        else:
            said[pk].append(text)
    by_quarter: dict[dt.date, Share] = {}
    start = first
    while start <= today:
        by_quarter[start] = Share(_quarter_label(start), start)
        start = _quarter(start + dt.timedelta(days=93))
    by_rater: dict[int, Share] = {}
    total = Share(program.name)
    for assessment_id, (rater_id, observed_on) in meta.items():
        good = suggests(said.get(assessment_id, []), next_step=next_step.get(assessment_id, ""))
        shares = [total, by_quarter[_quarter(observed_on)]]
        if rater_id is not None:
            shares.append(by_rater.setdefault(rater_id, Share("", rater_id)))
        for share in shares:
            share.commented += 1
            share.suggesting += good
    names = {u.pk: u.display_name for u in User.objects.filter(pk__in=list(by_rater))}
    for rater_id, share in by_rater.items():
        share.label = names.get(rater_id, "")
    raters = sorted(by_rater.values(), key=lambda s: (s.percent or 0, s.label))
    return CommentQuality(first, total, list(by_quarter.values()), raters)


@dataclass(frozen=True)
class Mismatch:
    assessment: Assessment
    reason: str


def level_text_mismatches(
    *, program: Program, since: dt.date | None = None, limit: int | None = None
) -> list[Mismatch]:
    """Named assessments observed since `since` (MISMATCH_DAYS back by default) whose
    comments and levels disagree, latest first. Four queries."""
    since = since or timezone.localdate() - dt.timedelta(days=MISMATCH_DAYS)
    commented = Comment.objects.exclude(text="").values("assessment_id")
    assessments = list(
        _named(program)
        .filter(Q(pk__in=commented), observed_on__gte=since)
        .select_related("subject", "assessor", "form_version__form", "form_version__scale")
        .order_by("-observed_on", "-pk")
    )
    ids = [a.pk for a in assessments]
    texts: dict[int, list[str]] = defaultdict(list)
    for pk, text in Comment.objects.filter(assessment_id__in=ids).values_list(
        "assessment_id", "text"
    ):
        texts[pk].append(text)
    levels: dict[int, list[float]] = defaultdict(list)
    for pk, level in Rating.objects.filter(
        assessment_id__in=ids, not_observed=False, level__isnull=False
    ).values_list("assessment_id", "level"):
        if level is not None:
            levels[pk].append(float(level))
    tops: dict[int | None, float] = {}
    out = []
    for a in assessments:
        scale = a.form_version.scale
        key = scale.pk if scale else None
        if key not in tops:
            tops[key] = float(max(levels_accepted(scale)))
        reason = level_text_mismatch(texts.get(a.pk, []), levels.get(a.pk, []), top=tops[key])
        if reason:
            out.append(Mismatch(a, reason))
            if limit is not None and len(out) >= limit:
                break
    return out
