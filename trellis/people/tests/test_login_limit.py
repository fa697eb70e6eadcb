from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from trellis.people.models import FailedLogin
from trellis.testing import PASSWORD, People


def sign_in(client: Client, email: str, password: str) -> int:
    response = client.post(reverse("login"), {"username": email, "password": password})
    return response.status_code


@pytest.mark.django_db
def test_it_refuses_an_account_after_five_failures_even_with_the_right_password(
    client: Client, people: People
) -> None:
    email = people.learner.email
    for _ in range(5):
        assert sign_in(client, email, "wrong-password") == 200
    response = client.post(reverse("login"), {"username": email, "password": PASSWORD})
    assert response.status_code == 200
    assert "Too many failed sign-ins" in response.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_it_still_lets_other_accounts_from_the_same_address_sign_in(
    client: Client, people: People
) -> None:
    for _ in range(5):
        sign_in(client, people.learner.email, "wrong-password")
    assert sign_in(client, people.faculty.email, PASSWORD) == 302
    assert FailedLogin.objects.filter(email=people.learner.email).count() == 5


@pytest.mark.django_db
def test_it_allows_a_few_typos(client: Client, people: People) -> None:
    for _ in range(4):
        sign_in(client, people.learner.email, "wrong-password")
    assert sign_in(client, people.learner.email.upper(), PASSWORD) == 302
