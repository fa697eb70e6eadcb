"""The patient kiosk: started by a coordinator or director, answered by one patient after
another without an account (a fresh empty form each time, a double tap counted once),
anonymous on the learner's record; ended, expired or guessed it is a bad rater link."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from trellis.assessments.evidence import evidence_filter
from trellis.assessments.kiosk.services import kiosk_start
from trellis.assessments.links.services import MISS_LIMIT, LinkRefused, digest_of
from trellis.assessments.models import (
    Assessment,
    AssessmentSource,
    AssessmentStatus,
    Form,
    KioskSession,
    Rating,
)
from trellis.assessments.tests.test_rater_links import answer, multisource
from trellis.audit.models import AuditEvent
from trellis.people.models import Role
from trellis.testing import People, add_member, make_user

pytestmark = pytest.mark.django_db


def kiosks_url(people: People) -> str:
    return reverse("assessments-program:kiosks", args=[people.program.slug])


def start(people: People, **kw: object) -> tuple[KioskSession, str]:
    args: dict[str, object] = {
        "program": people.program,
        "form": multisource(),
        "learners": [people.learner],
        "acting_user": people.coordinator,
    } | kw
    started = kiosk_start(**args)  # type: ignore[arg-type]
    return started.kiosk, started.token


def patient(form: Form, key: str, **extra: str) -> dict[str, str]:
    return answer(form, client_key=key, rater_name="", **extra)


def key_of(html: str) -> str:
    found = re.search(r'name="client_key" value="([0-9a-f]+)"', html)
    assert found is not None
    return found.group(1)


def test_a_coordinator_starts_a_kiosk_whose_address_is_shown_once(
    client: Client, people: People
) -> None:
    client.force_login(people.coordinator)
    links = client.get(reverse("assessments-program:rater-links", args=[people.program.slug]))
    assert kiosks_url(people) in links.content.decode()  # the way in, from the links page
    page = client.get(kiosks_url(people))
    assert page.status_code == 200
    data = {
        "client_key": key_of(page.content.decode()),
        "learners": [str(people.learner.pk)],
        "form": str(multisource().pk),
        "label": "Tuesday clinic",
        "hours": "4",
    }
    response = client.post(kiosks_url(people), data)
    html = response.content.decode()
    assert response.status_code == 200 and "The kiosk is ready" in html and "<svg" in html
    url = re.search(r'id="started-url" type="text" readonly value="([^"]+)"', html)
    assert url is not None
    token = url.group(1).rstrip("/").rsplit("/", 1)[1]
    assert len(token) >= 43  # 32 random bytes
    kiosk = KioskSession.objects.get()
    assert kiosk.digest == digest_of(token) and list(kiosk.learners.all()) == [people.learner]
    expected = timezone.now() + dt.timedelta(hours=4)
    assert abs((kiosk.expires_at - expected).total_seconds()) < 60
    assert AuditEvent.objects.filter(action="kiosk.start").count() == 1
    # A repeated submission starts no second kiosk, and never shows the address again.
    again = client.post(kiosks_url(people), data).content.decode()
    assert "already started" in again and token not in again
    assert KioskSession.objects.count() == 1
    assert "Tuesday clinic" in again and "Open until" in again


def test_patients_answer_one_after_another_and_each_answer_counts_once(
    client: Client, people: People
) -> None:
    kiosk, token = start(people)
    url = reverse("kiosk", args=[token])
    first = client.get(url)
    html = first.content.decode()
    assert first.status_code == 200 and people.learner.display_name in html
    assert "no-store" in first["Cache-Control"]  # Back never shows an earlier page
    assert 'autocomplete="off"' in html and 'name="rater_name"' not in html
    assert "Save draft" not in html and "data-offline" not in html
    assert "site-nav" not in html and "Sign out" not in html  # nowhere to go from the tablet
    key = key_of(html)
    data = patient(kiosk.form, key, **{"comment-went-well": "Kind and clear, thank you."})
    done = client.post(url, data)
    assert done.status_code == 302 and done["Location"] == reverse("kiosk-thanks", args=[token])
    twice = client.post(url, data)  # a double tap: the same key
    assert twice.status_code == 302 and Assessment.objects.count() == 1
    made = Assessment.objects.get()
    assert made.subject == people.learner and made.assessor is None
    assert made.assessor_role == "patient" and made.assessor_name == ""
    assert made.source == AssessmentSource.KIOSK and made.status == AssessmentStatus.SUBMITTED
    assert made.ratings.count() == 4
    audit = AuditEvent.objects.get(action="assessment.submit")
    assert audit.actor is None
    thanks = client.get(done["Location"])
    assert thanks.status_code == 200 and "Thank you" in thanks.content.decode()
    assert "no-store" in thanks["Cache-Control"]
    # The next patient gets an empty form with a fresh key: nothing of the last answer.
    second = client.get(url).content.decode()
    assert key_of(second) != key and "Kind and clear" not in second
    assert client.post(url, patient(kiosk.form, key_of(second))).status_code == 302
    kiosk.refresh_from_db()
    assert kiosk.submissions == 2 and Assessment.objects.count() == 2


def test_bad_input_is_shown_again_and_nothing_is_saved(client: Client, people: People) -> None:
    kiosk, token = start(people)
    url = reverse("kiosk", args=[token])
    data = patient(kiosk.form, "k1", observed_on="2001-01-01")
    data = {k: v for k, v in data.items() if not k.startswith("rating-")}
    data["comment-went-well"] = "x" * 20_001
    response = client.post(url, data)
    assert response.status_code == 400 and "Check understanding" in response.content.decode()
    assert not Assessment.objects.exists()
    kiosk.refresh_from_db()
    assert kiosk.submissions == 0


def test_a_patient_answer_stays_anonymous_to_the_learner(client: Client, people: People) -> None:
    kiosk, token = start(people)
    client.post(reverse("kiosk", args=[token]), patient(kiosk.form, "k1"))
    made = Assessment.objects.get()
    learner = Client()
    learner.force_login(people.learner)
    page = learner.get(reverse("assessments:detail", args=[made.pk]))
    html = page.content.decode()
    assert page.status_code == 200 and "an unnamed assessor (patient)" in html
    # It counts as evidence on the learner's record, as a rater link's patient answer does.
    counted = Rating.objects.filter(
        evidence_filter(program=people.program, start=None, end=None), assessment=made
    )
    assert counted.count() == 4


def test_a_clinic_session_kiosk_asks_whom_the_patient_saw(client: Client, people: People) -> None:
    kiosk, token = start(people, learners=[people.learner, people.learner2])
    url = reverse("kiosk", args=[token])
    choose = client.get(url).content.decode()
    assert "Who looked after you today?" in choose
    assert people.learner.display_name in choose and people.learner2.display_name in choose
    assert 'name="client_key"' not in choose
    form = client.get(url, {"learner": people.learner2.pk}).content.decode()
    assert people.learner2.display_name in form and "Choose again" in form
    posted = patient(kiosk.form, "k1", learner=str(people.learner2.pk))
    assert client.post(url, posted).status_code == 302
    assert Assessment.objects.get().subject == people.learner2
    # Someone not on the kiosk's list: the choice again, nothing recorded.
    outsider = patient(kiosk.form, "k2", learner=str(people.faculty.pk))
    response = client.post(url, outsider)
    assert (
        response.status_code == 200 and "Who looked after you today?" in response.content.decode()
    )
    assert Assessment.objects.count() == 1


def test_the_rules_of_starting_a_kiosk(people: People) -> None:
    with pytest.raises(LinkRefused) as e:
        start(people, learners=[people.faculty])
    assert "learners" in e.value.problems
    with pytest.raises(LinkRefused) as e:
        start(people, learners=[])
    assert "learners" in e.value.problems
    many = [make_user(f"l{n}@riverside.test", "L", f"Learner{n}") for n in range(9)]
    for person in many:
        add_member(person, people.program, Role.LEARNER, training_year=1)
    with pytest.raises(LinkRefused) as e:
        start(people, learners=many)
    assert "at most 8" in e.value.problems["learners"]
    with pytest.raises(LinkRefused) as e:
        start(people, form=Form.objects.get(slug="self-assessment", program=None))
    assert "form" in e.value.problems
    with pytest.raises(LinkRefused) as e:
        start(people, hours=13)
    assert "hours" in e.value.problems
    assert not KioskSession.objects.exists()


def test_ended_expired_and_guessed_kiosks_are_not_valid(client: Client, people: People) -> None:
    expired, old = start(people)
    KioskSession.objects.filter(pk=expired.pk).update(
        expires_at=timezone.now() - dt.timedelta(minutes=1)
    )
    ended, token = start(people)
    staff = Client()
    staff.force_login(people.coordinator)
    end = reverse("assessments-program:kiosk-end", args=[people.program.slug, ended.pk])
    assert staff.post(end).status_code == 302
    ended.refresh_from_db()
    assert ended.ended_at is not None and ended.ended_by == people.coordinator
    assert AuditEvent.objects.filter(action="kiosk.end").count() == 1
    for url in (
        reverse("kiosk", args=[old]),
        reverse("kiosk", args=[token]),
        reverse("kiosk", args=["guessed" + "x" * 40]),
        reverse("kiosk-thanks", args=[token]),
    ):
        response = client.get(url)
        text = response.content.decode()
        assert response.status_code == 404 and "This link is not valid" in text, url
        assert people.learner.display_name not in text
    assert client.post(reverse("kiosk", args=[token]), patient(ended.form, "k")).status_code == 404
    assert not Assessment.objects.exists()
    assert "Ended" in staff.get(kiosks_url(people)).content.decode()


def test_an_address_that_keeps_guessing_kiosks_is_refused(client: Client, people: People) -> None:
    _kiosk, token = start(people)
    for n in range(MISS_LIMIT):
        assert client.get(reverse("kiosk", args=[f"guess{n}"])).status_code == 404
    refused = client.get(reverse("kiosk", args=[token]))
    assert refused.status_code == 429 and "Too many tries" in refused.content.decode()
    # The misses are the rater links' own: a rater link from that address is refused too.
    assert client.get(reverse("rater-link", args=["guess"])).status_code == 429
    assert Client(REMOTE_ADDR="10.0.0.9").get(reverse("kiosk", args=[token])).status_code == 200


def test_opening_the_kiosk_here_signs_the_coordinator_out(client: Client, people: People) -> None:
    _kiosk, token = start(people)
    client.force_login(people.coordinator)
    response = client.post(reverse("kiosk-open"), {"token": token})
    assert response.status_code == 302 and response["Location"] == reverse("kiosk", args=[token])
    assert client.get(kiosks_url(people)).status_code == 302  # signed out: to the sign-in page
    assert client.get(reverse("kiosk-open")).status_code == 405
    assert client.post(reverse("kiosk-open"), {"token": "nothing"}).status_code == 404


def test_who_may_start_and_end_kiosks(client: Client, people: People) -> None:
    url = kiosks_url(people)
    kiosk, _ = start(people)
    end = reverse("assessments-program:kiosk-end", args=[people.program.slug, kiosk.pk])
    assert client.get(url).status_code == 302  # anonymous: sign in
    assert client.post(end).status_code == 302 and "login" in client.post(end)["Location"]
    for user, status in (
        (people.outsider, 404),
        (people.learner, 403),
        (people.faculty, 403),
        (people.committee, 403),
        (people.coordinator, 200),
        (people.director, 200),
    ):
        client.force_login(user)
        assert client.get(url).status_code == status, user.email
        if status != 200:
            assert client.post(end).status_code == status, user.email
    client.force_login(people.director)
    assert client.get(end).status_code == 405
    other = reverse("assessments-program:kiosk-end", args=[people.other_program.slug, kiosk.pk])
    assert client.post(other).status_code == 404  # not the director's program
    kiosk.refresh_from_db()
    assert kiosk.ended_at is None
    assert client.post(end).status_code == 302
    # The rater-links page offers kiosks to coordinators and directors, not to learners.
    links = reverse("assessments-program:rater-links", args=[people.program.slug])
    assert url in client.get(links).content.decode()
    client.force_login(people.learner)
    assert url not in client.get(links).content.decode()
