"""The account rules every single sign-on shares (`sso/accounts.py`), through each protocol
against its real provider: an unknown person refused with a clear page, or given an
account with no membership where that is switched on; a switched-off account refused."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from trellis.audit.models import AuditEvent
from trellis.connect.tests.test_saml import saml, saml_sign_in  # noqa: F401 (fixture)
from trellis.connect.tests.test_sso import signed_in, sso, sso_sign_in  # noqa: F401 (fixture)
from trellis.people.models import Membership, User
from trellis.testing import People

SignIn = Callable[[Client, str], Any]


@pytest.fixture(params=["oidc", "saml"])
def sign_in(request: pytest.FixtureRequest) -> tuple[str, SignIn]:
    """(protocol, sign in as a provider's user) for OpenID Connect, then SAML."""
    if request.param == "oidc":
        provider = request.getfixturevalue("sso")
        return "oidc", lambda client, user: sso_sign_in(client, provider, user)
    idp = request.getfixturevalue("saml")
    return "saml", lambda client, user: saml_sign_in(client, idp, user)


def test_it_refuses_an_unknown_person_with_a_clear_page(
    client: Client, people: People, sign_in: tuple[str, SignIn]
) -> None:
    _, go = sign_in
    before = User.objects.count()
    response = go(client, "nora")
    assert response.status_code == 403
    html = response.content.decode()
    assert "You are not signed in" in html
    assert "<strong>nora.quinn@riverside.test</strong>" in html
    assert "Trellis has no account with that e-mail address" in html
    assert signed_in(client) is None
    assert User.objects.count() == before


def test_it_creates_an_account_with_no_membership_when_switched_on(
    client: Client, people: People, sign_in: tuple[str, SignIn], settings: Any
) -> None:
    protocol, go = sign_in
    settings.SSO_CREATE_USER = True
    response = go(client, "nora")
    assert response["Location"] == reverse("home")
    nora = User.objects.get(email="nora.quinn@riverside.test")
    assert signed_in(client) == nora.pk
    assert (nora.first_name, nora.last_name) == ("Nora", "Quinn")
    assert not nora.has_usable_password()
    assert not Membership.objects.filter(person=nora).exists()
    event = AuditEvent.objects.get(action="person.create", target_id=str(nora.pk))
    assert event.actor is None and event.after is not None
    assert event.after["source"] == protocol
    # Memberships decide what anyone sees: none, so no program of anyone's.
    assert client.get(reverse("home")).status_code == 200
    assert client.get(f"/programs/{people.program.slug}/people/").status_code == 404


def test_it_refuses_an_account_that_is_switched_off(
    client: Client, people: People, sign_in: tuple[str, SignIn]
) -> None:
    _, go = sign_in
    User.objects.filter(pk=people.faculty.pk).update(is_active=False)
    response = go(client, "farah")
    assert response.status_code == 403
    assert "is switched off" in response.content.decode()
    assert signed_in(client) is None
