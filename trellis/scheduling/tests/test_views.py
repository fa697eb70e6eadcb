"""Every schedule page: the happy path, anonymous, a member without the right, an outsider
(404) and the wrong method."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from trellis.people.models import Role
from trellis.scheduling.models import AcademicYear, Assignment, Block, Rotation, Site
from trellis.scheduling.tests.factories import Sched
from trellis.testing import add_member, make_user

SLUG = "im-residency"


def u(name: str, *args: object) -> str:
    return reverse(f"schedule:{name}", args=[SLUG, *args])


# (url name, args from the fixture, method for the right call, who may, who may not)
def pages(s: Sched) -> list[tuple[str, str, str, str]]:
    """(url, allowed method, someone allowed, a member who is not)."""
    a = s.first.pk
    return [
        (u("overview"), "get", "coordinator", "learner"),
        (u("learner", s.people.learner.pk), "get", "learner", "learner2"),
        (u("rotation", s.wards.pk), "get", "faculty", "learner"),
        (u("setup"), "get", "coordinator", "faculty"),
        (u("import"), "get", "director", "committee"),
        (u("export") + f"?year={s.year.name}", "get", "coordinator", "faculty"),
        (u("assignment-new"), "get", "coordinator", "faculty"),
        (u("assignment-edit", a), "get", "director", "learner"),
        (u("assignment-delete", a), "get", "coordinator", "learner"),
        (u("year-new"), "post", "coordinator", "faculty"),
        (u("blocks-new", s.year.pk), "post", "coordinator", "learner"),
        (u("site-new"), "post", "coordinator", "committee"),
        (u("rotation-new"), "post", "coordinator", "faculty"),
    ]


def test_every_page_refuses_the_anonymous_the_unentitled_and_outsiders(
    client: Client, sched: Sched
) -> None:
    for url, method, allowed, denied in pages(sched):
        call = getattr(client, method)
        client.logout()
        response = call(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url
        client.force_login(getattr(sched.people, denied))
        assert call(url).status_code == 403, (url, denied)
        client.force_login(sched.people.outsider)
        assert call(url).status_code == 404, url
        client.force_login(getattr(sched.people, allowed))
        wrong = client.put if method == "get" else client.get
        assert wrong(url).status_code == 405, url


def test_person_pages_need_a_login_and_take_get_only(client: Client, sched: Sched) -> None:
    for name in ("mine", "learners-now"):
        url = reverse(f"my-schedule:{name}")
        assert client.get(url).status_code == 302
        client.force_login(sched.people.faculty)
        assert client.post(url).status_code == 405
        assert client.get(url).status_code == 200
        client.logout()


# --- the program schedule ---------------------------------------------------------------


def test_staff_see_the_learners_by_blocks_grid(client: Client, sched: Sched) -> None:
    for who in ("coordinator", "director", "committee", "admin"):
        client.force_login(getattr(sched.people, who))
        response = client.get(u("overview"))
        assert response.status_code == 200, who
    html = response.content.decode()
    assert "Lena Park" in html and "Luis Alvarez" in html
    assert '<span class="visually-hidden">Block </span>1<' in html
    assert "WARDS" in html
    assert "Unassigned weeks" in html
    assert "scheduling/schedule.css" in html


def test_the_grid_takes_a_fixed_number_of_queries(client: Client, sched: Sched) -> None:
    client.force_login(sched.people.coordinator)
    client.get(u("overview"))
    with CaptureQueriesContext(connection) as few:
        client.get(u("overview"))
    for i in range(6):
        person = make_user(f"x{i}@riverside.test", "X", f"Extra{i}")
        add_member(person, sched.people.program, Role.LEARNER, training_year=2)
        Assignment.objects.create(
            learner=person,
            rotation=sched.wards,
            site=sched.uh,
            start_date=sched.blocks[i].start_date,
            end_date=sched.blocks[i].end_date,
        )
    with CaptureQueriesContext(connection) as many:
        client.get(u("overview"))
    assert len(many) == len(few)


def test_an_unknown_year_is_404_and_no_year_shows_how_to_start(
    client: Client, sched: Sched
) -> None:
    client.force_login(sched.people.coordinator)
    assert client.get(u("overview") + "?year=1999").status_code == 404
    Assignment.objects.all().delete()
    AcademicYear.objects.all().delete()
    html = client.get(u("overview")).content.decode()
    assert "No academic year yet" in html
    assert u("setup") in html


# --- a learner's year -------------------------------------------------------------------


def test_a_learner_sees_their_own_year(client: Client, sched: Sched) -> None:
    client.force_login(sched.people.learner)
    response = client.get(u("learner", sched.people.learner.pk))
    html = response.content.decode()
    assert response.status_code == 200
    assert "My year" in html
    assert html.count('class="year-strip__block') == 13
    assert "General Medicine Wards" in html and "Farah Mendes" in html
    assert u("assignment-edit", sched.first.pk) not in html


def test_faculty_see_only_learners_they_supervise(client: Client, sched: Sched) -> None:
    client.force_login(sched.people.faculty)
    assert client.get(u("learner", sched.people.learner.pk)).status_code == 200
    assert client.get(u("learner", sched.people.learner2.pk)).status_code == 403


def test_staff_see_any_learner_and_managers_get_edit_links(client: Client, sched: Sched) -> None:
    client.force_login(sched.people.committee)
    html = client.get(u("learner", sched.people.learner.pk)).content.decode()
    assert "Lena Park" in html and u("assignment-edit", sched.first.pk) not in html
    client.force_login(sched.people.coordinator)
    html = client.get(u("learner", sched.people.learner.pk)).content.decode()
    assert u("assignment-edit", sched.first.pk) in html


def test_a_person_who_is_not_a_learner_of_the_program_is_404(client: Client, sched: Sched) -> None:
    client.force_login(sched.people.director)
    assert client.get(u("learner", sched.people.faculty.pk)).status_code == 404
    assert client.get(u("learner", 999999)).status_code == 404


# --- rotation roster --------------------------------------------------------------------


def test_a_rotation_roster_lists_learners_by_block(client: Client, sched: Sched) -> None:
    client.force_login(sched.people.faculty)
    html = client.get(u("rotation", sched.wards.pk)).content.decode()
    assert "Roster by block" in html and "Lena Park" in html and "nobody" in html
    other = Rotation.objects.create(
        program=sched.people.other_program, activity=_other_activity(sched)
    )
    assert client.get(u("rotation", other.pk)).status_code == 404


def _other_activity(sched: Sched):  # type: ignore[no-untyped-def]
    from trellis.curriculum.models import Activity, ActivityKind

    return Activity.objects.create(
        program=sched.people.other_program,
        kind=ActivityKind.CLINICAL_EXPERIENCE,
        code="S",
        title="Surgery",
    )


# --- my schedule, my learners now -------------------------------------------------------


def test_my_schedule_shows_today_and_the_year(client: Client, sched: Sched) -> None:
    client.force_login(sched.people.learner)
    html = client.get(reverse("my-schedule:mine")).content.decode()
    assert "Today you are on <strong>General Medicine Wards</strong>" in html
    assert "Internal Medicine Residency" in html
    assert html.count('class="year-strip__block') == 13


def test_my_schedule_for_someone_who_is_not_a_learner_says_so(client: Client, sched: Sched) -> None:
    client.force_login(sched.people.outsider)
    html = client.get(reverse("my-schedule:mine")).content.decode()
    assert "No rotations of your own" in html


def test_my_learners_now_lists_todays_supervisees(client: Client, sched: Sched) -> None:
    client.force_login(sched.people.faculty)
    html = client.get(reverse("my-schedule:learners-now")).content.decode()
    assert (
        "Lena Park" in html and "General Medicine Wards" in html and "University Hospital" in html
    )
    assert u("learner", sched.people.learner.pk) in html


def test_my_learners_now_empty_state_helps(client: Client, sched: Sched) -> None:
    client.force_login(sched.people.committee)
    html = client.get(reverse("my-schedule:learners-now")).content.decode()
    assert "No learners are assigned to you today" in html
    assert "ask your program coordinator" in html


# --- set-up -----------------------------------------------------------------------------


def test_setup_adds_a_year_with_blocks_a_site_and_a_rotation(client: Client, sched: Sched) -> None:
    client.force_login(sched.people.coordinator)
    assert client.get(u("setup")).status_code == 200
    response = client.post(
        u("year-new"),
        {
            "name": "2040-2041",
            "start_date": "2040-07-01",
            "end_date": "2041-06-30",
            "generate_blocks": "on",
        },
    )
    assert response.status_code == 302
    year = AcademicYear.objects.get(name="2040-2041")
    assert Block.objects.filter(academic_year=year).count() == 13
    assert client.post(u("site-new"), {"code": "NH", "name": "North Hospital"}).status_code == 302
    assert Site.objects.filter(code="NH").exists()
    assert (
        client.post(
            u("rotation-new"), {"code": "GERI", "title": "Geriatrics", "capacity": "2"}
        ).status_code
        == 302
    )
    assert Rotation.objects.get(activity__code="GERI").capacity == 2


def test_setup_shows_problems_with_status_400(client: Client, sched: Sched) -> None:
    client.force_login(sched.people.coordinator)
    response = client.post(
        u("year-new"),
        {
            "name": "Overlap",
            "start_date": str(sched.year.start_date),
            "end_date": str(sched.year.end_date),
        },
    )
    assert response.status_code == 400
    assert "overlap the academic year" in response.content.decode()
    assert client.post(u("site-new"), {"code": "UH", "name": "Dup"}).status_code == 400
    assert "Choose a clinical experience" in client.post(u("rotation-new"), {}).content.decode()
    year = AcademicYear.objects.create(
        program=sched.people.program,
        name="bare",
        start_date=dt.date(2050, 7, 1),
        end_date=dt.date(2051, 6, 30),
    )
    assert client.post(u("blocks-new", year.pk)).status_code == 302
    assert year.blocks.count() == 13


# --- assignments ------------------------------------------------------------------------


def test_a_coordinator_adds_an_assignment(client: Client, sched: Sched) -> None:
    client.force_login(sched.people.coordinator)
    b = sched.blocks[0] if sched.blocks[0] != sched.block_now() else sched.blocks[1]
    assert (
        client.get(u("assignment-new") + f"?learner={sched.people.learner2.pk}").status_code == 200
    )
    response = client.post(
        u("assignment-new"),
        {
            "learner": sched.people.learner2.pk,
            "rotation": sched.card.pk,
            "site": sched.va.pk,
            "start_date": str(b.start_date),
            "end_date": str(b.end_date),
            "supervisors": [sched.people.faculty.pk],
        },
    )
    assert response.status_code == 302
    a = Assignment.objects.get(learner=sched.people.learner2)
    assert a.rotation == sched.card and list(a.supervisors.all()) == [sched.people.faculty]


def test_the_form_shows_the_rules_problems_on_its_fields(client: Client, sched: Sched) -> None:
    client.force_login(sched.people.coordinator)
    now = sched.block_now()
    response = client.post(
        u("assignment-new"),
        {
            "learner": sched.people.learner.pk,
            "rotation": sched.card.pk,
            "site": sched.uh.pk,
            "start_date": str(now.start_date),
            "end_date": str(now.end_date),
        },
    )
    assert response.status_code == 400
    assert "is already on General Medicine Wards" in response.content.decode()
    assert Assignment.objects.count() == 1


def test_a_coordinator_changes_and_removes_an_assignment(client: Client, sched: Sched) -> None:
    client.force_login(sched.people.coordinator)
    a = sched.first
    assert client.get(u("assignment-edit", a.pk)).status_code == 200
    response = client.post(
        u("assignment-edit", a.pk),
        {
            "learner": a.learner.pk,
            "rotation": sched.icu.pk,
            "site": sched.va.pk,
            "start_date": str(a.start_date),
            "end_date": str(a.end_date),
        },
    )
    assert response.status_code == 302
    a.refresh_from_db()
    assert a.rotation == sched.icu and a.supervisors.count() == 0
    assert "Remove the assignment" in client.get(u("assignment-delete", a.pk)).content.decode()
    assert client.post(u("assignment-delete", a.pk)).status_code == 302
    assert not Assignment.objects.exists()


# --- import and export ------------------------------------------------------------------


def upload(content: str, name: str = "schedule.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content.encode(), content_type="text/csv")


def test_import_page_lists_every_problem_and_writes_nothing(client: Client, sched: Sched) -> None:
    client.force_login(sched.people.coordinator)
    b = sched.blocks[0] if sched.blocks[0] != sched.block_now() else sched.blocks[1]
    text = (
        "learner_email,rotation,site,start_date,end_date\n"
        f"learner2@riverside.test,CARD,UH,{b.start_date},{b.end_date}\n"
        f"nobody@riverside.test,CARD,UH,{b.start_date},{b.end_date}\n"
        f"learner2@riverside.test,XYZ,UH,{b.end_date},{b.start_date}\n"
    )
    response = client.post(u("import"), {"year": sched.year.name, "file": upload(text)})
    assert response.status_code == 400
    html = response.content.decode()
    assert "nothing was imported" in html
    assert "row 3" in html and "row 4" in html and "no rotation &#x27;XYZ&#x27;" in html
    assert Assignment.objects.count() == 1


def test_import_page_imports_a_good_file(client: Client, sched: Sched) -> None:
    client.force_login(sched.people.director)
    b = sched.blocks[0] if sched.blocks[0] != sched.block_now() else sched.blocks[1]
    text = (
        "learner_email,rotation,site,start_date,end_date\n"
        f"learner2@riverside.test,CARD,UH,{b.start_date},{b.end_date}\n"
    )
    response = client.post(u("import"), {"year": sched.year.name, "file": upload(text)})
    assert response.status_code == 200
    assert "1 new assignment, 0 updated, 0 unchanged" in response.content.decode()
    assert Assignment.objects.count() == 2


def test_export_downloads_csv_in_the_import_layout(client: Client, sched: Sched) -> None:
    client.force_login(sched.people.coordinator)
    response = client.get(u("export") + f"?year={sched.year.name}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    lines = response.content.decode().splitlines()
    assert lines[0] == "learner_email,rotation,site,start_date,end_date,supervisors"
    assert lines[1].startswith("learner@riverside.test,WARDS,UH,")
    assert lines[1].endswith(",faculty@riverside.test")


@pytest.mark.parametrize("who", ["coordinator", "director", "admin"])
def test_managers_reach_the_import_page(client: Client, sched: Sched, who: str) -> None:
    client.force_login(getattr(sched.people, who))
    assert client.get(u("import")).status_code == 200
