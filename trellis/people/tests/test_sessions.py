from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from trellis.people.sessions import LAST_SEEN_AT, SIGNED_IN_AT
from trellis.testing import PASSWORD, People

HOME = "/"


def signed_in(client: Client, people: People) -> Client:
    response = client.post(
        reverse("login"), {"username": people.faculty.email, "password": PASSWORD}
    )
    assert response.status_code == 302
    return client


def shift(client: Client, key: str, seconds: int) -> None:
    session = client.session
    session[key] = int(session[key]) - seconds
    session.save()


@pytest.mark.django_db
def test_it_keeps_an_active_session(client: Client, people: People) -> None:
    signed_in(client, people)
    shift(client, LAST_SEEN_AT, 119 * 60)
    assert client.get(HOME).status_code == 200
    # The request counted as activity: the idle clock starts again.
    shift(client, LAST_SEEN_AT, 119 * 60)
    assert client.get(HOME).status_code == 200


@pytest.mark.django_db
def test_it_signs_out_after_two_idle_hours(client: Client, people: People) -> None:
    signed_in(client, people)
    shift(client, LAST_SEEN_AT, 121 * 60)
    response = client.get(HOME, follow=True)
    assert response.redirect_chain[-1][0].startswith(reverse("login"))
    assert "_auth_user_id" not in client.session
    assert "after 120 minutes without activity" in response.content.decode()


@pytest.mark.django_db
def test_it_signs_out_a_shift_after_sign_in_however_active(client: Client, people: People) -> None:
    signed_in(client, people)
    shift(client, SIGNED_IN_AT, 12 * 3600 + 1)
    response = client.get(HOME, follow=True)
    assert "_auth_user_id" not in client.session
    assert "12 hours after signing in" in response.content.decode()


@pytest.mark.django_db
def test_a_new_sign_in_starts_the_clocks_again(client: Client, people: People) -> None:
    signed_in(client, people)
    shift(client, SIGNED_IN_AT, 12 * 3600 + 1)
    client.get(HOME)
    signed_in(client, people)
    assert client.get(HOME).status_code == 200
