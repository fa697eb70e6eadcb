"""Set-up and assignment services: their rules and their audit trail."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from trellis.audit.models import AuditEvent
from trellis.curriculum.models import Activity, ActivityKind
from trellis.scheduling.models import AcademicYear, Assignment
from trellis.scheduling.services import (
    ScheduleConflict,
    ScheduleError,
    academic_year_create,
    assignment_create,
    assignment_delete,
    assignment_update,
    block_create,
    blocks_generate,
    rotation_create,
    site_create,
)
from trellis.scheduling.tests.factories import Sched
from trellis.testing import People


def test_blocks_generate_cuts_13_four_week_blocks_to_the_years_end(people: People) -> None:
    year = academic_year_create(
        program=people.program,
        name="2030-2031",
        start_date=dt.date(2030, 7, 1),
        end_date=dt.date(2031, 6, 30),
        acting_user=people.coordinator,
    )
    blocks = blocks_generate(academic_year=year, acting_user=people.coordinator)
    assert len(blocks) == 13
    assert blocks[0].start_date == dt.date(2030, 7, 1)
    assert blocks[0].end_date == dt.date(2030, 7, 28)
    assert blocks[12].end_date == dt.date(2031, 6, 30)
    assert all(
        a.end_date + dt.timedelta(days=1) == b.start_date
        for a, b in zip(blocks, blocks[1:], strict=False)
    )
    assert [b.name for b in blocks[:2]] == ["Block 1", "Block 2"]
    with pytest.raises(ScheduleError, match="already has blocks"):
        blocks_generate(academic_year=year, acting_user=None)
    assert AuditEvent.objects.filter(action="blocks.generate", actor=people.coordinator).exists()


def test_years_may_not_overlap_or_share_a_name(people: People) -> None:
    academic_year_create(
        program=people.program,
        name="A",
        start_date=dt.date(2030, 7, 1),
        end_date=dt.date(2031, 6, 30),
        acting_user=None,
    )
    with pytest.raises(ScheduleError, match="overlap"):
        academic_year_create(
            program=people.program,
            name="B",
            start_date=dt.date(2031, 1, 1),
            end_date=dt.date(2031, 12, 31),
            acting_user=None,
        )
    with pytest.raises(ScheduleError, match="already has"):
        academic_year_create(
            program=people.program,
            name="A",
            start_date=dt.date(2035, 7, 1),
            end_date=dt.date(2036, 6, 30),
            acting_user=None,
        )
    with pytest.raises(ScheduleError, match="end after"):
        academic_year_create(
            program=people.program,
            name="C",
            start_date=dt.date(2040, 7, 1),
            end_date=dt.date(2040, 7, 1),
            acting_user=None,
        )
    assert AcademicYear.objects.count() == 1


def test_free_blocks_stay_inside_the_year_and_apart(people: People) -> None:
    year = academic_year_create(
        program=people.program,
        name="Y",
        start_date=dt.date(2030, 7, 1),
        end_date=dt.date(2031, 6, 30),
        acting_user=None,
    )
    block_create(
        academic_year=year,
        name="Summer",
        start_date=dt.date(2030, 7, 1),
        end_date=dt.date(2030, 8, 31),
        acting_user=None,
    )
    with pytest.raises(ScheduleError, match="overlaps Summer"):
        block_create(
            academic_year=year,
            name="X",
            start_date=dt.date(2030, 8, 1),
            end_date=dt.date(2030, 9, 30),
            acting_user=None,
        )
    with pytest.raises(ScheduleError, match="inside"):
        block_create(
            academic_year=year,
            name="X",
            start_date=dt.date(2031, 6, 1),
            end_date=dt.date(2031, 7, 30),
            acting_user=None,
        )


def test_rotation_create_wraps_an_activity_or_creates_one(people: People) -> None:
    activity = Activity.objects.create(
        program=people.program,
        kind=ActivityKind.CLINICAL_EXPERIENCE,
        code="GI",
        title="Gastroenterology",
    )
    wrapped = rotation_create(
        program=people.program, activity=activity, capacity=2, acting_user=None
    )
    assert wrapped.activity == activity and wrapped.capacity == 2
    with pytest.raises(ScheduleError, match="already a rotation"):
        rotation_create(program=people.program, activity=activity, acting_user=None)
    made = rotation_create(
        program=people.program, code="NEURO", title="Neurology", acting_user=people.director
    )
    assert made.activity.kind == ActivityKind.CLINICAL_EXPERIENCE
    assert made.activity.program == people.program
    with pytest.raises(ScheduleError, match="already has an activity"):
        rotation_create(program=people.program, code="neuro", title="Again", acting_user=None)
    course = Activity.objects.create(
        program=people.program, kind=ActivityKind.COURSE, code="C1", title="A course"
    )
    with pytest.raises(ScheduleError, match="not a clinical experience"):
        rotation_create(program=people.program, activity=course, acting_user=None)
    with pytest.raises(ScheduleError, match="capacity"):
        rotation_create(program=people.program, code="Z", title="Z", capacity=0, acting_user=None)


def test_site_codes_are_unique_in_an_institution(people: People) -> None:
    site_create(
        institution=people.institution, code="UH", name="University Hospital", acting_user=None
    )
    with pytest.raises(ScheduleError, match="already has a site"):
        site_create(institution=people.institution, code="uh", name="Other", acting_user=None)
    site_create(
        institution=people.other_institution, code="UH", name="Hillcrest UH", acting_user=None
    )


def test_assignment_create_applies_the_rules(sched: Sched) -> None:
    now = sched.block_now()
    with pytest.raises(ScheduleConflict) as caught:
        assignment_create(
            program=sched.people.program,
            year=sched.year,
            learner=sched.people.learner,
            rotation=sched.card,
            site=sched.uh,
            start_date=now.start_date,
            end_date=now.end_date,
            supervisors=[sched.people.coordinator],
            acting_user=sched.people.coordinator,
        )
    columns = {p.column for p in caught.value.problems}
    assert columns == {"start_date", "supervisors"}
    with pytest.raises(ScheduleConflict, match="already exists"):
        assignment_create(
            program=sched.people.program,
            year=sched.year,
            learner=sched.people.learner,
            rotation=sched.wards,
            site=sched.uh,
            start_date=now.start_date,
            end_date=now.end_date,
            supervisors=[sched.people.faculty],
            acting_user=None,
        )


def test_assignment_update_is_checked_without_itself_and_audited(sched: Sched) -> None:
    a = sched.first
    assignment_update(
        assignment=a,
        year=sched.year,
        learner=a.learner,
        rotation=sched.card,
        site=sched.va,
        start_date=a.start_date + dt.timedelta(days=1),
        end_date=a.end_date,
        supervisors=[sched.people.faculty, sched.people.committee],
        acting_user=sched.people.director,
    )
    a.refresh_from_db()
    assert a.rotation == sched.card and a.site == sched.va
    assert a.supervisors.count() == 2
    event = AuditEvent.objects.get(action="assignment.update")
    assert event.before is not None and event.after is not None
    assert event.before["rotation"] == sched.wards.pk and event.after["rotation"] == sched.card.pk
    assert event.after["supervisors"] == ["committee@riverside.test", "faculty@riverside.test"]


def test_assignment_delete_is_audited(sched: Sched) -> None:
    pk = sched.first.pk
    assignment_delete(assignment=sched.first, acting_user=sched.people.coordinator)
    assert not Assignment.objects.filter(pk=pk).exists()
    event = AuditEvent.objects.get(action="assignment.delete")
    assert event.actor == sched.people.coordinator
    assert event.before is not None and event.before["learner"] == sched.people.learner.pk


def test_an_assignment_that_evidence_points_at_is_kept(client: Client, sched: Sched) -> None:
    from trellis.assessments.models import Form, Request, RequestOrigin
    from trellis.records.tests.factories import make_record, rate

    rec = make_record(sched.people)
    for _ in range(2):
        a = rate(rec, subject=sched.people.learner, day=sched.first.start_date, levels={})
        a.assignment = sched.first
        a.save()
    Request.objects.create(
        program=sched.people.program, form=Form.objects.get(slug="end-of-rotation"),
        subject=sched.people.learner, assessor=sched.people.faculty, assignment=sched.first,
        origin=RequestOrigin.COORDINATOR, due_date=sched.first.end_date,
    )  # fmt: skip
    with pytest.raises(ScheduleError, match="2 assessments and 1 request point at"):
        assignment_delete(assignment=sched.first, acting_user=sched.people.coordinator)
    client.force_login(sched.people.coordinator)
    url = reverse("schedule:assignment-delete", args=["im-residency", sched.first.pk])
    page = client.get(url).content.decode()
    assert "2 assessments and 1 request point at this assignment" in page
    assert "Remove the assignment" not in page
    assert client.post(url).status_code == 409
    assert Assignment.objects.filter(pk=sched.first.pk).exists()
    assert sched.first.assessments.count() == 2
    assert not AuditEvent.objects.filter(action="assignment.delete").exists()


def test_a_year_outside_1990_to_twenty_years_ahead_is_refused(people: People) -> None:
    # Blocks and assignments lie inside a year, so this bounds the whole schedule (issue 16).
    for start in (dt.date(1, 1, 1), dt.date(9998, 7, 1)):
        with pytest.raises(ScheduleError, match=r"before 1990-01-01|more than 20 year\(s\) ahead"):
            academic_year_create(
                program=people.program,
                name=str(start.year),
                start_date=start,
                end_date=start + dt.timedelta(days=364),
                acting_user=None,
            )
