"""Supervision grants access for the assignment's dates plus a window after it (settings.
SUPERVISION_ACCESS_DAYS), and only to what a supervisor needs: the observations and logs,
not the committee's levels, exam scores or plans."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from trellis.assessments.models import Exam, ExamScore
from trellis.assessments.tests.capture_setup import Capture, make_capture
from trellis.assessments.tests.test_capture_views import rate_url
from trellis.committees.models import CommitteeLevel, CycleStatus, Review, ReviewCycle
from trellis.people.models import User
from trellis.records.record import learner_record
from trellis.reports.learner import learner_report_html
from trellis.scheduling.models import Assignment
from trellis.testing import People

pytestmark = pytest.mark.django_db


@pytest.fixture
def cap(people: People) -> Capture:
    return make_capture(people)


def record_url(cap: Capture) -> str:
    return reverse("records:learner", args=["im-residency", cap.people.learner.pk])


def move_assignment(cap: Capture, start_in_days: int, length: int = 27) -> None:
    start = timezone.localdate() + dt.timedelta(days=start_in_days)
    Assignment.objects.filter(pk=cap.sched.first.pk).update(
        start_date=start, end_date=start + dt.timedelta(days=length)
    )


def as_(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize(
    ("start_in_days", "expected"),
    [
        (14, 403),  # starts in two weeks: nothing yet
        (0, 200),  # starts today
        (-27 - 20, 200),  # ended 20 days ago: inside the 28-day window
        (-27 - 60, 403),  # ended 60 days ago
    ],
)
def test_the_record_and_the_form_open_only_while_supervision_is_in_force(
    cap: Capture, start_in_days: int, expected: int
) -> None:
    move_assignment(cap, start_in_days)
    faculty = as_(cap.people.faculty)
    assert faculty.get(record_url(cap)).status_code == expected
    assert faculty.get(rate_url(cap)).status_code == expected
    # Program staff read it whatever the schedule.
    assert as_(cap.people.coordinator).get(record_url(cap)).status_code == 200


@override_settings(SUPERVISION_ACCESS_DAYS=0)
def test_the_window_is_a_setting(cap: Capture) -> None:
    move_assignment(cap, -27 - 1)  # ended yesterday
    assert as_(cap.people.faculty).get(record_url(cap)).status_code == 403


def test_a_supervisor_sees_the_evidence_not_the_decisions(cap: Capture) -> None:
    today = timezone.localdate()
    cycle = ReviewCycle.objects.create(
        program=cap.people.program, name="Midyear review", period_start=today - dt.timedelta(90),
        period_end=today - dt.timedelta(1), meeting_date=today, status=CycleStatus.SIGNED_OFF,
    )  # fmt: skip
    review = Review.objects.create(cycle=cycle, learner=cap.people.learner, training_year=1)
    CommitteeLevel.objects.create(
        review=review, item=cap.pc1, level=Decimal("2.5"), recorded_by=cap.people.committee
    )
    exam = Exam.objects.create(
        program=cap.people.program, name="In-training examination", taken_on=today
    )
    ExamScore.objects.create(exam=exam, learner=cap.people.learner, score=Decimal("612"))

    supervisor = as_(cap.people.faculty).get(record_url(cap)).content.decode()
    assert "Midyear review" not in supervisor and "In-training examination" not in supervisor
    assert "are for the learner and the program" in supervisor
    pdf = as_(cap.people.faculty).get(
        reverse("reports:learner-pdf", args=["im-residency", cap.people.learner.pk])
    )
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    html = learner_report_html(
        learner_record(program=cap.people.program, learner=cap.people.learner, full=False)
    )
    assert "Midyear review" not in html and "In-training examination" not in html

    for reader in (cap.people.coordinator, cap.people.learner):
        page = as_(reader).get(record_url(cap)).content.decode()
        assert "Midyear review" in page and "In-training examination" in page
