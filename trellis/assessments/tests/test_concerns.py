"""A concern raised on a form: stored with the assessment, e-mailed to the program's
directors once it is submitted (not for a draft), and shown on the program view."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from trellis.assessments.capture.services import AssessmentRefused
from trellis.assessments.models import Assessment
from trellis.assessments.tests.capture_setup import Capture, make_capture
from trellis.assessments.tests.test_capture_service import submit
from trellis.assessments.tests.test_capture_views import post_data, rate_url
from trellis.testing import People

pytestmark = pytest.mark.django_db


@pytest.fixture
def cap(people: People) -> Capture:
    return make_capture(people)


def test_a_concern_reaches_the_director_once_submitted(
    cap: Capture, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        submit(cap, concerns=["patient_safety"], draft=True, client_key="d-1")
    assert mail.outbox == []  # a draft tells nobody
    with django_capture_on_commit_callbacks(execute=True):
        result = submit(cap, concerns=["patient_safety", "professionalism"], client_key="k-9")
    assert result.assessment.concerns == ["patient_safety", "professionalism"]
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [cap.people.director.email]
    assert "Lena Park" in message.subject and "patient safety" in message.subject
    assert reverse("assessments:detail", args=[result.assessment.pk]) in message.body
    assert "Commit to a leading diagnosis" not in message.body  # the words stay in Trellis
    with pytest.raises(AssessmentRefused) as refused:
        submit(cap, concerns=["gossip"], client_key="k-10")
    assert "concerns" in refused.value.problems


def test_the_form_raises_it_and_the_program_view_shows_it(
    client: Client, cap: Capture, django_capture_on_commit_callbacks: Any
) -> None:
    client.force_login(cap.people.faculty)
    page = client.get(rate_url(cap)).content.decode()
    assert "I have a concern about professionalism" in page
    data = post_data(cap, page) | {"concern": ["professionalism"]}
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(rate_url(cap), data).status_code == 302
    made = Assessment.objects.get()
    assert made.concerns == ["professionalism"] and len(mail.outbox) == 1
    client.force_login(cap.people.director)  # the e-mail's link: the assessment, with it
    detail = client.get(reverse("assessments:detail", args=[made.pk])).content.decode()
    assert "Concern raised about professionalism" in detail
    client.force_login(cap.people.director)
    view = client.get(reverse("records:program", args=[cap.people.program.slug]))
    rows = {r.learner.pk: r for r in view.context["overview"].rows}
    assert rows[cap.people.learner.pk].flags[0].startswith("Concern raised: professionalism")
    assert not any(f.startswith("Concern") for f in rows[cap.people.learner2.pk].flags)
