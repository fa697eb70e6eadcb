"""Requests: generated from the schedule (idempotently), made ad hoc, cancelled."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from trellis.assessments.models import FormKind, Request, RequestOrigin, RequestStatus
from trellis.assessments.requests.services import (
    RequestRefused,
    request_cancel,
    request_create,
    requests_generate_from_schedule,
)
from trellis.assessments.tests.program_setup import Setup, make_setup
from trellis.audit.models import AuditEvent
from trellis.testing import People


@pytest.fixture
def s(people: People) -> Setup:
    return make_setup(people)


def test_it_asks_each_supervisor_about_the_learner_when_an_assignment_ends(s: Setup) -> None:
    result = requests_generate_from_schedule(
        program=s.people.program, on=timezone.localdate(), acting_user=s.people.coordinator
    )
    eor = Request.objects.filter(form=s.eor)
    assert {r.assessor for r in eor} == {s.people.faculty, s.people.committee}
    assert {r.subject for r in eor} == {s.people.learner2}
    assert all(r.origin == RequestOrigin.SCHEDULE for r in eor)
    assert all(r.due_date == s.ended.end_date + dt.timedelta(days=14) for r in eor)
    assert all(r.assignment == s.ended for r in eor)
    # ... and the learner evaluates each of their teachers, anonymously
    teaching = Request.objects.filter(form=s.teaching)
    assert {r.subject for r in teaching} == {s.people.faculty, s.people.committee}
    assert {r.assessor for r in teaching} == {s.people.learner2}
    # ... and the rotation itself, once, about (and by) the learner who was on it
    rotation = Request.objects.get(form__kind=FormKind.ROTATION)
    assert (rotation.subject, rotation.assessor) == (s.people.learner2, s.people.learner2)
    assert rotation.assignment == s.ended
    assert result.created == 5 and result.assignments == 1
    assert AuditEvent.objects.filter(action="request.generate").count() == 5


def test_it_generates_nothing_the_second_time(s: Setup) -> None:
    today = timezone.localdate()
    requests_generate_from_schedule(program=s.people.program, on=today, acting_user=None)
    again = requests_generate_from_schedule(program=s.people.program, on=today, acting_user=None)
    assert again.created == 0 and again.existing == 5
    assert Request.objects.count() == 5


def test_it_leaves_current_and_long_finished_assignments_alone(s: Setup) -> None:
    s.ended.end_date = timezone.localdate() - dt.timedelta(days=20)
    s.ended.save()
    result = requests_generate_from_schedule(
        program=s.people.program, on=timezone.localdate(), acting_user=None
    )
    # the learner's current Wards assignment has not ended; Cardiology ended too long ago
    assert result.created == 0 and Request.objects.count() == 0


def test_the_command_generates_for_a_day_and_is_idempotent(s: Setup) -> None:
    out = StringIO()
    day = (s.ended.end_date + dt.timedelta(days=1)).isoformat()
    call_command("requests", "generate", "--program", "im-residency", "--on", day, stdout=out)
    assert "5 request(s) created" in out.getvalue()
    out = StringIO()
    call_command("requests", "generate", "--program", "im-residency", "--on", day, stdout=out)
    assert "0 request(s) created, 5 already there" in out.getvalue()


def test_a_coordinator_asks_for_an_assessment_of_several_learners(s: Setup) -> None:
    due = timezone.localdate() + dt.timedelta(days=7)
    made = request_create(
        program=s.people.program,
        form=s.eor,
        subjects=[s.people.learner, s.people.learner2],
        assessor=s.people.faculty,
        due_date=due,
        acting_user=s.people.coordinator,
    )
    assert [r.subject for r in made] == [s.people.learner, s.people.learner2]
    assert all(r.origin == RequestOrigin.COORDINATOR and r.due_date == due for r in made)
    # ad hoc requests may repeat: the uniqueness is for schedule requests only
    request_create(
        program=s.people.program,
        form=s.eor,
        subjects=[s.people.learner],
        assessor=s.people.faculty,
        due_date=due,
        acting_user=s.people.coordinator,
    )
    assert Request.objects.filter(subject=s.people.learner).count() == 2


def test_it_refuses_requests_involving_outsiders_or_past_dates(s: Setup) -> None:
    today = timezone.localdate()
    with pytest.raises(RequestRefused, match="not a member"):
        request_create(
            program=s.people.program,
            form=s.eor,
            subjects=[s.people.learner],
            assessor=s.people.outsider,
            due_date=today,
            acting_user=None,
        )
    with pytest.raises(RequestRefused, match="passed"):
        request_create(
            program=s.people.program,
            form=s.eor,
            subjects=[s.people.learner],
            assessor=s.people.faculty,
            due_date=today - dt.timedelta(days=1),
            acting_user=None,
            today=today,
        )
    with pytest.raises(RequestRefused, match="more than 1 year"):
        request_create(
            program=s.people.program,
            form=s.eor,
            subjects=[s.people.learner],
            assessor=s.people.faculty,
            due_date=dt.date(9999, 12, 31),
            acting_user=None,
            today=today,
        )
    assert not Request.objects.exists()


def test_it_cancels_an_open_request_once(s: Setup) -> None:
    (req,) = request_create(
        program=s.people.program,
        form=s.eor,
        subjects=[s.people.learner],
        assessor=s.people.faculty,
        due_date=timezone.localdate(),
        acting_user=None,
    )
    request_cancel(request=req, acting_user=s.people.coordinator)
    req.refresh_from_db()
    assert req.status == RequestStatus.CANCELLED
    assert AuditEvent.objects.filter(action="request.cancel", actor=s.people.coordinator).exists()
    with pytest.raises(RequestRefused):
        request_cancel(request=req, acting_user=s.people.coordinator)
