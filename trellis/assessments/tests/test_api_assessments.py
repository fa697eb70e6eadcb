from __future__ import annotations

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from trellis.api.services import api_token_create
from trellis.assessments.models import Assessment
from trellis.assessments.tests.capture_setup import Capture, make_capture
from trellis.people.models import User
from trellis.testing import People

URL = "/api/v1/assessments/"


@pytest.fixture
def cap(people: People) -> Capture:
    return make_capture(people)


def as_user(user: User) -> APIClient:
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {api_token_create(user=user, name='t')[1]}")
    return api


def body(cap: Capture, **extra: object) -> dict[str, object]:
    data: dict[str, object] = {
        "program": "im-residency",
        "form": cap.form.pk,
        "subject": cap.people.learner.pk,
        "observed_on": timezone.localdate().isoformat(),
        "client_key": "phone-42",
        "context": "Clinic",
        "ratings": [{"item": cap.epa1.pk, "level": "3"}],
        "comments": [{"prompt_key": "next-time", "text": "Summarise first."}],
    }
    data.update(extra)
    return data


def test_it_creates_then_returns_the_same_on_retry(cap: Capture) -> None:
    api = as_user(cap.people.faculty)
    first = api.post(URL, body(cap), format="json")
    assert first.status_code == 201, first.json()
    again = api.post(URL, body(cap), format="json")
    assert again.status_code == 200
    assert again.json() == first.json()
    assert Assessment.objects.count() == 1
    a = Assessment.objects.get()
    assert a.source == "api" and a.context == "Clinic"
    assert first.json()["ratings"] == [
        {"item": cap.epa1.pk, "code": "EPA1", "level": "3.0", "not_observed": False}
    ]


def test_it_requires_a_client_key(cap: Capture) -> None:
    data = body(cap)
    del data["client_key"]
    assert as_user(cap.people.faculty).post(URL, data, format="json").status_code == 400


def test_it_refuses_a_level_off_the_scale(cap: Capture) -> None:
    r = as_user(cap.people.faculty).post(
        URL, body(cap, ratings=[{"item": cap.epa1.pk, "level": "7"}]), format="json"
    )
    assert r.status_code == 400
    assert f"rating-{cap.epa1.pk}" in r.json()["errors"]


def test_who_may_post(cap: Capture) -> None:
    assert APIClient().post(URL, body(cap), format="json").status_code in (401, 403)
    assert as_user(cap.people.committee).post(URL, body(cap), format="json").status_code == 403
    assert as_user(cap.people.learner2).post(URL, body(cap), format="json").status_code == 403
    assert as_user(cap.people.outsider).post(URL, body(cap), format="json").status_code == 404
    assert not Assessment.objects.exists()


def test_it_lists_ones_own(cap: Capture) -> None:
    as_user(cap.people.faculty).post(URL, body(cap), format="json")
    mine = as_user(cap.people.learner).get(URL + "?subject=me")
    assert mine.status_code == 200 and mine.json()["count"] == 1
    assert mine.json()["results"][0]["assessor"] == "Farah Mendes"
    assert as_user(cap.people.learner2).get(URL + "?subject=me").json()["count"] == 0
    given = as_user(cap.people.faculty).get(URL + "?assessor=me")
    assert given.json()["count"] == 1
    assert as_user(cap.people.faculty).get(URL + "?subject=17").status_code == 400
    assert APIClient().get(URL).status_code in (401, 403)
    assert as_user(cap.people.faculty).delete(URL).status_code == 405


def test_ids_past_a_64_bit_integer_and_implausible_dates_are_400(cap: Capture) -> None:
    # An item id of 2^63 was an OverflowError on SQLite, a 500 (issue 16).
    client = as_user(cap.people.faculty)
    huge = {"ratings": [{"item": 2**63, "level": "3"}]}
    response = client.post(URL, body(cap, **huge), format="json")
    assert response.status_code == 400
    assert "ratings" in response.json()
    for field in ("form", "subject"):
        response = client.post(URL, body(cap, **{field: 2**63}), format="json")
        assert response.status_code == 400 and field in response.json()
    response = client.post(URL, body(cap, observed_on="0001-01-01"), format="json")
    assert response.status_code == 400
    assert "before 1990-01-01" in str(response.json())
    response = client.post(URL, body(cap, client_key="a\u0000b"), format="json")
    assert response.status_code == 400
