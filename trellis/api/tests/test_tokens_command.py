from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from rest_framework.test import APIClient

from trellis.api.management.commands.tokens import Command
from trellis.api.models import ApiToken
from trellis.testing import People


def run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("tokens", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_it_creates_a_token_that_works(api: APIClient, people: People) -> None:
    out, err = run("create", "--user", "Coordinator@Riverside.test", "--name", "sync")
    plaintext = out.strip()
    assert plaintext.startswith("trl_")
    assert "cannot be shown again" in err
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {plaintext}")
    assert api.get("/api/v1/programs/").status_code == 200


def test_it_lists_tokens_without_their_secrets(people: People) -> None:
    plaintext = run("create", "--user", people.learner.email, "--name", "sync")[0].strip()
    token = ApiToken.objects.get()
    out, _ = run("list", "--user", people.learner.email)
    assert token.prefix in out
    assert "sync" in out
    assert "active" in out
    assert plaintext not in out


def test_it_revokes_a_token_by_prefix(people: People) -> None:
    run("create", "--user", people.learner.email, "--name", "sync")
    token = ApiToken.objects.get()
    out, _ = run("revoke", f"trl_{token.prefix}")
    assert "Revoked" in out
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert "revoked" in run("list", "--user", people.learner.email)[0]


def test_it_says_when_the_person_or_token_is_unknown(people: People) -> None:
    with pytest.raises(CommandError, match="nobody@"):
        run("create", "--user", "nobody@nowhere.test", "--name", "x")
    with pytest.raises(CommandError, match="No token"):
        run("revoke", "deadbeef")


def test_it_explains_itself() -> None:
    text = Command().create_parser("trellis", "tokens").format_help()
    for action in ("create", "list", "revoke"):
        assert action in text


def test_it_creates_a_token_with_a_chosen_lifetime(people: People) -> None:
    out, err = run("create", "--user", people.coordinator.email, "--name", "term", "--days", "7")
    token = ApiToken.objects.get(user=people.coordinator)
    assert round((token.expires_at - token.created_at).total_seconds() / 86400) == 7
    assert f"expiring {token.expires_at:%Y-%m-%d}" in err
    listing, _ = run("list", "--user", people.coordinator.email)
    assert f"{token.expires_at:%Y-%m-%d}  active" in listing
    with pytest.raises(CommandError, match="1 to 365 days"):
        run("create", "--user", people.coordinator.email, "--name", "x", "--days", "9999")
