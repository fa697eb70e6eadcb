from __future__ import annotations

import datetime as dt
import re

from django.test import Client
from django.utils import timezone

from trellis.api.models import ApiToken
from trellis.api.services import api_token_create, api_token_hash, api_token_revoke
from trellis.audit.models import AuditEvent
from trellis.testing import People

URL = "/account/tokens/"


def revoke_url(token: ApiToken) -> str:
    return f"/account/tokens/{token.prefix}/revoke/"


def test_it_sends_anonymous_visitors_to_sign_in(client: Client, people: People) -> None:
    for response in (client.get(URL), client.post(URL, {"name": "x"})):
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/?next=/account/tokens/")
    assert not ApiToken.objects.exists()


def test_it_lists_only_the_persons_own_tokens(client: Client, people: People) -> None:
    mine, _ = api_token_create(user=people.learner, name="My laptop script")
    theirs, _ = api_token_create(user=people.learner2, name="Someone else's robot")
    client.force_login(people.learner)
    response = client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert "My laptop script" in html
    assert f"trl_{mine.prefix}" in html
    assert "Someone else" not in html
    assert theirs.prefix not in html
    assert response["Cache-Control"].startswith("max-age=0")


def test_it_creates_a_token_and_shows_it_once(client: Client, people: People) -> None:
    client.force_login(people.faculty)
    response = client.post(URL, {"name": "Nightly export"})
    assert response.status_code == 200
    html = response.content.decode()
    match = re.search(r'value="(trl_[^"]+)"', html)
    assert match is not None
    plaintext = match.group(1)
    assert "Copy your new token now" in html
    assert '<label for="new-token">' in html
    token = ApiToken.objects.get(user=people.faculty)
    assert token.name == "Nightly export"
    assert token.key_hash == api_token_hash(plaintext)
    assert "no-store" in response["Cache-Control"]
    # never again
    assert plaintext not in client.get(URL).content.decode()
    assert AuditEvent.objects.filter(action="api_token.create", actor=people.faculty).exists()


def test_it_refuses_a_token_without_a_name(client: Client, people: People) -> None:
    client.force_login(people.faculty)
    response = client.post(URL, {"name": "  "})
    assert response.status_code == 400
    assert "This field is required" in response.content.decode()
    assert not ApiToken.objects.exists()


def test_it_labels_the_name_field(client: Client, people: People) -> None:
    client.force_login(people.faculty)
    html = client.get(URL).content.decode()
    assert '<label for="id_name">Token name' in html
    assert 'name="csrfmiddlewaretoken"' in html


def test_it_needs_the_csrf_token(people: People) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(people.faculty)
    assert client.post(URL, {"name": "x"}).status_code == 403
    assert not ApiToken.objects.exists()


def test_it_revokes_the_persons_own_token(client: Client, people: People) -> None:
    token, _ = api_token_create(user=people.learner, name="old")
    client.force_login(people.learner)
    response = client.post(revoke_url(token))
    assert response.status_code == 302
    assert response["Location"] == URL
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert AuditEvent.objects.filter(action="api_token.revoke", actor=people.learner).exists()
    assert "Revoked" in client.get(URL).content.decode()


def test_it_hides_another_persons_token(client: Client, people: People) -> None:
    token, _ = api_token_create(user=people.learner2, name="theirs")
    client.force_login(people.director)
    assert client.post(revoke_url(token)).status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_it_revokes_only_by_post(client: Client, people: People) -> None:
    token, _ = api_token_create(user=people.learner, name="old")
    client.force_login(people.learner)
    assert client.get(revoke_url(token)).status_code == 405
    token.refresh_from_db()
    assert token.revoked_at is None


def test_it_refuses_other_methods_on_the_page(client: Client, people: People) -> None:
    client.force_login(people.learner)
    assert client.delete(URL).status_code == 405


def test_it_sends_anonymous_revokers_to_sign_in(client: Client, people: People) -> None:
    token, _ = api_token_create(user=people.learner, name="old")
    response = client.post(revoke_url(token))
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is None


def test_it_lists_active_tokens_before_revoked_ones(client: Client, people: People) -> None:
    old, _ = api_token_create(user=people.learner, name="Revoked robot")
    api_token_revoke(token=old, acting_user=people.learner)
    api_token_create(user=people.learner, name="Active robot")
    client.force_login(people.learner)
    html = client.get(URL).content.decode()
    assert html.index("Active robot") < html.index("Revoked robot")


def test_it_creates_a_token_that_expires_when_chosen(client: Client, people: People) -> None:
    client.force_login(people.faculty)
    before = timezone.now()
    response = client.post(URL, {"name": "Term export", "days": "30"})
    assert response.status_code == 200
    token = ApiToken.objects.get(user=people.faculty)
    assert before + dt.timedelta(days=30) <= token.expires_at
    assert token.expires_at <= timezone.now() + dt.timedelta(days=30)
    assert token.expires_at.strftime("%Y-%m-%d") in response.content.decode()


def test_it_refuses_a_lifetime_it_does_not_offer(client: Client, people: People) -> None:
    client.force_login(people.faculty)
    response = client.post(URL, {"name": "Forever", "days": "100000"})
    assert response.status_code == 400
    assert "Forever" in response.content.decode()  # what was typed is shown again
    assert not ApiToken.objects.exists()


def test_it_marks_an_expired_token(client: Client, people: People) -> None:
    token, _ = api_token_create(user=people.faculty, name="Old robot", days=1)
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - dt.timedelta(hours=1))
    client.force_login(people.faculty)
    html = client.get(URL).content.decode()
    assert "Expired" in html
