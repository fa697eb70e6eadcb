"""The installable app's resources and the answers a script-sent observation gets."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from trellis.assessments.capture.selectors import assessment_by_client_key
from trellis.assessments.models import Assessment, AssessmentStatus
from trellis.assessments.tests.capture_setup import make_capture
from trellis.assessments.tests.test_capture_service import submit
from trellis.testing import make_people

pytestmark = pytest.mark.django_db

SENT = {"HTTP_X_TRELLIS_SEND": "1"}


def test_it_serves_the_service_worker_at_the_root_to_anyone(client: Client) -> None:
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Service-Worker-Allowed"] == "/"
    assert response["Cache-Control"] == "no-cache"
    body = response.content.decode()
    assert "__VERSION__" not in body and "/static/trellis/offline.js" in body
    assert client.post("/sw.js").status_code == 405


def test_it_serves_the_manifest_with_its_icons(client: Client) -> None:
    response = client.get("/manifest.webmanifest")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/manifest+json"
    data = json.loads(response.content)
    assert data["start_url"] == "/" and data["display"] == "standalone"
    assert {i["sizes"] for i in data["icons"]} == {"192x192", "512x512"}


def _post(client: Client, people: object, extra: dict[str, str]) -> object:
    learner = people.learner  # type: ignore[attr-defined]
    form = client.get(f"/assess/im-residency/learner/{learner.pk}/")
    page = form.content.decode()
    key = page.split('name="client_key" value="')[1].split('"')[0]
    version = page.split('name="form_version" value="')[1].split('"')[0]
    data = {"client_key": key, "form_version": version, "observed_on": "", **extra}
    return client.post(f"/assess/im-residency/learner/{learner.pk}/", data, **SENT), key


def test_a_sent_observation_is_answered_saved_then_saved_again(client: Client) -> None:
    people = make_people()
    cap = make_capture(people)
    client.force_login(people.faculty)
    from django.utils import timezone

    today = timezone.localdate().isoformat()
    extra = {"items": str(cap.epa1.pk), f"rating-{cap.epa1.pk}": "3", "observed_on": today}
    response, key = _post(client, people, extra)
    assert response.status_code == 200  # type: ignore[attr-defined]
    answer = json.loads(response.content)  # type: ignore[attr-defined]
    assert answer["status"] == "saved" and answer["url"].endswith("/done/")
    data = {"client_key": key, "observed_on": today, **extra}
    again = client.post(f"/assess/im-residency/learner/{people.learner.pk}/", data, **SENT)
    assert json.loads(again.content)["again"] is True
    # Saved even after the supervision ended: it reached the server the first time.
    cap.sched.first.supervisors.clear()
    late = client.post(f"/assess/im-residency/learner/{people.learner.pk}/", data, **SENT)
    assert json.loads(late.content)["status"] == "saved"
    assert Assessment.objects.count() == 1


def test_a_sent_observation_no_longer_supervised_is_refused_as_stale(client: Client) -> None:
    people = make_people()
    cap = make_capture(people)
    client.force_login(people.faculty)
    cap.sched.first.supervisors.clear()
    url = f"/assess/im-residency/learner/{people.learner.pk}/"
    data = {"client_key": "k1", "items": str(cap.epa1.pk), f"rating-{cap.epa1.pk}": "3"}
    response = client.post(url, data, **SENT)
    assert response.status_code == 409
    assert json.loads(response.content)["status"] == "stale"
    assert "no longer supervise" in json.loads(response.content)["message"]
    assert client.post(url, data).status_code == 403  # the form post, as before
    assert Assessment.objects.count() == 0


def test_a_sent_observation_with_problems_is_refused_in_words(client: Client) -> None:
    people = make_people()
    make_capture(people)
    client.force_login(people.faculty)
    response, _ = _post(client, people, {"observed_on": "not a date"})
    assert response.status_code == 400  # type: ignore[attr-defined]
    answer = json.loads(response.content)  # type: ignore[attr-defined]
    assert answer["status"] == "invalid" and "Enter the date" in answer["message"]


def test_a_key_that_names_only_a_draft_is_no_proof_the_observation_was_saved(
    client: Client,
) -> None:
    people = make_people()
    cap = make_capture(people)
    draft = submit(cap, client_key="k-draft", draft=True).assessment
    # One read finds an assessment by its key, whatever its status, for the service and
    # for the outbox's answer alike.
    assert assessment_by_client_key(assessor=people.faculty, client_key="k-draft") == draft
    assert assessment_by_client_key(assessor=people.learner, client_key="k-draft") is None
    assert assessment_by_client_key(assessor=people.faculty, client_key="") is None
    client.force_login(people.faculty)
    cap.sched.first.supervisors.clear()
    url = f"/assess/im-residency/learner/{people.learner.pk}/"
    data = {"client_key": "k-draft", "items": str(cap.epa1.pk), f"rating-{cap.epa1.pk}": "3"}
    response = client.post(url, data, **SENT)
    assert response.status_code == 409  # a draft is not a saved observation
    draft.status = AssessmentStatus.SUBMITTED
    draft.save(update_fields=["status"])
    response = client.post(url, data, **SENT)
    assert json.loads(response.content) == {
        "status": "saved",
        "url": f"/assess/a/{draft.pk}/done/",
        "again": True,
    }
