"""Signing in and out, and resetting a forgotten password by e-mail, on our templates."""

from __future__ import annotations

import re

from django.core import mail
from django.test import Client
from django.urls import reverse

from trellis.testing import PASSWORD, People


def test_it_shows_a_welcoming_login_form(client: Client, db: None) -> None:
    response = client.get(reverse("login"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Welcome to Trellis" in html
    assert 'type="email" name="username"' in html
    assert '<label for="id_username">E-mail address</label>' in html
    assert '<label for="id_password">Password</label>' in html
    assert 'autocomplete="current-password"' in html
    assert reverse("password_reset") in html


def test_it_signs_in_with_email_and_password(client: Client, people: People) -> None:
    response = client.post(
        reverse("login"), {"username": people.learner.email, "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert client.get(reverse("home")).status_code == 200


def test_it_returns_to_the_page_asked_for(client: Client, people: People) -> None:
    target = reverse("framework-list")
    response = client.post(
        reverse("login"),
        {"username": people.director.email, "password": PASSWORD, "next": target},
    )
    assert response["Location"] == target


def test_it_refuses_a_wrong_password_and_keeps_the_email(client: Client, people: People) -> None:
    response = client.post(
        reverse("login"), {"username": people.learner.email, "password": "wrong"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'role="alert"' in html
    assert f'value="{people.learner.email}"' in html
    assert 'aria-invalid="true"' in html
    assert "_auth_user_id" not in client.session


def test_it_signs_out_with_post_only(client: Client, people: People) -> None:
    client.force_login(people.learner)
    assert client.get(reverse("logout")).status_code == 405
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert response["Location"] == reverse("login")
    assert "_auth_user_id" not in client.session


def test_it_resets_a_password_by_email(client: Client, people: People) -> None:
    page = client.get(reverse("password_reset"))
    assert page.status_code == 200
    assert "Reset your password" in page.content.decode()

    response = client.post(reverse("password_reset"), {"email": people.learner.email})
    assert response["Location"] == reverse("password_reset_done")
    assert "Check your e-mail" in client.get(response["Location"]).content.decode()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.subject == "Trellis: choose a new password"
    assert message.to == [people.learner.email]
    link = re.search(r"https?://[^/\s]+(/accounts/reset/\S+)", message.body)
    assert link is not None

    form = client.get(link.group(1), follow=True)
    assert "Choose a new password" in form.content.decode()
    new = "a-brand-new-passphrase-42"
    done = client.post(
        form.redirect_chain[-1][0], {"new_password1": new, "new_password2": new}, follow=True
    )
    assert "Your new password is saved" in done.content.decode()
    assert Client().login(username=people.learner.email, password=new)


def test_it_sends_nothing_for_an_unknown_address(client: Client, db: None) -> None:
    response = client.post(reverse("password_reset"), {"email": "nobody@nowhere.test"})
    assert response["Location"] == reverse("password_reset_done")
    assert mail.outbox == []


def test_it_says_when_a_reset_link_is_spent(client: Client, db: None) -> None:
    response = client.get(reverse("password_reset_confirm", args=["MQ", "bad-token"]))
    assert response.status_code == 200
    assert "This link has expired" in response.content.decode()


def test_it_changes_a_password_for_a_signed_in_person(client: Client, people: People) -> None:
    assert client.get(reverse("password_change")).status_code == 302
    client.force_login(people.faculty)
    page = client.get(reverse("password_change"))
    assert page.status_code == 200
    assert '<label for="id_old_password">' in page.content.decode()
    new = "another-long-passphrase-7"
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
        follow=True,
    )
    assert "Your password is changed" in response.content.decode()


def test_an_empty_sign_in_says_what_is_missing(client: Client, people: People) -> None:
    html = client.post("/accounts/login/", {"username": "", "password": ""}).content.decode()
    assert "enter your e-mail address and password" in html
    assert 'id="err-username"' in html and 'id="err-password"' in html
    html = client.post(
        "/accounts/login/", {"username": people.faculty.email, "password": ""}
    ).content.decode()
    assert "Not signed in yet: enter your password." in html
    assert people.faculty.email in html  # kept
    assert 'id="err-username"' not in html
