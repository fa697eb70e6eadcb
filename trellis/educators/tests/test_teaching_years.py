"""What learners said of a teacher, on the teacher's Clinician Educator Milestones page, is
read as program evaluation reads it: by academic year, a year only from three responses.
An all-time mean beside a year's would give, by subtraction, the mean of the year's few
responses that are held back."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from trellis.assessments.capture.services import RatingInput, assessment_submit
from trellis.assessments.models import AssessorRole, FormVersion
from trellis.assessments.tests.capture_setup import make_capture
from trellis.educators.selectors import teaching_by_item
from trellis.people.models import Role, User
from trellis.scheduling.models import AcademicYear
from trellis.testing import People, add_member, make_user

pytestmark = pytest.mark.django_db


def evaluate(people: People, learner: User, level: str, day: dt.date) -> None:
    form = FormVersion.objects.get(form__slug="teaching-evaluation", form__program__isnull=True)
    assessment_submit(
        program=people.program,
        form_version=form,
        subject=people.faculty,
        assessor=learner,
        assessor_role=AssessorRole.LEARNER,
        observed_on=day,
        ratings=[
            RatingInput(q.item, Decimal(level)) for q in form.questions.select_related("item")
        ],
        acting_user=learner,
        client_key=f"teach-{learner.pk}-{day}",
    )


def test_a_year_under_three_responses_is_held_back_and_no_figure_spans_years(
    people: People,
) -> None:
    cap = make_capture(people)
    today = timezone.localdate()
    last_year = today - dt.timedelta(days=365)
    this = cap.sched.year
    AcademicYear.objects.create(
        program=people.program,
        name="the year before",
        start_date=this.start_date.replace(year=this.start_date.year - 1),
        end_date=this.start_date - dt.timedelta(days=1),
    )
    residents = []
    for i in range(5):
        person = make_user(f"resident{i}@riverside.test", f"Res{i}", "Ident")
        add_member(person, people.program, Role.LEARNER, training_year=1)
        residents.append(person)
    # Last year three learners said 4; this year two said 2.
    for person in residents[:3]:
        evaluate(people, person, "4", last_year)
    for person in residents[3:]:
        evaluate(people, person, "2", today)

    means, held = teaching_by_item(person=people.faculty)
    assert held == 2
    shown = {m.form_title: (m.mean, m.count) for by_item in means.values() for m in by_item}
    # Only last year's group of three; nothing pooled over both years (that mean, 3.2
    # from five, less last year's 4 from three, would give this year's 2 from two).
    assert len(means) == 3  # the form's three CEM subcompetencies
    assert set(shown.values()) == {(Decimal("4.0"), 3)}
    assert set(shown) == {"Internal Medicine Residency, the year before"}
    assert all(m.mean != Decimal("3.2") for by_item in means.values() for m in by_item)
