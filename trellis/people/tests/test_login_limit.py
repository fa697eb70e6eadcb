from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from trellis.people.auth import sign_in_attempt_begin
from trellis.people.models import SignInAttempt, User
from trellis.testing import PASSWORD, People

STRANGER = "203.0.113.9"
OWNER = "198.51.100.20"


def sign_in(client: Client, email: str, password: str, ip: str = "127.0.0.1") -> int:
    response = client.post(
        reverse("login"), {"username": email, "password": password}, REMOTE_ADDR=ip
    )
    return response.status_code


def age_attempts(seconds: int) -> None:
    for attempt in SignInAttempt.objects.all():
        SignInAttempt.objects.filter(pk=attempt.pk).update(
            at=attempt.at - dt.timedelta(seconds=seconds)
        )


@pytest.mark.django_db
def test_it_refuses_an_account_after_five_failures_even_with_the_right_password(
    client: Client, people: People
) -> None:
    email = people.learner.email
    for _ in range(5):
        assert sign_in(client, email, "wrong-password") == 200
    response = client.post(reverse("login"), {"username": email, "password": PASSWORD})
    assert response.status_code == 200
    assert "Too many failed sign-ins for this account" in response.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_it_still_lets_other_accounts_from_the_same_address_sign_in(
    client: Client, people: People
) -> None:
    for _ in range(5):
        sign_in(client, people.learner.email, "wrong-password")
    assert sign_in(client, people.faculty.email, PASSWORD) == 302
    failed = SignInAttempt.objects.filter(email=people.learner.email, outcome="failed")
    assert failed.count() == 5
    assert not SignInAttempt.objects.filter(email=people.faculty.email).exists()


@pytest.mark.django_db
def test_it_allows_a_few_typos(client: Client, people: People) -> None:
    for _ in range(4):
        sign_in(client, people.learner.email, "wrong-password")
    assert sign_in(client, people.learner.email.upper(), PASSWORD) == 302


@pytest.mark.django_db
def test_it_stops_one_address_spraying_many_accounts(client: Client, people: People) -> None:
    for n in range(20):
        User.objects.create_user(email=f"sprayed{n}@riverside.test", password=PASSWORD)
        assert sign_in(client, f"sprayed{n}@riverside.test", "Winter2026!", ip=STRANGER) == 200
    response = client.post(
        reverse("login"),
        {"username": people.faculty.email, "password": PASSWORD},
        REMOTE_ADDR=STRANGER,
    )
    assert "Too many failed sign-ins from this address" in response.content.decode()
    assert "_auth_user_id" not in client.session
    # Only the stranger's address is stopped.
    assert sign_in(Client(), people.faculty.email, PASSWORD, ip=OWNER) == 302


@pytest.mark.django_db
def test_a_stranger_slows_the_owner_down_but_cannot_lock_them_out(
    client: Client, people: People
) -> None:
    email = people.learner.email
    for _ in range(5):
        sign_in(client, email, "guess", ip=STRANGER)
    owner = Client()
    response = owner.post(
        reverse("login"), {"username": email, "password": PASSWORD}, REMOTE_ADDR=OWNER
    )
    assert "Wait 15 seconds" in response.content.decode()
    age_attempts(16)
    # The stranger keeps hammering: refused unchecked, which does not extend the wait.
    for _ in range(10):
        sign_in(client, email, "guess", ip=STRANGER)
    assert SignInAttempt.objects.filter(outcome="refused", ip=STRANGER).count() == 10
    assert sign_in(owner, email, PASSWORD, ip=OWNER) == 302


@pytest.mark.django_db
def test_the_wait_grows_with_each_checked_failure_up_to_the_maximum(people: People) -> None:
    """Guesses from many addresses (each under its own limit) meet a growing delay."""
    waits = []
    for n in range(12):
        # Earlier failures: inside the window, but past any wait.
        SignInAttempt.objects.update(at=timezone.now() - dt.timedelta(seconds=301))
        attempt, reason, wait = sign_in_attempt_begin(
            email=people.learner.email, ip=f"203.0.113.{n + 1}"
        )
        assert reason is None
        SignInAttempt.objects.filter(pk=attempt.pk).update(outcome="failed")
        waits.append(wait)
    assert waits == [0, 0, 0, 0, 0, 15, 30, 60, 120, 240, 300, 300]


@pytest.mark.django_db
def test_attempts_still_being_checked_count_against_the_limit(people: People) -> None:
    """Thirty guesses arriving together: each is written before its password is checked,
    so only five get a check however they interleave."""
    allowed = [
        sign_in_attempt_begin(email=people.learner.email, ip=STRANGER)[1] is None for _ in range(30)
    ]
    assert allowed.count(True) == 5


@pytest.mark.django_db(transaction=True)
def test_concurrent_wrong_passwords_get_only_the_limit_of_checks(people: People) -> None:
    if connection.vendor == "sqlite":
        pytest.skip("SQLite's in-memory test database serialises threads; see the test above")
    email = people.learner.email
    barrier = threading.Barrier(12)

    def guess() -> None:
        try:
            barrier.wait()
            sign_in(Client(), email, "guess", ip=STRANGER)
        finally:
            connection.close()

    threads = [threading.Thread(target=guess) for _ in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert SignInAttempt.objects.filter(outcome="failed").count() <= 5
    assert SignInAttempt.objects.count() == 12
