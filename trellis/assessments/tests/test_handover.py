"""Confirm on the learner's phone: a learner starts an observation for the faculty member
who supervises them, the faculty member rates on that phone and confirms with their PIN
(or password); it is recorded as the faculty member's. Wrong PINs are counted, audited
and lock confirmation a while; the form keeps what was typed; a repeat writes nothing."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.contrib.auth.hashers import check_password
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from trellis.assessments.models import Assessment, AssessmentSource, AssessmentStatus
from trellis.assessments.tests.capture_setup import Capture, make_capture
from trellis.audit.models import AuditEvent
from trellis.people.models import ConfirmPin
from trellis.people.pin import PIN_DISABLE, PIN_TRIES, PinRefused, pin_set
from trellis.testing import PASSWORD, People

pytestmark = pytest.mark.django_db

PIN = "4826"


@pytest.fixture
def cap(people: People) -> Capture:
    capture = make_capture(people)
    pin_set(person=people.faculty, pin=PIN, acting_user=people.faculty)
    return capture


def handover_url(people: People, faculty_id: int | None = None) -> str:
    fid = people.faculty.pk if faculty_id is None else faculty_id
    return reverse("assessments:handover", args=[people.program.slug, fid])


def observation(cap: Capture, client: Client, secret: str, **extra: str) -> dict[str, Any]:
    page = client.get(handover_url(cap.people)).content.decode()
    key = re.search(r'name="client_key" value="([0-9a-f]+)"', page)
    assert key is not None
    return {
        "client_key": key.group(1),
        "form_version": str(cap.version.pk),
        "form": str(cap.form.pk),
        "observed_on": timezone.localdate().isoformat(),
        "items": [str(cap.epa1.pk)],
        f"rating-{cap.epa1.pk}": "3",
        "comment-next-time": "Commit to a leading diagnosis.",
        "confirm_secret": secret,
    } | extra


def test_a_faculty_member_sets_a_pin_on_their_account_page(client: Client, people: People) -> None:
    url = reverse("account-pin")
    assert client.get(url).status_code == 302  # anonymous: sign in
    client.force_login(people.faculty)
    first = client.get(url)
    assert first.status_code == 200 and "Set a PIN" in first.content.decode()
    assert "errorlist" not in first.content.decode()
    assert client.post(url, {"pin": "4826", "again": "4827"}).status_code == 400
    assert client.post(url, {"pin": "12ab", "again": "12ab"}).status_code == 400
    assert client.post(url, {"pin": "1234", "again": "1234"}).status_code == 400
    assert client.post(url, {"pin": "123456789", "again": "123456789"}).status_code == 400
    assert not ConfirmPin.objects.exists()
    done = client.post(url, {"pin": PIN, "again": PIN})
    assert done.status_code == 302
    row = ConfirmPin.objects.get(person=people.faculty)
    assert PIN not in row.pin and check_password(PIN, row.pin)  # hashed, like a password
    assert AuditEvent.objects.filter(action="pin.set", actor=people.faculty).count() == 1
    assert "Change your PIN" in client.get(done["Location"]).content.decode()
    assert client.post(url, {"action": "remove"}).status_code == 302
    row.refresh_from_db()
    assert row.pin == ""
    with pytest.raises(PinRefused):
        pin_set(person=people.faculty, pin="7777", acting_user=people.faculty)


def test_the_learner_hands_over_and_the_faculty_member_confirms(
    client: Client, cap: Capture
) -> None:
    people = cap.people
    client.force_login(people.learner)
    home = client.get(reverse("home")).content.decode()
    assert reverse("assessments:handover-start") in home  # the way in, from their home
    start = client.get(reverse("assessments:handover-start")).content.decode()
    assert people.faculty.display_name in start and handover_url(people) in start
    assert people.committee.display_name not in start  # not their supervisor
    page = client.get(handover_url(people))
    html = page.content.decode()
    assert page.status_code == 200 and "no-store" in page["Cache-Control"]
    assert f"For <strong>{people.faculty.display_name}</strong>" in html
    assert "Save draft" not in html and "data-offline" not in html
    data = observation(cap, client, PIN)
    response = client.post(handover_url(people), data)
    made = Assessment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("assessments:handover-done", args=[made.pk])
    assert made.assessor == people.faculty and made.assessor_role == "faculty"
    assert made.subject == people.learner and made.source == AssessmentSource.HANDOVER
    assert made.status == AssessmentStatus.SUBMITTED and made.assignment == cap.sched.first
    assert AuditEvent.objects.get(action="assessment.submit").actor == people.faculty
    # The same POST again (a double tap, a retry): the same page, nothing new.
    again = client.post(handover_url(people), data)
    assert again["Location"] == response["Location"] and Assessment.objects.count() == 1
    done = client.get(response["Location"]).content.decode()
    assert "hand the phone back" in done and "Commit to a leading" not in done
    # The learner reads it afterwards like any assessment about them.
    detail = client.get(reverse("assessments:detail", args=[made.pk]))
    assert detail.status_code == 200 and "Commit to a leading" in detail.content.decode()


def test_a_wrong_pin_keeps_what_was_typed_and_is_counted(client: Client, cap: Capture) -> None:
    people = cap.people
    client.force_login(people.learner)
    data = observation(cap, client, "9371")
    response = client.post(handover_url(people), data)
    html = response.content.decode()
    assert response.status_code == 400 and "not Farah&#x27;s PIN or password" in html
    assert "Commit to a leading diagnosis." in html and data["client_key"] in html
    assert re.search(rf'name="rating-{cap.epa1.pk}" id="[^"]+" value="3" checked', html)
    assert "9371" not in html  # the PIN is never shown again
    assert not Assessment.objects.exists()
    assert ConfirmPin.objects.get(person=people.faculty).failures == 1
    wrong = AuditEvent.objects.get(action="pin.wrong")
    assert wrong.actor == people.learner and wrong.program == people.program
    # Nothing typed is refused the same way; the right PIN then records it.
    assert client.post(handover_url(people), data | {"confirm_secret": ""}).status_code == 400
    assert client.post(handover_url(people), data | {"confirm_secret": PIN}).status_code == 302
    assert Assessment.objects.get().assessor == people.faculty
    assert ConfirmPin.objects.get(person=people.faculty).failures == 0


def test_too_many_wrong_pins_lock_confirmation_a_while(client: Client, cap: Capture) -> None:
    people = cap.people
    client.force_login(people.learner)
    data = observation(cap, client, "0000")
    for _ in range(PIN_TRIES):
        assert client.post(handover_url(people), data).status_code == 400
    locked = client.post(handover_url(people), data | {"confirm_secret": PIN})
    assert locked.status_code == 400 and "Too many wrong tries" in locked.content.decode()
    assert not Assessment.objects.exists()
    row = ConfirmPin.objects.get(person=people.faculty)
    assert row.failures == PIN_TRIES and row.locked_until is not None
    assert AuditEvent.objects.filter(action="pin.wrong").count() == PIN_TRIES
    ConfirmPin.objects.filter(pk=row.pk).update(locked_until=timezone.now() - dt.timedelta(1))
    assert client.post(handover_url(people), data | {"confirm_secret": PIN}).status_code == 302


def test_a_pin_guessed_at_too_long_stops_working_but_the_password_confirms(
    client: Client, cap: Capture
) -> None:
    people = cap.people
    ConfirmPin.objects.filter(person=people.faculty).update(failures=PIN_DISABLE)
    client.force_login(people.learner)
    data = observation(cap, client, PIN)
    assert client.post(handover_url(people), data).status_code == 400
    assert client.post(handover_url(people), data | {"confirm_secret": PASSWORD}).status_code == 302
    assert Assessment.objects.get().assessor == people.faculty


def test_without_password_sign_in_only_the_pin_confirms(
    client: Client, cap: Capture, settings: Any
) -> None:
    settings.PASSWORD_SIGN_IN = False
    people = cap.people
    client.force_login(people.learner)
    data = observation(cap, client, PASSWORD)
    assert client.post(handover_url(people), data).status_code == 400
    assert client.post(handover_url(people), data | {"confirm_secret": PIN}).status_code == 302


def test_who_may_hand_over_and_to_whom(client: Client, cap: Capture) -> None:
    people = cap.people
    start = reverse("assessments:handover-start")
    url = handover_url(people)
    assert client.get(start).status_code == 302 and client.get(url).status_code == 302
    for user, start_status, form_status in (
        (people.outsider, 403, 404),
        (people.faculty, 403, 403),
        (people.coordinator, 403, 403),
        (people.learner2, 200, 404),  # Farah does not supervise Luis
        (people.learner, 200, 200),
    ):
        client.force_login(user)
        assert client.get(start).status_code == start_status, user.email
        assert client.get(url).status_code == form_status, user.email
    client.force_login(people.learner)
    assert client.post(start).status_code == 405
    for someone in (people.committee, people.director, people.learner, people.outsider):
        assert client.get(handover_url(people, someone.pk)).status_code == 404, someone.email
    assert client.get(url, {"form": "999999"}).status_code == 404
    # The page after: only the learner it is about, and only for a handed-over one.
    data = observation(cap, client, PIN)
    done = client.post(url, data)["Location"]
    assert client.get(done).status_code == 200
    for user in (people.learner2, people.faculty, people.outsider):
        client.force_login(user)
        assert client.get(done).status_code == 404, user.email
