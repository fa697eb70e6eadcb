"""Synthetic assessments: a realistic, deterministic year for the demo residency."""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from collections.abc import Iterator
from decimal import Decimal
from statistics import mean
from typing import Any

import pytest
from django.db import transaction

from trellis.assessments.models import (
    Assessment,
    AssessmentStatus,
    ExamScore,
    LogEntry,
    Rating,
    Request,
    RequestStatus,
)
from trellis.audit.models import AuditEvent
from trellis.demo.assessments import DemoAssessments, generate_assessments
from trellis.demo.generator import Demo, DemoSize, generate_demo

pytestmark = pytest.mark.django_db

TODAY = dt.date(2025, 11, 15)
SMALL = DemoSize(
    learners_per_year=3, years=3, faculty=8, committee=2, students_per_year=1, educators=2
)


def build(*, bulk: bool = False, seed: int = 5, months: int = 12) -> tuple[Demo, DemoAssessments]:
    demo = generate_demo(seed=seed, size=SMALL, today=TODAY, password=None, with_assessments=False)
    made = generate_assessments(demo=demo, rng=random.Random(seed), months=months, bulk=bulk)
    return demo, made


def picture() -> dict[str, Any]:
    """Every assessment as it would be read, without database ids."""
    rows = []
    for a in Assessment.objects.select_related(
        "subject", "assessor", "form_version__form", "site", "request", "assignment"
    ).prefetch_related("ratings__item", "comments"):
        rows.append(
            (
                a.subject.email, a.assessor.email if a.assessor else "", a.assessor_role,
                a.form_version.form.slug, a.observed_on, a.status, a.context, a.client_key,
                a.site.code if a.site else "", a.request is not None, a.assignment is not None,
                a.submitted_at, a.editable_until, a.source,
                tuple(sorted((r.item.code, str(r.level), r.not_observed) for r in a.ratings.all())),
                tuple(sorted((c.prompt_key, c.text) for c in a.comments.all())),
            )
        )  # fmt: skip
    audits = sorted(
        (e.action, e.actor.email if e.actor else "", e.after["status"], str(e.after["ratings"]),
         str(e.after["comments"]))
        for e in AuditEvent.objects.filter(action__startswith="assessment.").select_related("actor")
    )  # fmt: skip
    requests = sorted(
        (r.form.slug, r.subject.email, r.status)
        for r in Request.objects.select_related("form", "subject")
    )
    return {"assessments": sorted(rows, key=repr), "audits": audits, "requests": requests}


