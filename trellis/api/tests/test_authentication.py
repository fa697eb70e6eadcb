from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient

from trellis.api.models import ApiToken
from trellis.api.services import api_token_create, api_token_revoke
from trellis.audit.models import AuditEvent
from trellis.testing import People

URL = "/api/v1/programs/"


def test_it_accepts_a_created_token_as_bearer(api: APIClient, people: People) -> None:
    _, plaintext = api_token_create(user=people.learner, name="script")
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {plaintext}")
    response = api.get(URL)
    assert response.status_code == 200
    assert [p["slug"] for p in response.json()["results"]] == ["im-residency"]


def test_it_accepts_the_token_scheme_too(api: APIClient, people: People) -> None:
    _, plaintext = api_token_create(user=people.learner, name="script")
    api.credentials(HTTP_AUTHORIZATION=f"Token {plaintext}")
    assert api.get(URL).status_code == 200


def test_it_gives_tokens_a_recognisable_shape(people: People) -> None:
    token, plaintext = api_token_create(user=people.learner, name="  script  ")
    assert plaintext.startswith(f"trl_{token.prefix}_")
    assert len(token.prefix) == 8
    assert len(plaintext) > 40
    assert token.name == "script"


def test_it_stores_only_the_hash(people: People) -> None:
    token, plaintext = api_token_create(user=people.learner, name="script")
    secret = plaintext.split("_", 2)[2]
    token.refresh_from_db()
    assert token.key_hash == hashlib.sha256(plaintext.encode()).hexdigest()
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM api_apitoken")
        rows = cursor.fetchall()
    stored = " ".join(str(value) for row in rows for value in row)
    assert plaintext not in stored
    assert secret not in stored


def test_it_refuses_a_wrong_token(api: APIClient, people: People) -> None:
    token, plaintext = api_token_create(user=people.learner, name="script")
    wrong = plaintext[:-1] + ("A" if plaintext[-1] != "A" else "B")
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {wrong}")
    response = api.get(URL)
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    token.refresh_from_db()
    assert token.last_used_at is None


def test_it_refuses_a_revoked_token(api: APIClient, people: People) -> None:
    token, plaintext = api_token_create(user=people.learner, name="script")
    api_token_revoke(token=token, acting_user=people.learner)
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {plaintext}")
    assert api.get(URL).status_code == 401


def test_it_refuses_the_token_of_an_inactive_user(api: APIClient, people: People) -> None:
    _, plaintext = api_token_create(user=people.learner, name="script")
    people.learner.is_active = False
    people.learner.save()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {plaintext}")
    assert api.get(URL).status_code == 401


def test_it_refuses_a_malformed_header(api: APIClient, people: People) -> None:
    api.credentials(HTTP_AUTHORIZATION="Bearer two parts")
    assert api.get(URL).status_code == 401
    api.credentials(HTTP_AUTHORIZATION="Bearer")
    assert api.get(URL).status_code == 401


def test_it_answers_401_with_a_challenge_to_anonymous_callers(api: APIClient, db: None) -> None:
    response = api.get(URL)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'


def test_it_leaves_other_schemes_alone(api: APIClient, people: People) -> None:
    api.credentials(HTTP_AUTHORIZATION="Basic bGVhcm5lcjpwdw==")
    assert api.get(URL).status_code == 401


def test_it_still_accepts_a_session(api: APIClient, people: People) -> None:
    api.force_login(people.learner)
    assert api.get(URL).status_code == 200


def test_it_notes_last_use_at_most_once_a_minute(api: APIClient, people: People) -> None:
    token, plaintext = api_token_create(user=people.learner, name="script")
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {plaintext}")
    api.get(URL)
    token.refresh_from_db()
    first = token.last_used_at
    assert first is not None
    api.get(URL)
    token.refresh_from_db()
    assert token.last_used_at == first

    an_hour_ago = timezone.now() - dt.timedelta(hours=1)
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=an_hour_ago)
    api.get(URL)
    token.refresh_from_db()
    assert token.last_used_at is not None and token.last_used_at > an_hour_ago


def test_it_audits_creation_and_revocation(people: People) -> None:
    token, _ = api_token_create(user=people.learner, name="script")
    api_token_revoke(token=token, acting_user=people.learner)
    events = AuditEvent.objects.filter(target_type="api.apitoken", target_id=str(token.pk))
    assert sorted(e.action for e in events) == ["api_token.create", "api_token.revoke"]
    assert all(e.actor == people.learner for e in events)


def test_it_lets_only_the_owner_revoke(people: People) -> None:
    token, _ = api_token_create(user=people.learner, name="script")
    with pytest.raises(PermissionDenied):
        api_token_revoke(token=token, acting_user=people.learner2)
    token.refresh_from_db()
    assert token.revoked_at is None


def test_it_refuses_a_nameless_token(people: People) -> None:
    with pytest.raises(ValueError):
        api_token_create(user=people.learner, name="   ")


def test_it_refuses_an_expired_token(api: APIClient, people: People) -> None:
    token, plaintext = api_token_create(user=people.learner, name="script", days=1)
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {plaintext}")
    assert api.get(URL).status_code == 200
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    response = api.get(URL)
    assert response.status_code == 401
    assert "expired" in response.json()["detail"]


def test_it_refuses_a_lifetime_beyond_the_maximum(people: People) -> None:
    with pytest.raises(ValueError, match="1 to 365 days"):
        api_token_create(user=people.learner, name="forever", days=366)
    with pytest.raises(ValueError):
        api_token_create(user=people.learner, name="never", days=0)
