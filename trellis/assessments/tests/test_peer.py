"""Peer feedback: a learner rates a fellow learner of the program on the peer form, as a
peer; learners they worked beside lately come first; nobody else uses these pages."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client
from django.utils import timezone

from trellis.assessments.access import peer_form
from trellis.assessments.models import Assessment, AssessorRole
from trellis.assessments.tests.capture_setup import Capture, make_capture
from trellis.scheduling.models import Assignment
from trellis.testing import People

pytestmark = pytest.mark.django_db


@pytest.fixture
def cap(people: People) -> Capture:
    return make_capture(people)


def url(cap: Capture, who: int | None = None) -> str:
    base = "/assess/im-residency/peers/"
    return base if who is None else f"{base}{who}/"


def test_a_learner_gives_a_peer_feedback_once(client: Client, cap: Capture) -> None:
    learner, peer = cap.people.learner, cap.people.learner2
    client.force_login(learner)
    page = client.get(url(cap, peer.pk)).content.decode()
    form = peer_form(program=cap.people.program)
    assert form is not None and form.title in page
    assert "Use another form" not in page
    version = form.versions.order_by("-number").first()
    assert version is not None
    key = re.search(r'name="client_key" value="([^"]+)"', page)
    assert key is not None
    data = {
        "form_version": version.pk,
        "client_key": key.group(1),
        **{f"rating-{q.item_id}": "3" for q in version.questions.all()},
        "comment-next-time": "Next time, hand over the pending labs at sign-out.",
        "observed_on": timezone.localdate().isoformat(),
        "action": "submit",
    }
    assert data.keys() > {"form_version"} and version.questions.exists()
    r = client.post(url(cap, peer.pk), data)
    assert r.status_code == 302, r.content.decode()[:2000]
    client.post(url(cap, peer.pk), data)  # sent twice
    made = Assessment.objects.get()
    assert (made.subject, made.assessor, made.assessor_role) == (peer, learner, AssessorRole.PEER)
    client.force_login(peer)
    assert client.get(f"/assess/a/{made.pk}/").status_code == 200  # about them, named


def test_who_may_give_peer_feedback(client: Client, cap: Capture) -> None:
    peer = cap.people.learner2
    for who, listing, rating in (
        ("learner", 200, 200),
        ("faculty", 403, 403),
        ("director", 403, 403),
        ("coordinator", 403, 403),
        ("outsider", 404, 404),
    ):
        client.force_login(getattr(cap.people, who))
        got = (client.get(url(cap)).status_code, client.get(url(cap, peer.pk)).status_code)
        assert got == (listing, rating), who
    client.force_login(cap.people.learner)
    assert client.get(url(cap, cap.people.learner.pk)).status_code == 403  # not themself
    assert client.get(url(cap, cap.people.faculty.pk)).status_code == 404  # not a learner


def test_those_worked_beside_lately_come_first(client: Client, cap: Capture) -> None:
    first = cap.sched.first  # the learner on Wards now
    Assignment.objects.create(
        learner=cap.people.learner2,
        rotation=first.rotation,
        site=first.site,
        start_date=first.start_date,
        end_date=first.end_date + dt.timedelta(days=0),
    )
    client.force_login(cap.people.learner)
    page = client.get(url(cap)).content.decode()
    assert "worked beside you lately" in page
    assert page.index("Luis Alvarez") < page.index("worked beside you lately")
