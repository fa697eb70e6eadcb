"""Coaching: a coordinator assigns a coach; the learner and the coach write notes to each
other; the learner writes plans the coach reviews; the committee sees a note or a plan
only once the learner opens it to them; the coach reads the learner's record."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from trellis.audit.models import AuditEvent
from trellis.plans.coaching import coach_of
from trellis.plans.models import CoachingNote, Plan
from trellis.records.tests.factories import Record, make_record
from trellis.testing import People

pytestmark = pytest.mark.django_db
BASE = "/programs/im-residency/coaching/"


@pytest.fixture
def rec(people: People) -> Record:
    return make_record(people)


def assign(client: Client, people: People) -> None:
    client.force_login(people.coordinator)
    r = client.post(f"{BASE}assign/", {"learner": people.learner.pk, "coach": people.faculty.pk})
    assert r.status_code == 302


def page(people: People) -> str:
    return f"{BASE}learners/{people.learner.pk}/"


def test_a_coaching_from_assignment_to_a_reviewed_plan(client: Client, rec: Record) -> None:
    people = rec.people
    assign(client, people)
    coaching = coach_of(program=people.program, learner=people.learner)
    assert coaching is not None and coaching.coach == people.faculty
    assert AuditEvent.objects.filter(action="coaching.assign").count() == 1
    # The learner writes a plan of their own and a note; the coach answers and reviews.
    client.force_login(people.learner)
    r = client.post(
        f"{BASE}plans/new/",
        {
            "item": rec.pc1.pk,
            "current_level": "2",
            "target_level": "3",
            "actions": "Present every new admission to my senior before noon.",
        },
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    plan = Plan.objects.get(owner=people.learner, program=people.program)
    assert not plan.shared_with_program
    client.post(f"{page(people)}notes/", {"text": "I want to work on my presentations."})
    client.force_login(people.faculty)
    client.post(f"{page(people)}notes/", {"text": "Let's meet after Friday's clinic."})
    client.post(f"{page(people)}plans/{plan.pk}/review/", {"note": "Good, specific plan."})
    plan.refresh_from_db()
    assert plan.reviewed_by == people.faculty and plan.review_note == "Good, specific plan."
    html = client.get(page(people)).content.decode()
    assert "I want to work on my presentations." in html and "Good, specific plan." in html
    # The coach reads the record, the learner's private plan on it included.
    record = reverse("records:learner", args=[people.program.slug, people.learner.pk])
    assert "Present every new admission" in client.get(record).content.decode()
    # The committee (program staff) sees neither note nor plan until the learner opens them.
    client.force_login(people.director)
    staff_view = client.get(record).content.decode()
    assert "Present every new admission" not in staff_view
    assert "I want to work on my presentations." not in staff_view
    client.force_login(people.learner)
    note = CoachingNote.objects.get(author=people.learner)
    client.post(f"{page(people)}notes/{note.pk}/share/", {"shared": "1"})
    client.post(f"{page(people)}plans/{plan.pk}/share/", {"shared": "1"})
    client.force_login(people.director)
    staff_view = client.get(record).content.decode()
    assert "Present every new admission" in staff_view
    assert "I want to work on my presentations." in staff_view
    assert "Let&#x27;s meet after Friday" not in staff_view  # the coach's note stays theirs


def test_who_may_use_the_coaching_pages(client: Client, rec: Record) -> None:
    people = rec.people
    assign(client, people)
    for who, overview, learner_page in (
        ("coordinator", 200, 403),
        ("director", 200, 403),
        ("faculty", 200, 200),  # the coach
        ("committee", 200, 403),  # faculty too, coaching no one
        ("learner", 302, 200),  # to their own page
        ("learner2", 302, 403),
        ("outsider", 404, 404),
    ):
        client.force_login(getattr(people, who))
        got = (client.get(BASE).status_code, client.get(page(people)).status_code)
        assert got == (overview, learner_page), who
    for who, status in (("faculty", 403), ("learner", 403), ("outsider", 404)):
        client.force_login(getattr(people, who))
        r = client.post(
            f"{BASE}assign/", {"learner": people.learner.pk, "coach": people.committee.pk}
        )
        assert r.status_code == status, who
    coaching = coach_of(program=people.program, learner=people.learner)
    assert coaching is not None and coaching.coach == people.faculty
    # Only the learner shares a note; only the coach reviews; nobody else writes.
    client.force_login(people.faculty)
    client.post(f"{page(people)}notes/", {"text": "Coach's note."})
    note = CoachingNote.objects.get()
    client.post(f"{page(people)}notes/{note.pk}/share/", {"shared": "1"})
    note.refresh_from_db()
    assert not note.shared_with_committee
    client.force_login(people.learner2)
    assert client.post(f"{page(people)}notes/", {"text": "Intruder."}).status_code == 403
    assert CoachingNote.objects.count() == 1


def test_a_new_coach_ends_the_old_coaching_and_takes_its_access(
    client: Client, rec: Record
) -> None:
    people = rec.people
    assign(client, people)
    client.post(f"{BASE}assign/", {"learner": people.learner.pk, "coach": people.committee.pk})
    client.force_login(people.faculty)  # no longer the coach: not their supervisee either
    assert client.get(page(people)).status_code == 403
    client.force_login(people.committee)
    assert client.get(page(people)).status_code == 200


def test_a_bad_plan_is_refused_and_keeps_what_was_typed(client: Client, rec: Record) -> None:
    client.force_login(rec.people.learner)
    r = client.post(
        f"{BASE}plans/new/",
        {"item": rec.pc1.pk, "current_level": "3", "target_level": "2", "actions": "Read more."},
    )
    assert r.status_code == 400
    text = r.content.decode()
    assert "The target level must be above the current level." in text and "Read more." in text
    assert not Plan.objects.exists()
