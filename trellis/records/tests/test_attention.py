"""The home page says what needs doing: overdue requests with a chase, learners who need
attention and why, the next committee meeting and its readiness, refused imports; and a
faculty member's day: whom they supervise, what is asked of them."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from trellis.assessments.models import Request, RequestOrigin
from trellis.assessments.tests.program_setup import Setup, make_setup
from trellis.audit.models import AuditEvent
from trellis.committees.tests.factories import make_committee
from trellis.records.tests.factories import make_record, rate
from trellis.scheduling.importer import schedule_import
from trellis.scheduling.models import Assignment
from trellis.testing import People

HOME = reverse("home")


@pytest.fixture
def s(people: People) -> Setup:
    return make_setup(people)


def ask(s: Setup, *, due: dt.date, assessor: Any, subject: Any = None) -> Request:
    return Request.objects.create(
        program=s.people.program,
        form=s.eor,
        subject=subject or s.people.learner,
        assessor=assessor,
        origin=RequestOrigin.COORDINATOR,
        due_date=due,
    )


def home(client: Client, person: Any) -> str:
    client.force_login(person)
    response = client.get(HOME)
    assert response.status_code == 200
    return response.content.decode()


def today() -> dt.date:
    return timezone.localdate()


def chase_url(people: People) -> str:
    return reverse("assessments-program:requests-chase", args=[people.program.slug])


def test_the_director_and_coordinator_see_overdue_requests_first_with_a_chase(
    client: Client, s: Setup
) -> None:
    p = s.people
    ask(s, due=today() - dt.timedelta(days=12), assessor=p.faculty)
    ask(s, due=today() - dt.timedelta(days=2), assessor=p.committee, subject=p.learner2)
    ask(s, due=today() + dt.timedelta(days=5), assessor=p.faculty)  # not yet due
    for person in (p.director, p.coordinator):
        html = home(client, person)
        assert "Needs attention" in html
        assert "2 overdue requests" in html
        assert html.index("Needs attention") < html.index("Members by role")
        assert "Chase 2 now" in html
        assert chase_url(p) in html
    # Faculty have no program business to run
    assert "Needs attention" not in home(client, p.faculty)


def test_a_chase_mails_each_assessor_once_and_pressing_again_sends_nothing(
    client: Client, s: Setup, django_capture_on_commit_callbacks: Any
) -> None:
    p = s.people
    ask(s, due=today() - dt.timedelta(days=12), assessor=p.faculty)
    ask(s, due=today() - dt.timedelta(days=9), assessor=p.faculty, subject=p.learner2)
    ask(s, due=today() - dt.timedelta(days=2), assessor=p.committee)
    ask(s, due=today() + dt.timedelta(days=5), assessor=p.director)  # not overdue
    client.force_login(p.coordinator)
    response = client.post(chase_url(p), {"next": "home"}, follow=True)
    assert response.redirect_chain[-1][0] == HOME
    assert "Chased 3 overdue requests: 2 e-mails sent." in response.content.decode()
    assert sorted(m.to[0] for m in mail.outbox) == sorted([p.faculty.email, p.committee.email])
    faculty_mail = next(m for m in mail.outbox if m.to == [p.faculty.email])
    assert "overdue by 12 days" in faculty_mail.body and "overdue by 9 days" in faculty_mail.body
    event = AuditEvent.objects.get(action="requests.chase")
    assert event.actor == p.coordinator and event.after["emails"] == 2
    # Again (a double tap, a Back button): nothing goes twice
    response = client.post(chase_url(p), follow=True)
    assert len(mail.outbox) == 2
    assert "Nothing sent: the 3 overdue requests were reminded in the last day." in (
        response.content.decode()
    )
    assert response.redirect_chain[-1][0] == reverse(
        "assessments-program:requests", args=[p.program.slug]
    )
    assert "All were reminded in the last day." in home(client, p.director)


def test_only_those_who_manage_requests_may_chase(client: Client, s: Setup) -> None:
    p = s.people
    ask(s, due=today() - dt.timedelta(days=3), assessor=p.faculty)
    url = chase_url(p)
    response = client.post(url)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    # Members who do not run the program are told so; anyone else learns nothing
    for person, status in ((p.learner, 403), (p.faculty, 403), (p.committee, 403)):
        client.force_login(person)
        assert client.post(url).status_code == status, person.email
    for person in (p.educator, p.outsider):
        client.force_login(person)
        assert client.post(url).status_code == 404, person.email
    client.force_login(p.director)
    assert client.get(url).status_code == 405
    assert mail.outbox == []
    assert client.post(url).status_code == 302
    assert len(mail.outbox) == 1


def test_learners_who_need_attention_are_listed_with_why(client: Client, people: People) -> None:
    rec = make_record(people)
    flagged = rate(
        rec,
        subject=people.learner2,
        day=today() - dt.timedelta(days=10),
        levels={rec.pc1: Decimal(2)},
    )
    flagged.concerns = ["patient_safety"]
    flagged.save()
    html = home(client, people.director)
    assert "1 learner to look at" in html
    record = reverse("records:learner", args=[people.program.slug, people.learner2.pk])
    assert record in html
    assert "Concern raised: patient safety" in html
    # A learner with nothing raised is not listed
    assert reverse("records:learner", args=[people.program.slug, people.learner.pk]) not in html


def test_the_next_meeting_shows_how_ready_it_is(client: Client, people: People) -> None:
    c = make_committee(people)
    html = home(client, people.coordinator)
    assert "Committee: 2026 Spring" in html
    assert reverse("committees:cycle", args=[people.program.slug, c.cycle.pk]) in html
    reviews = c.cycle.reviews.count()
    pending = c.cycle.reviews.filter(status="pending").count()
    assert f"{pending} awaiting pre-review of {reviews}" in html


def test_a_refused_import_stays_listed_until_an_import_of_its_kind_goes_through(
    client: Client, s: Setup
) -> None:
    p = s.people
    year = s.sched.year
    bad = b"learner_email,rotation,start_date,end_date\nnobody@x.test,Nowhere,2026-13-01,x\n"
    result = schedule_import(
        program=p.program, year=year, filename="block-1.csv", data=bad, acting_user=p.coordinator
    )
    assert not result.ok
    html = home(client, p.director)
    assert "1 import refused" in html
    assert "block-1.csv" in html
    assert f"{len(result.problems)} problem" in html
    # A dry run is a check, not an import: it neither lists nor clears anything
    schedule_import(
        program=p.program, year=year, filename="try.csv", data=bad, acting_user=None, dry_run=True
    )
    assert "try.csv" not in home(client, p.director)
    far = dt.timedelta(days=40)
    b = next(b for b in s.sched.blocks if b.end_date < today() - far or b.start_date > today())
    good = (
        "learner_email,rotation,site,start_date,end_date\n"
        f"{p.learner2.email},CARD,UH,{b.start_date},{b.end_date}\n"
    )
    done = schedule_import(
        program=p.program,
        year=year,
        filename="block-1-fixed.csv",
        data=good.encode(),
        acting_user=p.coordinator,
    )
    assert done.ok, done.problems
    assert "import refused" not in home(client, p.director)
    assert AuditEvent.objects.filter(action="import.done", program=p.program).count() == 1


def test_faculty_see_whom_they_supervise_today_and_what_is_asked_of_them(
    client: Client, s: Setup
) -> None:
    p = s.people
    now = Assignment.objects.create(
        learner=p.learner,
        rotation=s.sched.card,
        site=s.sched.va,
        start_date=today() - dt.timedelta(days=3),
        end_date=today() + dt.timedelta(days=10),
    )
    now.supervisors.set([p.faculty])
    late = ask(s, due=today() - dt.timedelta(days=4), assessor=p.faculty, subject=p.learner2)
    ask(s, due=today() + dt.timedelta(days=6), assessor=p.faculty)
    ask(s, due=today() - dt.timedelta(days=4), assessor=p.committee)  # someone else's
    html = home(client, p.faculty)
    assert "Supervising today" in html
    assert reverse("assessments:rate", args=[p.program.slug, p.learner.pk]) in html
    assert "Asked of you" in html and "2 open, 1 overdue" in html
    assert reverse("assessments:answer", args=[late.token]) in html
    assert "4 days overdue" in html
    # The ended assignment (learner2, three days ago) is not today's
    assert reverse("assessments:rate", args=[p.program.slug, p.learner2.pk]) not in html
