"""The request and compliance pages: every kind of caller, and what each page shows."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from trellis.assessments.models import ReminderPass, Request, RequestOrigin, RequestStatus
from trellis.assessments.requests.reminders import reminders_pass
from trellis.assessments.requests.selectors import compliance_report
from trellis.assessments.tests.program_setup import Setup, make_setup
from trellis.testing import People

SLUG = "im-residency"


def u(name: str, *args: object) -> str:
    return reverse(f"assessments-program:{name}", args=[SLUG, *args])


@pytest.fixture
def s(people: People) -> Setup:
    return make_setup(people)


def ask(
    s: Setup, *, assessor: Any, due: dt.date, status: str = RequestStatus.OPEN, **kw: Any
) -> Request:
    return Request.objects.create(
        program=s.people.program,
        form=s.eor,
        subject=kw.get("subject", s.people.learner),
        assessor=assessor,
        origin=kw.get("origin", RequestOrigin.COORDINATOR),
        assignment=kw.get("assignment"),
        status=status,
        due_date=due,
    )


def test_every_page_refuses_the_anonymous_the_unentitled_and_outsiders(
    client: Client, s: Setup
) -> None:
    req = ask(s, assessor=s.people.faculty, due=timezone.localdate())
    pages = [
        (u("requests"), "get", "coordinator", "faculty"),
        (u("request-new"), "get", "director", "learner"),
        (u("requests-generate"), "post", "coordinator", "faculty"),
        (u("request-cancel", req.pk), "get", "coordinator", "committee"),
        (u("compliance"), "get", "director", "faculty"),
        (u("my-requests"), "get", "faculty", None),  # every member has a due list
    ]
    for url, method, allowed, denied in pages:
        call = getattr(client, method)
        client.logout()
        response = call(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url
        if denied:
            client.force_login(getattr(s.people, denied))
            assert call(url).status_code == 403, (url, denied)
        client.force_login(s.people.outsider)
        assert call(url).status_code == 404, url
        client.force_login(getattr(s.people, allowed))
        assert call(url).status_code in (200, 302), url
        wrong = client.put if method == "get" else client.get
        assert wrong(url).status_code == 405, url


def test_a_request_of_another_program_is_not_found(client: Client, s: Setup) -> None:
    from trellis.people.models import Role
    from trellis.testing import add_member

    theirs = Request.objects.create(
        program=s.people.other_program,
        form=s.eor,
        subject=s.people.outsider,
        assessor=s.people.outsider,
        origin=RequestOrigin.COORDINATOR,
        due_date=timezone.localdate(),
    )
    add_member(s.people.coordinator, s.people.program, Role.COORDINATOR)
    client.force_login(s.people.coordinator)
    assert client.get(u("request-cancel", theirs.pk)).status_code == 404
    assert client.post(u("request-cancel", theirs.pk)).status_code == 404


def test_the_list_shows_overdue_and_open_requests_in_bounded_queries(
    client: Client, s: Setup, django_assert_max_num_queries: Any
) -> None:
    today = timezone.localdate()
    for n in range(6):
        ask(s, assessor=s.people.faculty, due=today - dt.timedelta(days=n + 1))
        ask(s, assessor=s.people.committee, due=today + dt.timedelta(days=n))
    client.force_login(s.people.coordinator)
    with django_assert_max_num_queries(12):
        response = client.get(u("requests"))
    body = response.content.decode()
    assert response.status_code == 200
    assert body.count("badge--warn") == 6  # the overdue, shown first
    assert "Farah Mendes" in body and "Chidi Yamamoto" not in body
    body = client.get(u("requests") + "?show=all").content.decode()
    assert body.count("badge--warn") == 6 and "Chidi Yamamoto" in body
    body = client.get(u("requests") + "?show=open").content.decode()
    assert "badge--warn" not in body and "Chidi Yamamoto" in body


def test_the_list_filters_by_name_and_form_and_pages(client: Client, s: Setup) -> None:
    """The finding: 10,776 px of requests with no filter."""
    today = timezone.localdate()
    for n in range(55):
        ask(s, assessor=s.people.faculty, due=today - dt.timedelta(days=n % 20 + 1))
    ask(s, assessor=s.people.committee, due=today - dt.timedelta(days=2), subject=s.people.learner2)
    client.force_login(s.people.coordinator)
    first = client.get(u("requests")).content.decode()
    assert first.count("badge--warn") == 50 and "Page 1 of 2 · 56 requests" in first
    second = client.get(u("requests") + "?page=2").content.decode()
    assert second.count("badge--warn") == 6
    named = client.get(u("requests") + "?q=yamamoto").content.decode()
    assert named.count("badge--warn") == 1 and "Luis Alvarez" in named
    by_learner = client.get(u("requests") + "?q=alvarez").content.decode()
    assert by_learner.count("badge--warn") == 1
    other_form = client.get(u("requests") + f"?form={s.teaching.pk}").content.decode()
    assert other_form.count("badge--warn") == 50  # a form with no requests is not offered
    eor = client.get(u("requests") + f"?form={s.eor.pk}&q=alvarez").content.decode()
    assert eor.count("badge--warn") == 1
    assert client.get(u("requests") + "?show=nonsense&page=x").status_code == 200


def test_the_list_says_when_the_reminder_worker_last_ran(client: Client, s: Setup) -> None:
    client.force_login(s.people.coordinator)
    assert "The reminder worker has not run yet" in client.get(u("requests")).content.decode()
    reminders_pass()
    body = client.get(u("requests")).content.decode()
    assert "Reminders last sent" in body and "not run" not in body
    ReminderPass.objects.update(finished_at=timezone.now() - dt.timedelta(days=3))
    assert "The reminder worker last ran 3" in client.get(u("requests")).content.decode()


def test_a_coordinator_sends_an_ad_hoc_request(client: Client, s: Setup) -> None:
    client.force_login(s.people.coordinator)
    due = timezone.localdate() + dt.timedelta(days=5)
    response = client.post(
        u("request-new"),
        {
            "form": s.eor.pk,
            "subjects": [s.people.learner.pk, s.people.learner2.pk],
            "assessor": s.people.faculty.pk,
            "due_date": due.isoformat(),
            "note": "After the night shift",
        },
    )
    assert response.status_code == 302
    assert Request.objects.filter(assessor=s.people.faculty, due_date=due).count() == 2


def test_a_bad_request_form_is_shown_again_with_errors(client: Client, s: Setup) -> None:
    client.force_login(s.people.coordinator)
    response = client.post(u("request-new"), {"form": s.eor.pk, "assessor": s.people.faculty.pk})
    assert response.status_code == 200 and "Please correct" in response.content.decode()
    assert not Request.objects.exists()


def test_the_generate_button_is_idempotent(client: Client, s: Setup) -> None:
    client.force_login(s.people.coordinator)
    client.post(u("requests-generate"))
    client.post(u("requests-generate"))
    assert Request.objects.count() == 5  # 2 end-of-rotation, 2 teaching, 1 rotation


def test_a_coordinator_cancels_a_request(client: Client, s: Setup) -> None:
    req = ask(s, assessor=s.people.faculty, due=timezone.localdate())
    client.force_login(s.people.coordinator)
    assert "Cancel the request" in client.get(u("request-cancel", req.pk)).content.decode()
    assert client.post(u("request-cancel", req.pk)).status_code == 302
    req.refresh_from_db()
    assert req.status == RequestStatus.CANCELLED


def test_faculty_see_their_own_due_list_only(client: Client, s: Setup) -> None:
    mine = ask(s, assessor=s.people.faculty, due=timezone.localdate())
    theirs = ask(s, assessor=s.people.committee, due=timezone.localdate())
    client.force_login(s.people.faculty)
    body = client.get(u("my-requests")).content.decode()
    assert f"/assess/r/{mine.token}/" in body and f"/assess/r/{theirs.token}/" not in body
    assert "Due today" in body


def test_completion_counts_completed_over_completed_expired_and_overdue(s: Setup) -> None:
    today = timezone.localdate()
    past = today - dt.timedelta(days=5)
    ask(s, assessor=s.people.faculty, due=past, status=RequestStatus.COMPLETED, assignment=s.ended)
    ask(s, assessor=s.people.faculty, due=past, status=RequestStatus.COMPLETED, assignment=s.ended)
    ask(s, assessor=s.people.faculty, due=past, status=RequestStatus.EXPIRED)
    ask(s, assessor=s.people.committee, due=past, assignment=s.ended)  # overdue
    ask(s, assessor=s.people.committee, due=today + dt.timedelta(days=3))  # not yet due
    ask(s, assessor=s.people.committee, due=past, status=RequestStatus.CANCELLED)
    ask(s, assessor=s.people.faculty, due=today - dt.timedelta(days=200))  # outside the period
    report = compliance_report(
        program=s.people.program,
        start=today - dt.timedelta(days=90),
        end=today + dt.timedelta(days=30),
        today=today,
    )
    assert (report.program.completed, report.program.expired, report.program.overdue) == (2, 1, 1)
    assert report.program.percent == 50
    by_name = {c.label: c for c in report.by_faculty}
    assert by_name["Farah Mendes"].percent == 67
    assert by_name["Chidi Yamamoto"].percent == 0
    assert report.by_faculty[0].label == "Chidi Yamamoto"  # lowest first
    (cardiology,) = report.by_rotation
    assert cardiology.label == "Cardiology" and cardiology.percent == 67


def test_the_compliance_page_runs_a_fixed_number_of_queries(
    client: Client, s: Setup, django_assert_max_num_queries: Any
) -> None:
    today = timezone.localdate()
    client.force_login(s.people.director)
    client.get(u("compliance"))
    for n in range(10):
        ask(
            s,
            assessor=s.people.faculty if n % 2 else s.people.committee,
            due=today - dt.timedelta(days=n),
            assignment=s.ended,
        )
    with django_assert_max_num_queries(10):
        response = client.get(
            u("compliance") + f"?start={today - dt.timedelta(days=30)}&end={today}"
        )
    body = response.content.decode()
    assert "Cardiology" in body and "0%" in body


def test_a_backwards_period_says_so(client: Client, s: Setup) -> None:
    client.force_login(s.people.director)
    body = client.get(u("compliance") + "?start=2026-05-01&end=2026-01-01").content.decode()
    assert "before its start" in body
