"""Exam scores beside the committee's milestone levels, on the Medical Knowledge items an
exam is linked to (`assessments.exams`): one learner's scores for their item page, and for
the program's staff the cohort, each learner a point (score against level), so a program
sees whether its written exam and its committee tell the same story.

A score is paired with the learner's committee level on the item from the signed-off
review whose period ends nearest the exam's date (the later one on a tie): the judgement
made closest to the exam. Learners without such a level are left out of the cohort.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from trellis.assessments.models import Exam, ExamScore
from trellis.committees.selectors import signed_off_item_levels
from trellis.people.models import Program, User

MAX_EXAMS = 3  # the latest exams on an item; older ones stay on the record's exam table
MIN_FOR_CORRELATION = 5


@dataclass(frozen=True)
class CohortPoint:
    learner_id: int
    score: float  # percent of the exam's maximum where it has one, else the raw score
    level: Decimal


@dataclass
class ExamCohort:
    exam_id: int
    name: str
    taken_on: dt.date
    max_score: Decimal | None
    subject_score: Decimal | None  # the record's learner's own score
    subject_percentile: int | None
    points: list[CohortPoint] = field(default_factory=list)
    subject: CohortPoint | None = None

    @property
    def score_label(self) -> str:
        return "Score (% of maximum)" if self.max_score else "Score"

    @property
    def spearman(self) -> float | None:
        """Spearman's rank correlation of score with level, from MIN_FOR_CORRELATION
        learners up (None below, or where either has no spread)."""
        if len(self.points) < MIN_FOR_CORRELATION:
            return None
        levels = [float(p.level) for p in self.points]
        scores = [p.score for p in self.points]
        if len(set(levels)) < 2 or len(set(scores)) < 2:
            return None
        from scipy.stats import spearmanr  # heavy: only where a cohort is drawn

        return float(spearmanr(levels, scores).statistic)


def _nearest(levels: list[tuple[dt.date, Decimal]], day: dt.date) -> Decimal | None:
    """The level whose period ends nearest `day`, the later on a tie (`levels` oldest
    first)."""
    best: tuple[int, Decimal] | None = None
    for period_end, level in levels:
        distance = abs((period_end - day).days)
        if best is None or distance <= best[0]:
            best = (distance, level)
    return best[1] if best else None


def _percent(score: Decimal, max_score: Decimal | None) -> float:
    return float(score / max_score * 100) if max_score else float(score)


def item_exam_cohorts(
    *, program: Program, item_id: int, learner: User, cohort: bool
) -> list[ExamCohort]:
    """The latest exams linked to the item that `learner` or (with `cohort`) anyone took,
    newest first, each with the learner's own score; with `cohort`, every learner's score
    against their committee level on the item. `cohort` is for those who may see every
    learner's record (the caller decides); the learner alone gets only their own row."""
    exams = Exam.objects.filter(program=program, items__id=item_id)
    if not cohort:
        exams = exams.filter(scores__learner=learner)
    latest = list(exams.distinct().order_by("-taken_on", "-pk")[:MAX_EXAMS])
    scores = ExamScore.objects.filter(exam__in=latest)
    if not cohort:
        scores = scores.filter(learner=learner)
    by_exam: dict[int, list[ExamScore]] = {}
    for score in scores.order_by("pk"):
        by_exam.setdefault(score.exam_id, []).append(score)
    levels: dict[int, list[tuple[dt.date, Decimal]]] = {}
    if cohort and latest:
        for learner_id, period_end, level in signed_off_item_levels(
            program=program, item_id=item_id
        ):
            levels.setdefault(learner_id, []).append((period_end, level))
    out = []
    for exam in latest:
        mine = next((s for s in by_exam.get(exam.pk, []) if s.learner_id == learner.pk), None)
        result = ExamCohort(
            exam_id=exam.pk,
            name=exam.name,
            taken_on=exam.taken_on,
            max_score=exam.max_score,
            subject_score=mine.score if mine else None,
            subject_percentile=mine.percentile if mine else None,
        )
        for score in by_exam.get(exam.pk, []) if cohort else []:
            nearest = _nearest(levels.get(score.learner_id, []), exam.taken_on)
            if nearest is None:
                continue
            point = CohortPoint(score.learner_id, _percent(score.score, exam.max_score), nearest)
            result.points.append(point)
            if score.learner_id == learner.pk:
                result.subject = point
        out.append(result)
    return out
