"""Rater links: made by a coordinator (or a learner for themselves), answered once without
an account, every other use a plain "not valid" page; permissions on every door."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from trellis.assessments.links.services import (
    MISS_LIMIT,
    LinkRefused,
    digest_of,
    rater_link_create,
)
from trellis.assessments.models import (
    Assessment,
    AssessmentSource,
    AssessmentStatus,
    Form,
    RaterLink,
)
from trellis.audit.models import AuditEvent
from trellis.testing import People

pytestmark = pytest.mark.django_db


def links_url(people: People) -> str:
    return reverse("assessments-program:rater-links", args=[people.program.slug])


def multisource() -> Form:
    return Form.objects.get(slug="multisource", program=None)


def make(people: People, **kw: object) -> tuple[RaterLink, str]:
    args: dict[str, object] = {
        "program": people.program,
        "form": multisource(),
        "subject": people.learner,
        "rater_role": "nurse",
        "rater_name": "Nell Nurse",
        "acting_user": people.coordinator,
        "may_ask_for_others": True,
    } | kw
    made = rater_link_create(**args)  # type: ignore[arg-type]
    return made.link, made.token


def answer(form: Form, **extra: str) -> dict[str, str]:
    """A complete answer to the multisource form: level 3 on each of its questions."""
    version = form.versions.order_by("-number").first()
    assert version is not None
    data = {
        "client_key": "answer-1",
        "form_version": str(version.pk),
        "observed_on": timezone.localdate().isoformat(),
        "comment-went-well": "Explained the plan to the family clearly.",
        "comment-next-time": "Check understanding with teach-back.",
        "rater_name": "Nell Nurse",
    }
    for q in version.questions.all():
        data[f"rating-{q.item_id}"] = "3"
    return data | extra


def test_a_coordinator_makes_a_link_that_is_e_mailed_and_shown_once(
    client: Client, people: People, django_capture_on_commit_callbacks: Any
) -> None:
    client.force_login(people.coordinator)
    page = client.get(links_url(people))
    assert page.status_code == 200
    key = re.search(r'name="client_key" value="([0-9a-f]+)"', page.content.decode())
    assert key is not None
    data = {
        "client_key": key.group(1),
        "subject": str(people.learner.pk),
        "form": str(multisource().pk),
        "rater_role": "nurse",
        "rater_name": "Nell Nurse",
        "rater_email": "Nell@Hospital.example",
        "days": "14",
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(links_url(people), data)
    html = response.content.decode()
    assert response.status_code == 200 and "The link is ready" in html
    url = re.search(r'id="made-url" type="text" readonly value="([^"]+)"', html)
    assert url is not None and "<svg" in html  # the QR code
    token = url.group(1).rstrip("/").rsplit("/", 1)[1]
    assert len(token) >= 43  # 32 random bytes
    link = RaterLink.objects.get()
    assert link.digest == digest_of(token) and token not in link.digest
    assert link.rater_email == "nell@hospital.example"
    assert AuditEvent.objects.filter(action="rater_link.create").count() == 1
    # The e-mail goes after commit, with the link.
    assert len(mail.outbox) == 1 and url.group(1) in mail.outbox[0].body
    assert mail.outbox[0].to == ["nell@hospital.example"]
    # A repeated submission (Back, a retry) makes no second link.
    again = client.post(links_url(people), data)
    assert "already made" in again.content.decode()
    assert RaterLink.objects.count() == 1 and len(mail.outbox) == 1


def test_the_link_is_answered_once_without_an_account(client: Client, people: People) -> None:
    link, token = make(people)
    url = reverse("rater-link", args=[token])
    page = client.get(url)
    html = page.content.decode()
    assert page.status_code == 200
    assert people.learner.display_name in html and "Multisource feedback" in html
    assert "Save draft" not in html and 'name="assessor_role"' not in html
    response = client.post(url, answer(link.form, assessor_role="faculty"))
    assert response.status_code == 302 and response["Location"] == reverse("rater-link-thanks")
    made = Assessment.objects.get()
    assert made.assessor is None and made.assessor_name == "Nell Nurse"
    assert made.assessor_role == "nurse"  # fixed by the link, whatever was posted
    assert made.source == AssessmentSource.LINK and made.status == AssessmentStatus.SUBMITTED
    assert made.subject == people.learner and made.ratings.count() == 4
    link.refresh_from_db()
    assert link.used_at is not None and link.assessment == made
    # The phone retries the same submission: the same thanks, nothing new.
    retry = client.post(url, answer(link.form))
    assert retry.status_code == 302 and Assessment.objects.count() == 1
    # Anything else on a used link: the plain page, which says nothing about it.
    for again in (client.get(url), client.post(url, answer(link.form, client_key="answer-2"))):
        assert again.status_code == 404
        text = again.content.decode()
        assert "This link is not valid" in text and people.learner.display_name not in text
    assert Assessment.objects.count() == 1


def test_bad_input_is_shown_again_and_nothing_is_saved(client: Client, people: People) -> None:
    link, token = make(people, rater_name="")
    url = reverse("rater-link", args=[token])
    response = client.post(url, answer(link.form, rater_name=""))
    html = response.content.decode()
    assert response.status_code == 400 and "Give your name" in html
    assert "Check understanding with teach-back." in html  # what was typed stays
    assert not Assessment.objects.exists()
    link.refresh_from_db()
    assert link.used_at is None


def test_a_patient_link_is_anonymous_and_asks_no_name(client: Client, people: People) -> None:
    link, token = make(people, rater_role="patient", rater_name="", anonymous=True)
    url = reverse("rater-link", args=[token])
    assert 'name="rater_name"' not in client.get(url).content.decode()
    assert client.post(url, answer(link.form, rater_name="Pat")).status_code == 302
    made = Assessment.objects.get()
    assert made.assessor_role == "patient" and made.assessor_name == ""


def test_the_rules_of_making_a_link(people: People) -> None:
    with pytest.raises(LinkRefused) as e:
        make(people, rater_role="nurse", anonymous=True)
    assert "anonymous" in e.value.problems
    with pytest.raises(LinkRefused) as e:
        make(people, rater_role="patient", anonymous=True, rater_email="p@example.org")
    assert "rater_email" in e.value.problems
    with pytest.raises(LinkRefused) as e:
        make(people, form=Form.objects.get(slug="self-assessment", program=None))
    assert "form" in e.value.problems
    with pytest.raises(LinkRefused) as e:
        make(people, subject=people.faculty)
    assert "subject" in e.value.problems
    make(people, subject=people.learner, acting_user=people.learner, may_ask_for_others=False)
    with pytest.raises(LinkRefused) as e:
        make(people, subject=people.learner2, acting_user=people.learner, may_ask_for_others=False)
    assert "yourself" in e.value.problems["subject"]
    with pytest.raises(LinkRefused) as e:
        make(people, days=61)
    assert "days" in e.value.problems
    assert RaterLink.objects.count() == 1


def test_expired_and_revoked_links_are_not_valid(client: Client, people: People) -> None:
    expired, old = make(people)
    RaterLink.objects.filter(pk=expired.pk).update(
        expires_at=timezone.now() - dt.timedelta(minutes=1)
    )
    assert client.get(reverse("rater-link", args=[old])).status_code == 404
    revoked, token = make(people)
    staff = Client()
    staff.force_login(people.coordinator)
    revoke = reverse(
        "assessments-program:rater-link-revoke", args=[people.program.slug, revoked.pk]
    )
    assert staff.post(revoke).status_code == 302
    assert client.get(reverse("rater-link", args=[token])).status_code == 404
    assert client.post(reverse("rater-link", args=[token]), answer(revoked.form)).status_code == 404
    assert not Assessment.objects.exists()
    assert "Revoked" in staff.get(links_url(people)).content.decode()


def test_an_address_that_keeps_guessing_is_refused(client: Client, people: People) -> None:
    _link, token = make(people)
    for n in range(MISS_LIMIT):
        assert client.get(reverse("rater-link", args=[f"guess{n}"])).status_code == 404
    # Now even a good link is refused from that address, for a while; not from another.
    refused = client.get(reverse("rater-link", args=[token]))
    assert refused.status_code == 429 and "Too many tries" in refused.content.decode()
    other = Client(REMOTE_ADDR="10.0.0.9")
    assert other.get(reverse("rater-link", args=[token])).status_code == 200


def test_who_may_use_the_links_page(client: Client, people: People) -> None:
    url = links_url(people)
    assert client.get(url).status_code == 302  # anonymous: sign in
    for user, status in (
        (people.outsider, 404),
        (people.faculty, 403),
        (people.committee, 403),
        (people.coordinator, 200),
        (people.director, 200),
        (people.learner, 200),
    ):
        client.force_login(user)
        assert client.get(url).status_code == status, user.email


def test_a_learner_asks_about_themselves_and_sees_only_their_links(
    client: Client, people: People
) -> None:
    theirs, _ = make(people, subject=people.learner2)
    client.force_login(people.learner)
    data = {"subject": str(people.learner2.pk), "form": str(multisource().pk),
            "rater_role": "peer", "rater_name": "Pia Peer", "days": "7"}  # fmt: skip
    refused = client.post(links_url(people), data)
    assert refused.status_code == 400 and RaterLink.objects.count() == 1
    made = client.post(links_url(people), data | {"subject": str(people.learner.pk)})
    assert made.status_code == 200 and "The link is ready" in made.content.decode()
    page = client.get(links_url(people)).content.decode()
    assert "Pia Peer" in page and people.learner2.display_name not in page
    revoke = reverse("assessments-program:rater-link-revoke", args=[people.program.slug, theirs.pk])
    assert client.post(revoke).status_code == 404  # not theirs
    theirs.refresh_from_db()
    assert theirs.revoked_at is None


def test_each_anonymous_answer_is_a_rater_of_its_own_in_analytics(
    client: Client, people: People
) -> None:
    from trellis.committees.facts import program_facts

    for n in range(2):
        link, token = make(people, rater_role="patient", rater_name="", anonymous=True)
        url = reverse("rater-link", args=[token])
        assert client.post(url, answer(link.form, client_key=f"p{n}")).status_code == 302
    rows = program_facts(program=people.program).to_pylist()
    patients = {r["rater"] for r in rows if r["assessor_role"] == "patient"}
    assert len(patients) == 2
    assert all("Nell" not in str(r) for r in rows)  # no names in the fact table
