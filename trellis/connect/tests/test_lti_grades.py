"""Assignment and Grade Services against the platform simulator: a launch remembers who the
platform's user id is and the course's grade service; a coordinator maps an LMS assignment
to framework items, and its scores arrive as an exam of the program, evidence on the
learner's record. The platform checks Trellis's signed token request with Trellis's key set."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from trellis.assessments.models import Exam, ExamScore
from trellis.audit.models import AuditEvent
from trellis.connect.lti.services import course_program_set
from trellis.connect.models import LtiCourse, LtiIdentity, LtiLineItem, LtiPlatform
from trellis.connect.tests.lti_platform import AGS_SCOPES, INSTRUCTOR, Platform
from trellis.connect.tests.test_lti import launch, register
from trellis.curriculum.tests.factories import adopt, make_framework
from trellis.frameworks.models import Item
from trellis.testing import People


@pytest.fixture
def course(lms: Platform, people: People) -> LtiCourse:
    """The learner and the faculty member have opened Trellis from the course."""
    register(lms, people)
    adopt(people.program, make_framework())
    launch(Client(), lms)
    lms.next.email, lms.next.roles = people.faculty.email, INSTRUCTOR
    launch(Client(), lms)
    lms.tool_jwks = Client().get("/lti/jwks/").json()
    quiz = lms.url + "/course-101/lineitems/1"
    lms.line_items = [{"id": quiz, "label": "Cardiology quiz", "scoreMaximum": 20}]
    lms.results = {
        quiz: [
            {"userId": "sub-learner", "resultScore": 17, "resultMaximum": 20},
            {"userId": "sub-faculty", "resultScore": 20, "resultMaximum": 20},
            {"userId": "sub-never-launched", "resultScore": 12, "resultMaximum": 20},
            {"userId": "sub-learner2", "resultScore": None},
        ]
    }
    return LtiCourse.objects.get()


def test_a_launch_remembers_the_person_and_the_course(course: LtiCourse, people: People) -> None:
    assert LtiIdentity.objects.get(sub="sub-learner").person == people.learner
    assert course.title == "Internal Medicine clerkship"
    assert course.lineitems_url.endswith("/course-101/lineitems")
    assert course.scopes == AGS_SCOPES


def map_quiz(client: Client, people: People, lms: Platform, course: LtiCourse) -> Any:
    mk1 = Item.objects.get(code="MK1", framework__slug="test-milestones")
    return client.post(
        f"/programs/{people.program.slug}/lti/courses/{course.pk}/map/",
        {"line_item": lms.line_items[0]["id"], "items": [mk1.pk], "taken_on": "2026-11-30"},
    )


def test_a_coordinators_mapping_brings_the_scores_as_evidence(
    client: Client, people: People, lms: Platform, course: LtiCourse
) -> None:
    client.force_login(people.coordinator)
    base = f"/programs/{people.program.slug}/lti/"
    listing = client.get(base).content.decode()
    assert "Internal Medicine clerkship" in listing
    assert f'href="{base}courses/{course.pk}/map/"' in listing
    assert "Cardiology quiz" in client.get(f"{base}courses/{course.pk}/map/").content.decode()
    assert map_quiz(client, people, lms, course)["Location"] == base
    line_item = LtiLineItem.objects.get()
    assert AuditEvent.objects.filter(action="lti.line_item.map", actor=people.coordinator).exists()

    page = client.post(f"{base}assignments/{line_item.pk}/import/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "1 score read" in text
    assert "1 for people who have not opened Trellis" in text
    assert "1 for people who are not learners" in text
    exam = Exam.objects.get(program=people.program, name="Cardiology quiz")
    assert [i.code for i in exam.items.all()] == [
        "MK1"
    ] and exam.taken_on.isoformat() == "2026-11-30"
    (score,) = ExamScore.objects.filter(exam=exam)
    assert score.learner == people.learner and score.score == 17
    record = client.get(f"/programs/{people.program.slug}/records/learners/{people.learner.pk}/")
    assert "Cardiology quiz" in record.content.decode()
    # Read again: nothing new, nothing doubled.
    again = client.post(f"{base}assignments/{line_item.pk}/import/").content.decode()
    assert "0 scores read, 1 already in Trellis" in again
    assert ExamScore.objects.filter(exam=exam).count() == 1


def test_an_assignment_is_mapped_once(
    client: Client, people: People, lms: Platform, course: LtiCourse
) -> None:
    client.force_login(people.coordinator)
    map_quiz(client, people, lms, course)
    response = map_quiz(client, people, lms, course)  # no longer offered
    assert response.status_code == 200 and LtiLineItem.objects.count() == 1


def test_the_platform_refuses_a_token_request_it_cannot_verify(
    client: Client, people: People, lms: Platform, course: LtiCourse
) -> None:
    lms.tool_jwks = {"keys": []}  # the platform does not know Trellis's key
    client.force_login(people.coordinator)
    response = client.get(f"/programs/{people.program.slug}/lti/courses/{course.pk}/map/")
    assert response.status_code == 502
    assert "The platform refused" in response.content.decode()


def test_a_course_without_a_grade_service_says_so(
    client: Client, people: People, lms: Platform
) -> None:
    platform: LtiPlatform = register(lms, people)
    lms.next.grades = False
    launch(Client(), lms)
    course = LtiCourse.objects.get(platform=platform)
    client.force_login(people.director)
    page = client.get(f"/programs/{people.program.slug}/lti/").content.decode()
    assert "offers no grade service" in page
    response = client.get(f"/programs/{people.program.slug}/lti/courses/{course.pk}/map/")
    assert response.status_code == 502


@pytest.mark.parametrize("who", ["faculty", "learner", "committee", "outsider"])
def test_no_one_but_the_programs_managers_sees_the_pages(
    client: Client, people: People, lms: Platform, course: LtiCourse, who: str
) -> None:
    client.force_login(people.coordinator)
    map_quiz(client, people, lms, course)
    line_item = LtiLineItem.objects.get()
    client.force_login(getattr(people, who))
    base = f"/programs/{people.program.slug}/lti/"
    assert client.get(base).status_code == 404
    assert client.get(f"{base}courses/{course.pk}/map/").status_code == 404
    assert client.post(f"{base}assignments/{line_item.pk}/import/").status_code == 404
    assert not ExamScore.objects.exists()


def test_an_admin_reads_and_the_import_takes_only_post(
    client: Client, people: People, lms: Platform, course: LtiCourse
) -> None:
    client.force_login(people.admin)
    map_quiz(client, people, lms, course)
    line_item = LtiLineItem.objects.get()
    base = f"/programs/{people.program.slug}/lti/"
    assert client.get(f"{base}assignments/{line_item.pk}/import/").status_code == 405
    assert client.post(f"{base}assignments/{line_item.pk}/import/").status_code == 200
    # Another program's manager finds nothing here.
    other = f"/programs/{people.other_program.slug}/lti/courses/{course.pk}/map/"
    client.force_login(people.outsider)
    assert client.get(other).status_code == 404


def test_the_command_line_reads_the_scores(
    client: Client, people: People, lms: Platform, course: LtiCourse
) -> None:
    client.force_login(people.coordinator)
    map_quiz(client, people, lms, course)
    out = StringIO()
    call_command("lti", "scores", str(LtiLineItem.objects.get().pk), stdout=out)
    assert "Cardiology quiz: 1 read, 0 already in Trellis, 1 for people not seen" in out.getvalue()
    with pytest.raises(CommandError, match="No mapped LMS assignment"):
        call_command("lti", "scores", "999999")


@pytest.mark.parametrize(
    ("who", "shown"),
    [
        ("coordinator", True),
        ("director", True),
        ("admin", True),
        ("faculty", False),
        ("learner", False),
    ],
)
def test_the_program_page_links_its_managers_to_the_assignments(
    client: Client, people: People, who: str, shown: bool
) -> None:
    client.force_login(getattr(people, who))
    link = f'href="/programs/{people.program.slug}/lti/"'
    assert (link in client.get(f"/programs/{people.program.slug}/").content.decode()) is shown
    assert client.get(f"/programs/{people.program.slug}/lti/").status_code == (
        200 if shown else 404
    )


def test_a_course_sent_to_another_program_is_that_programs(
    client: Client, people: People, lms: Platform, course: LtiCourse
) -> None:
    course_program_set(course=course, program=people.fd_program, acting_user=people.admin)
    client.force_login(people.coordinator)
    assert (
        "Internal Medicine clerkship"
        not in client.get(f"/programs/{people.program.slug}/lti/").content.decode()
    )
    assert (
        client.get(f"/programs/{people.program.slug}/lti/courses/{course.pk}/map/").status_code
        == 404
    )
    client.force_login(people.fd_lead)
    page = client.get(f"/programs/{people.fd_program.slug}/lti/").content.decode()
    assert "Internal Medicine clerkship" in page
