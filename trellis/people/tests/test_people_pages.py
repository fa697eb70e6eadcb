"""A program's People pages: who may use them, adding a person, inviting, changing and
ending a membership; each change with its audit row."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from trellis.audit.models import AuditEvent
from trellis.people.models import Membership, Role, User
from trellis.testing import People

SLUG = "im-residency"
# session, user, program, the viewer's roles, the roster, the last turn
QUERIES = 6


def url(name: str, *args: object) -> str:
    return reverse(f"people:{name}", args=[SLUG, *args])


def learner_membership(people: People) -> Membership:
    return Membership.objects.get(person=people.learner, program=people.program)


def pages(people: People) -> list[str]:
    pk = learner_membership(people).pk
    return [
        url("roster"),
        url("add"),
        url("membership", pk),
        url("import"),
        url("promote"),
        url("acgme"),
    ]


def test_anonymous_is_sent_to_sign_in(client: Client, people: People) -> None:
    for page in [*pages(people), url("invite", learner_membership(people).pk)]:
        response = client.get(page)
        assert response.status_code == 302, page
        assert response["Location"].startswith(reverse("login")), page


@pytest.mark.parametrize("who", ["learner", "faculty", "committee", "outsider", "fd_lead"])
def test_members_who_do_not_manage_the_program_get_404(
    client: Client, people: People, who: str
) -> None:
    client.force_login(getattr(people, who))
    pk = learner_membership(people).pk
    for page in pages(people):
        assert client.get(page).status_code == 404, (who, page)
    assert client.post(url("invite", pk)).status_code == 404
    assert client.post(url("add"), {"email": "x@y.test"}).status_code == 404
    assert not Membership.objects.filter(person__email="x@y.test").exists()


@pytest.mark.parametrize("who", ["coordinator", "director", "admin"])
def test_managers_open_every_page(client: Client, people: People, who: str) -> None:
    client.force_login(getattr(people, who))
    for page in pages(people):
        assert client.get(page).status_code == 200, (who, page)
    assert client.get(url("invite", learner_membership(people).pk)).status_code == 405


def test_the_program_page_links_people_for_managers_only(client: Client, people: People) -> None:
    client.force_login(people.coordinator)
    home = client.get(reverse("program-detail", args=[SLUG])).content.decode()
    assert url("roster") in home
    client.force_login(people.faculty)
    assert url("roster") not in client.get(reverse("program-detail", args=[SLUG])).content.decode()


def test_the_roster_groups_current_members_by_role_and_hides_ended_ones(
    client: Client, people: People
) -> None:
    m = Membership.objects.get(person=people.learner2, program=people.program)
    m.end_date = dt.date(2021, 6, 30)
    m.save()
    client.force_login(people.coordinator)
    page = client.get(url("roster")).content.decode()
    assert "Lena Park" in page and "Luis Alvarez" not in page
    headings = re.findall(r'<h3 id="role-(\w+)">', page)
    assert headings == ["learner", "faculty", "coordinator", "director", "committee"]
    ended = client.get(url("roster"), {"show": "ended"}).content.decode()
    assert "Luis Alvarez" in ended and "Lena Park" not in ended
    only = client.get(url("roster"), {"role": "faculty"}).content.decode()
    assert "Farah Mendes" in only and "Lena Park" not in only


def test_a_coordinator_cannot_change_or_make_a_director(client: Client, people: People) -> None:
    client.force_login(people.coordinator)
    director = Membership.objects.get(person=people.director, role=Role.DIRECTOR)
    assert client.get(url("membership", director.pk)).status_code == 404
    assert 'value="director"' not in client.get(url("add")).content.decode()
    response = client.post(url("add"), _new(role="director"))
    assert response.status_code == 400
    assert not User.objects.filter(email="nadia.roy@riverside.test").exists()


def _new(**changes: Any) -> dict[str, Any]:
    data = {
        "email": "nadia.roy@riverside.test",
        "first_name": "Nadia",
        "last_name": "Roy",
        "role": "learner",
        "training_year": "1",
        "start_date": "2026-07-01",
    }
    return {**data, **changes}


def test_it_adds_a_new_person_once_with_an_audit_row(client: Client, people: People) -> None:
    client.force_login(people.coordinator)
    response = client.post(url("add"), _new())
    assert response.status_code == 302
    person = User.objects.get(email="nadia.roy@riverside.test")
    assert not person.has_usable_password()
    m = Membership.objects.get(person=person, program=people.program)
    assert (m.role, m.training_year, m.start_date) == ("learner", 1, dt.date(2026, 7, 1))
    added = AuditEvent.objects.get(action="membership.add", target_id=str(m.pk))
    assert added.actor == people.coordinator and added.program == people.program
    assert AuditEvent.objects.filter(action="person.create", target_id=str(person.pk)).exists()
    # The same POST again (a double click, a back-and-resubmit) adds nothing.
    again = client.post(url("add"), _new())
    assert again.status_code == 400
    assert "already learner" in again.content.decode()
    assert Membership.objects.filter(person=person).count() == 1
    assert mail.outbox == []


def test_a_known_email_reuses_the_person(client: Client, people: People) -> None:
    client.force_login(people.director)
    response = client.post(
        url("add"),
        _new(
            email="Faculty@Riverside.test",
            first_name="",
            last_name="",
            role="committee",
            training_year="",
        ),
    )
    assert response.status_code == 302
    assert User.objects.filter(email__iexact="faculty@riverside.test").count() == 1
    assert Membership.objects.filter(person=people.faculty, role=Role.COMMITTEE).exists()
    assert people.faculty.first_name == User.objects.get(pk=people.faculty.pk).first_name


def test_a_form_error_shows_again_what_was_typed(client: Client, people: People) -> None:
    client.force_login(people.coordinator)
    response = client.post(url("add"), _new(training_year="9", first_name="Nadia-Typed"))
    assert response.status_code == 400
    page = response.content.decode()
    assert "must be between 1 and 3" in page
    assert 'value="Nadia-Typed"' in page and 'value="nadia.roy@riverside.test"' in page
    assert 'value="9"' in page
    missing = client.post(url("add"), _new(first_name="", last_name=""))
    assert (
        missing.status_code == 400 and "needs a first and a last name" in missing.content.decode()
    )
    assert not User.objects.filter(email="nadia.roy@riverside.test").exists()


def test_the_invitation_sets_a_password_and_lets_them_sign_in(
    client: Client, people: People, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.SITE_URL = "https://trellis.example.edu"
    client.force_login(people.coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url("add"), _new(invite="on")).status_code == 302
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["nadia.roy@riverside.test"]
    assert "Internal Medicine Residency" in message.subject
    link = re.search(r"https://trellis\.example\.edu(/accounts/reset/\S+)", message.body)
    assert link is not None
    person = User.objects.get(email="nadia.roy@riverside.test")
    assert AuditEvent.objects.filter(action="person.invite", target_id=str(person.pk)).exists()

    stranger = Client()
    form = stranger.get(link.group(1), follow=True)
    assert "Choose a new password" in form.content.decode()
    new = "a-brand-new-passphrase-42"
    done = stranger.post(
        form.redirect_chain[-1][0], {"new_password1": new, "new_password2": new}, follow=True
    )
    assert "Your new password is saved" in done.content.decode()
    assert Client().login(username="nadia.roy@riverside.test", password=new)
    # Spent: the same link no longer works.
    assert "This link has expired" in Client().get(link.group(1), follow=True).content.decode()


def test_an_invitation_can_be_sent_again_from_the_membership(
    client: Client, people: People, django_capture_on_commit_callbacks: Any
) -> None:
    client.force_login(people.coordinator)
    pk = learner_membership(people).pk
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("invite", pk))
    assert response["Location"] == url("membership", pk)
    assert mail.outbox[0].to == [people.learner.email]
    assert "/accounts/reset/" in mail.outbox[0].body


def test_it_changes_a_training_year_in_place(client: Client, people: People) -> None:
    client.force_login(people.coordinator)
    m = learner_membership(people)
    response = client.post(
        url("membership", m.pk),
        {"action": "change", "role": "learner", "training_year": "2", "on": "2026-07-01"},
    )
    assert response.status_code == 302
    m.refresh_from_db()
    assert m.training_year == 2
    event = AuditEvent.objects.get(action="membership.training_year", target_id=str(m.pk))
    assert (event.before, event.after) == ({"training_year": 1}, {"training_year": 2})


def test_a_new_role_ends_the_old_membership_and_starts_another(
    client: Client, people: People
) -> None:
    client.force_login(people.director)
    m = learner_membership(people)
    response = client.post(
        url("membership", m.pk),
        {"action": "change", "role": "faculty", "training_year": "", "on": "2026-07-01"},
    )
    assert response.status_code == 302
    m.refresh_from_db()
    assert m.end_date == dt.date(2026, 6, 30)
    new = Membership.objects.get(person=people.learner, role=Role.FACULTY)
    assert (new.start_date, new.end_date, new.training_year) == (dt.date(2026, 7, 1), None, None)
    assert AuditEvent.objects.filter(action="membership.end", target_id=str(m.pk)).exists()
    assert AuditEvent.objects.filter(action="membership.add", target_id=str(new.pk)).exists()
    trail = client.get(reverse("program-audit", args=[SLUG])).content.decode()
    assert "membership.end" in trail and "membership.add" in trail


def test_it_ends_a_membership_keeping_the_row(client: Client, people: People) -> None:
    client.force_login(people.coordinator)
    m = learner_membership(people)
    response = client.post(url("membership", m.pk), {"action": "end", "end-end_date": "2026-06-30"})
    assert response.status_code == 302
    m.refresh_from_db()
    assert m.end_date == dt.date(2026, 6, 30)
    event = AuditEvent.objects.get(action="membership.end", target_id=str(m.pk))
    assert event.actor == people.coordinator and event.after == {"end_date": "2026-06-30"}
    before_start = client.post(
        url("membership", m.pk), {"action": "end", "end-end_date": "2019-01-01"}
    )
    assert before_start.status_code == 400
    assert "cannot end before it starts" in before_start.content.decode()


def test_the_roster_reads_in_a_fixed_number_of_queries(
    client: Client, people: People, django_assert_num_queries: Any
) -> None:
    client.force_login(people.coordinator)
    client.get(url("roster"))  # the session and its user are read once per request anyway
    with django_assert_num_queries(QUERIES):
        client.get(url("roster"))
    for n in range(5):
        client.force_login(people.coordinator)
        client.post(url("add"), _new(email=f"extra{n}@riverside.test"))
    with django_assert_num_queries(QUERIES):  # five more people, not five more queries
        page = client.get(url("roster")).content.decode()
    assert "extra4@riverside.test" in page.replace("<wbr>", "")  # breaks after @, before dots