@pytest.fixture(scope="module")
def built(django_db_setup: None, django_db_blocker: Any) -> Iterator[tuple[Demo, DemoAssessments]]:
    """One demo for the tests that only read it (building one takes seconds), rolled back
    when they are done."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield build()
        transaction.set_rollback(True)


def picture_of_a_run(**kwargs: Any) -> dict[str, Any]:
    with transaction.atomic():
        build(**kwargs)
        result = picture()
        transaction.set_rollback(True)
    return result


def test_it_is_deterministic_and_the_bulk_path_writes_the_same_rows() -> None:
    # Two runs from one seed, one through the services and one in bulk, agree row for row.
    assert picture_of_a_run(bulk=True) == picture_of_a_run()


def test_months_reach_back_into_earlier_years() -> None:
    build(months=15)

    oldest = Assessment.objects.order_by("observed_on").values_list("observed_on", flat=True)[0]
    assert oldest < TODAY - dt.timedelta(days=420)


def test_it_writes_a_year_of_observations_by_the_supervisors_growing_over_time(
    built: tuple[Demo, DemoAssessments],
) -> None:
    demo, made = built

    observations = Assessment.objects.filter(form_version__form__slug="epa-observation-ottawa")
    assert observations.count() == made.observations > 100
    days = sorted(observations.values_list("observed_on", flat=True))
    assert days[0] >= TODAY - dt.timedelta(days=366) and days[-1] <= TODAY
    first_half = sum(1 for d in days if d < TODAY - dt.timedelta(days=183))
    assert first_half < len(days) - first_half  # more in the recent half
    # Each observation of this year is by one of the assignment's supervisors.
    for a in observations.filter(assignment__isnull=False).select_related("assignment")[:50]:
        assert a.assessor in a.assignment.supervisors.all()
    assert made.ratings == Rating.objects.count()


def test_levels_follow_the_training_year(built: tuple[Demo, DemoAssessments]) -> None:
    demo, _ = built

    by_year: dict[int, list[Decimal]] = defaultdict(list)
    year_of = {p.pk: y for y, cohort in demo.people.residents.items() for p in cohort}
    recent = Rating.objects.filter(
        assessment__form_version__form__slug="epa-observation-ottawa",
        assessment__observed_on__gte=dt.date(2025, 7, 1),
        level__isnull=False,
    ).values_list("assessment__subject_id", "level")
    for subject, level in recent:
        by_year[year_of[subject]].append(level)
    assert mean(by_year[1]) + 1 < mean(by_year[3])
    assert Rating.objects.filter(not_observed=True).exists()


def test_it_writes_comments_specific_and_vague(built: tuple[Demo, DemoAssessments]) -> None:

    texts = set(
        Assessment.objects.filter(comments__prompt_key="next-time").values_list(
            "comments__text", flat=True
        )
    )
    assert len(texts) > 10
    assert texts & {"Keep reading.", "Keep it up.", "More confidence.", "Work on efficiency."}


def test_it_completes_most_end_of_rotation_requests_and_leaves_some_overdue(
    built: tuple[Demo, DemoAssessments],
) -> None:
    _, made = built

    eor = Request.objects.filter(form__slug="end-of-rotation")
    completed = eor.filter(status=RequestStatus.COMPLETED)
    overdue = eor.filter(status=RequestStatus.OPEN, due_date__lt=TODAY)
    assert completed.count() > overdue.count() > 0
    assert overdue.count() == made.requests_overdue
    for request in completed:
        assert request.assessments.get().status == AssessmentStatus.SUBMITTED
    assert Request.objects.filter(
        form__slug="teaching-evaluation", status=RequestStatus.COMPLETED
    ).exists()


def test_learners_evaluate_about_half_their_rotations(
    built: tuple[Demo, DemoAssessments],
) -> None:
    _, made = built

    asked = Request.objects.filter(form__slug="rotation-evaluation")
    done = asked.filter(status=RequestStatus.COMPLETED)
    assert made.rotation_evaluations == done.count() > 0
    assert asked.filter(status=RequestStatus.OPEN).exists()  # the completion rate has a gap
    assert {r.subject_id for r in done} == {r.assessor_id for r in done}


def test_it_leaves_the_featured_faculty_some_drafts(built: tuple[Demo, DemoAssessments]) -> None:
    demo, made = built

    drafts = Assessment.objects.filter(status=AssessmentStatus.DRAFT)
    assert drafts.count() == made.drafts > 0
    assert drafts.filter(assessor=demo.people.logins["faculty"]).exists()
    assert not drafts.filter(submitted_at__isnull=False).exists()


def test_it_logs_procedures_against_minimums_and_sits_an_exam(
    built: tuple[Demo, DemoAssessments],
) -> None:
    demo, made = built

    assert {t.code: t.minimum for t in made.log_types} == {
        "CVC": 5, "PARA": 5, "LP": 3, "THORA": 3, "ABG": 5, "ARTHRO": 3, "CODE": 5,
    }  # fmt: skip
    entries = LogEntry.objects.filter(program=demo.programs.residency)
    assert entries.count() == made.log_entries > 0
    assert entries.filter(verified_at__isnull=False).exists()
    assert entries.filter(verified_at__isnull=True).exists()
    assert made.exam is not None and made.exam.taken_on == dt.date(2025, 10, 10)
    assert ExamScore.objects.filter(exam=made.exam).count() == 9
