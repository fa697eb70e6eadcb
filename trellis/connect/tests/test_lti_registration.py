"""Registering an LMS platform: the pages (institution admins only; anyone else 404), the
command line, and the key set the registrations' keys are served in."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from trellis.audit.models import AuditEvent
from trellis.connect.models import LtiPlatform
from trellis.people.models import Role
from trellis.testing import People, add_member

FORM = {
    "name": "Riverside Canvas",
    "issuer": "https://canvas.instructure.com",
    "client_id": "10000000000042",
    "auth_login_url": "https://sso.canvaslms.com/api/lti/authorize_redirect",
    "auth_token_url": "https://sso.canvaslms.com/login/oauth2/token",
    "key_set_url": "https://sso.canvaslms.com/api/lti/security/jwks",
    "deployment_ids": "12:abc, 13:def",
}


def test_an_admin_registers_a_platform_on_the_page(client: Client, people: People) -> None:
    client.force_login(people.admin)
    page = client.get("/lti/platforms/new/")
    assert page.status_code == 200
    assert people.program.name in page.content.decode()
    assert people.other_program.name not in page.content.decode()  # another institution's
    response = client.post("/lti/platforms/new/", {**FORM, "program": people.program.pk})
    platform = LtiPlatform.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/lti/platforms/{platform.pk}/"
    assert platform.deployment_ids == ["12:abc", "13:def"]
    assert platform.institution == people.institution and not platform.add_members
    assert "PRIVATE KEY" in platform.private_key
    event = AuditEvent.objects.get(action="lti.platform.register")
    assert event.actor == people.admin and "private_key" not in event.after
    detail = client.get(response["Location"]).content.decode()
    assert "http://testserver/lti/login/" in detail and "http://testserver/lti/jwks/" in detail
    listing = client.get("/lti/platforms/").content.decode()
    assert f'href="/lti/platforms/{platform.pk}/"' in listing


def test_the_page_refuses_a_second_registration_of_the_same_client(
    client: Client, people: People
) -> None:
    client.force_login(people.admin)
    data = {**FORM, "program": people.program.pk}
    client.post("/lti/platforms/new/", data)
    response = client.post("/lti/platforms/new/", data)
    assert response.status_code == 200 and "registered already" in response.content.decode()
    assert LtiPlatform.objects.count() == 1


def test_the_page_refuses_another_institutions_program(client: Client, people: People) -> None:
    client.force_login(people.admin)
    response = client.post("/lti/platforms/new/", {**FORM, "program": people.other_program.pk})
    assert response.status_code == 200 and not LtiPlatform.objects.exists()


@pytest.mark.parametrize("who", ["director", "coordinator", "faculty", "learner", "outsider"])
def test_no_one_but_an_institution_admin_sees_the_pages(
    client: Client, people: People, who: str
) -> None:
    call_command("lti", *_cli_args(people), stdout=StringIO())
    platform = LtiPlatform.objects.get()
    client.force_login(getattr(people, who))
    for url in ["/lti/platforms/", "/lti/platforms/new/", f"/lti/platforms/{platform.pk}/"]:
        assert client.get(url).status_code == 404, url
    assert (
        client.post("/lti/platforms/new/", {**FORM, "program": people.program.pk}).status_code
        == 404
    )
    assert LtiPlatform.objects.count() == 1


def test_an_admin_of_another_institution_gets_404(client: Client, people: People) -> None:
    call_command("lti", *_cli_args(people), stdout=StringIO())
    add_member(people.outsider, None, Role.ADMIN, institution=people.other_institution)
    client.force_login(people.outsider)
    assert client.get("/lti/platforms/").status_code == 200
    assert client.get(f"/lti/platforms/{LtiPlatform.objects.get().pk}/").status_code == 404


def test_the_pages_ask_for_sign_in_and_take_no_other_method(client: Client, people: People) -> None:
    assert client.get("/lti/platforms/")["Location"].startswith("/accounts/login/")
    client.force_login(people.admin)
    assert client.post("/lti/platforms/").status_code == 405
    assert client.delete("/lti/platforms/new/").status_code == 405


def _cli_args(people: People) -> list[str]:
    return [
        "register",
        "--program", people.program.slug,
        "--name", "Riverside Moodle",
        "--issuer", "https://moodle.riverside.test",
        "--client-id", "AbC123",
        "--login-url", "https://moodle.riverside.test/mod/lti/auth.php",
        "--token-url", "https://moodle.riverside.test/mod/lti/token.php",
        "--jwks-url", "https://moodle.riverside.test/mod/lti/certs.php",
        "--deployment", "1",
        "--deployment", "2",
        "--add-members",
    ]  # fmt: skip


def test_the_command_line_registers_and_lists(people: People) -> None:
    out = StringIO()
    call_command("lti", "register", *_cli_args(people)[1:], stdout=out)
    platform = LtiPlatform.objects.get()
    assert platform.deployment_ids == ["1", "2"] and platform.add_members
    assert f"key id {platform.key_id}" in out.getvalue()
    listing = StringIO()
    call_command("lti", "list", stdout=listing)
    assert "Riverside Moodle" in listing.getvalue() and "deployments 1,2" in listing.getvalue()
    urls = StringIO()
    call_command("lti", "urls", "--site", "https://trellis.example.edu/", stdout=urls)
    assert "Initiate login URL: https://trellis.example.edu/lti/login/" in urls.getvalue()
    assert "Public keyset URL: https://trellis.example.edu/lti/jwks/" in urls.getvalue()
    with pytest.raises(CommandError, match="registered already"):
        call_command("lti", *_cli_args(people), stdout=StringIO())
    with pytest.raises(CommandError, match="No program"):
        call_command("lti", *_cli_args(people)[:2], "nowhere", *_cli_args(people)[3:])
    bad = [
        a if a != "https://moodle.riverside.test/mod/lti/certs.php" else "certs"
        for a in _cli_args(people)
    ]
    with pytest.raises(CommandError, match="public keyset URL is not a web address"):
        call_command("lti", *bad)


def test_the_key_set_serves_each_registrations_public_key_alone(
    client: Client, people: People
) -> None:
    call_command("lti", *_cli_args(people), stdout=StringIO())
    platform = LtiPlatform.objects.get()
    (key,) = client.get("/lti/jwks/").json()["keys"]
    assert key["kid"] == platform.key_id and key["kty"] == "RSA" and key["alg"] == "RS256"
    assert set(key) == {"kty", "n", "e", "kid", "alg", "use"}  # no private part


def test_the_admins_home_links_to_the_platforms(client: Client, people: People) -> None:
    client.force_login(people.admin)
    assert 'href="/lti/platforms/"' in client.get("/").content.decode()
    assert client.get("/lti/platforms/").status_code == 200
    client.force_login(people.director)
    assert 'href="/lti/platforms/"' not in client.get("/").content.decode()


def test_the_list_costs_the_same_for_more_platforms(
    client: Client, people: People, django_assert_num_queries: Any
) -> None:
    client.force_login(people.admin)
    call_command("lti", *_cli_args(people), stdout=StringIO())
    client.get("/lti/platforms/")  # the session's first read is not the page's
    # session, user, the admin's institutions (exists), the platforms with their programs
    with django_assert_num_queries(4):
        client.get("/lti/platforms/")
    args = _cli_args(people)
    args[args.index("--client-id") + 1] = "another-client"
    call_command("lti", *args, stdout=StringIO())
    with django_assert_num_queries(4):
        page = client.get("/lti/platforms/").content.decode()
    for pk in LtiPlatform.objects.values_list("pk", flat=True):
        assert f'href="/lti/platforms/{pk}/"' in page
