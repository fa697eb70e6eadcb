"""Single sign-on with SAML 2.0, against a real identity provider (pysaml2's Server on
127.0.0.1, see saml_idp.py): Trellis's signed AuthnRequest by redirect, the provider's own
login form, its signed assertion posted back, single logout; nothing of the protocol
mocked. Forged, altered, stripped and replayed answers are made from real ones."""

from __future__ import annotations

import base64
import json
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from django.test import Client
from django.urls import reverse

from trellis.connect.tests.saml_idp import SAMLForm, TestIdP
from trellis.testing import People

START = "/sso/saml/login/"
ACS = "/sso/saml/acs/"
METADATA = "/sso/saml/metadata/"
TESTSERVER = "http://testserver"
BACKEND = "trellis.connect.sso.saml.backend.SAMLBackend"


@pytest.fixture
def saml(
    settings: Any, saml_idp: TestIdP, saml_sp_keys: tuple[Path, Path], client: Client
) -> TestIdP:
    for name, value in saml_idp.trellis_settings(TESTSERVER, *saml_sp_keys).items():
        setattr(settings, name, value)
    # The provider trusts Trellis from the metadata Trellis serves.
    saml_idp.register(client.get(METADATA).content.decode())
    return saml_idp


def begin(client: Client, next_url: str = "") -> str:
    """Press "Sign in with ..."; return the provider's single sign-on URL."""
    response = client.get(START, {"next": next_url} if next_url else {})
    assert response.status_code == 302, response.content[:500]
    return str(response["Location"])


def post_back(client: Client, form: SAMLForm) -> Any:
    assert form.action == TESTSERVER + ACS, form.action
    return client.post(ACS, form.fields)


def saml_sign_in(client: Client, idp: TestIdP, username: str, next_url: str = "") -> Any:
    return post_back(client, idp.sign_in(begin(client, next_url), username))


def signed_in(client: Client) -> int | None:
    value = client.session.get("_auth_user_id")
    return int(value) if value is not None else None


def assertion_xml(form: SAMLForm) -> str:
    return base64.b64decode(form.fields["SAMLResponse"]).decode()


def with_xml(form: SAMLForm, xml: str) -> SAMLForm:
    fields = {**form.fields, "SAMLResponse": base64.b64encode(xml.encode()).decode()}
    return SAMLForm(action=form.action, fields=fields)


def test_it_changes_nothing_while_saml_is_off(client: Client, db: None) -> None:
    assert "Sign in with" not in client.get(reverse("login")).content.decode()
    for path in (START, ACS, METADATA, "/sso/saml/ls/"):
        assert client.get(path).status_code == 404
    assert client.post(ACS, {"SAMLResponse": "x"}).status_code == 404


def test_it_serves_trellis_metadata_to_register_with_the_provider(
    client: Client, db: None, saml: TestIdP, saml_sp_keys: tuple[Path, Path]
) -> None:
    response = client.get(METADATA)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/xml")
    xml = response.content.decode()
    assert f'entityID="{TESTSERVER}{METADATA}"' in xml
    assert f'Location="{TESTSERVER}{ACS}"' in xml
    assert 'AuthnRequestsSigned="true"' in xml
    cert = "".join(saml_sp_keys[1].read_text().strip().splitlines()[1:-1])
    assert cert in re.sub(r"\s", "", xml)


def test_it_signs_in_a_known_person_matched_by_email_in_any_case(
    client: Client, people: People, saml: TestIdP
) -> None:
    # The provider says Director@Riverside.test; Trellis keeps director@riverside.test.
    response = saml_sign_in(client, saml, "dana")
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert signed_in(client) == people.director.pk
    assert client.session["_auth_user_backend"] == BACKEND
    assert "Dana" in client.get(reverse("home")).content.decode()


def test_the_login_page_offers_the_provider_beside_the_password(
    client: Client, db: None, saml: TestIdP
) -> None:
    html = client.get(reverse("login"), {"next": "/frameworks/"}).content.decode()
    assert f'href="{START}?next=%2Fframeworks%2F"' in html
    assert "Sign in with Riverside University" in html
    assert 'name="password"' in html


def test_it_returns_to_the_page_asked_for(client: Client, people: People, saml: TestIdP) -> None:
    response = saml_sign_in(client, saml, "lena", next_url=reverse("framework-list"))
    assert response["Location"] == reverse("framework-list")
    assert signed_in(client) == people.learner.pk


def test_it_returns_to_no_other_site(client: Client, people: People, saml: TestIdP) -> None:
    response = saml_sign_in(client, saml, "lena", next_url="https://evil.example/")
    assert response["Location"] == reverse("home")


def test_sign_out_ends_the_session_at_the_provider_too(
    client: Client, people: People, saml: TestIdP
) -> None:
    browser = requests.Session()  # the provider's cookie lives here
    post_back(client, saml.sign_in(begin(client), "lena", browser))
    assert signed_in(client) == people.learner.pk
    response = client.post(reverse("logout"))
    assert signed_in(client) is None
    location = urlsplit(response["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == f"{saml.url}/slo"
    assert {"SAMLRequest", "Signature", "SigAlg"} <= set(parse_qs(location.query))
    # The provider ends its session and sends the browser back with its answer.
    back = browser.get(response["Location"], allow_redirects=False, timeout=30)
    assert back.status_code == 302
    assert back.headers["Location"].startswith(TESTSERVER + "/sso/saml/ls/?SAMLResponse=")
    done = client.get(back.headers["Location"].removeprefix(TESTSERVER))
    assert done["Location"] == reverse("login")
    assert saml.sessions == {} or browser.cookies.get("riverside_idp") not in saml.sessions
    # Signing in again asks for the provider's password again.
    again = browser.get(begin(client), allow_redirects=False, timeout=30)
    assert 'name="password"' in again.text


def test_it_reads_an_assertion_encrypted_to_trellis(
    client: Client, people: People, saml: TestIdP
) -> None:
    saml.encrypt = True
    try:
        form = saml.sign_in(begin(client), "lena")
    finally:
        saml.encrypt = False
    xml = assertion_xml(form)
    assert "EncryptedAssertion" in xml and "learner@riverside.test" not in xml
    assert post_back(client, form)["Location"] == reverse("home")
    assert signed_in(client) == people.learner.pk


def test_sign_out_stays_here_where_the_policy_leaves_the_provider_out(
    client: Client, people: People, saml: TestIdP, settings: Any
) -> None:
    saml_sign_in(client, saml, "lena")
    settings.CONTENT_SECURITY_POLICY = {"DIRECTIVES": {"form-action": ["'self'"]}}
    assert client.post(reverse("logout"))["Location"] == reverse("login")
    assert signed_in(client) is None


def test_password_sign_in_can_be_switched_off_with_only_saml(
    client: Client, people: People, saml: TestIdP, settings: Any
) -> None:
    settings.PASSWORD_SIGN_IN = False
    settings.AUTHENTICATION_BACKENDS = [BACKEND]
    page = client.get(reverse("login")).content.decode()
    assert "Sign in with Riverside University" in page
    assert 'name="password"' not in page
    response = client.post(reverse("login"), {"username": people.learner.email, "password": "x"})
    assert response.status_code == 403
    assert saml_sign_in(client, saml, "lena")["Location"] == reverse("home")


def test_it_says_when_the_provider_cannot_be_reached(
    client: Client, db: None, saml: TestIdP, settings: Any
) -> None:
    settings.SAML_IDP_METADATA_URL = "http://127.0.0.1:9/metadata"  # nothing answers
    response = client.get(START)
    assert response.status_code == 502
    assert "could not reach Riverside University" in response.content.decode()


# ---- forged, altered and replayed answers ----


def assert_refused(response: Any, client: Client, status: int, text: str) -> None:
    assert response.status_code == status, response.content[:2000]
    assert text in response.content.decode()
    assert signed_in(client) is None


def test_it_refuses_an_assertion_altered_after_signing(
    client: Client, people: People, saml: TestIdP
) -> None:
    form = saml.sign_in(begin(client), "lena")
    xml = assertion_xml(form)
    assert "learner@riverside.test" in xml
    forged = with_xml(form, xml.replace("learner@riverside.test", "director@riverside.test"))
    response = post_back(client, forged)
    assert_refused(response, client, 403, "could not verify the answer from Riverside University")


def test_it_refuses_an_assertion_stripped_of_its_signature(
    client: Client, people: People, saml: TestIdP
) -> None:
    form = saml.sign_in(begin(client), "lena")
    signature = re.compile(r"<(\w+:)?Signature[ >].*?</(\w+:)?Signature>", re.DOTALL)
    xml, count = signature.subn("", assertion_xml(form))
    assert count == 1
    response = post_back(client, with_xml(form, xml))
    assert_refused(response, client, 403, "could not verify the answer")


@pytest.fixture(scope="module")
def impostor(saml_idp: TestIdP, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestIdP]:
    """A second provider that claims the first one's entity id, with a key of its own."""
    idp = TestIdP(
        tmp_path_factory.mktemp("impostor"), users=saml_idp.users, entity_id=saml_idp.entity_id
    ).start()
    yield idp
    idp.stop()


def test_it_refuses_an_assertion_signed_with_another_key(
    client: Client, people: People, saml: TestIdP, impostor: TestIdP
) -> None:
    impostor.register(client.get(METADATA).content.decode())
    # Trellis's request goes to the impostor, which answers as the provider would.
    form = impostor.sign_in(begin(client).replace(saml.url, impostor.url), "dana")
    response = post_back(client, form)
    assert_refused(response, client, 403, "could not verify the answer")


def test_an_assertion_works_once(client: Client, people: People, saml: TestIdP) -> None:
    form = saml.sign_in(begin(client), "lena")
    assert post_back(client, form).status_code == 302
    client.logout()
    assert_refused(post_back(client, form), client, 400, "This sign-in link has expired")
    # Nor in another browser, which never asked for it.
    other = Client()
    assert_refused(post_back(other, form), other, 400, "This sign-in link has expired")


def test_it_refuses_an_answer_without_a_saml_response(
    client: Client, db: None, saml: TestIdP
) -> None:
    assert_refused(client.post(ACS, {}), client, 403, "could not verify the answer")


# ---- settings ----


def _settings(env: dict[str, str], code: str = "import trellis.settings") -> Any:
    return subprocess.run(  # noqa: S603 (our own interpreter and code)
        [sys.executable, "-c", code],
        env={"PATH": "/usr/bin:/bin", "DEBUG": "1", **env},
        capture_output=True,
        text=True,
    )


def test_settings_let_sign_out_go_to_the_provider_and_passwords_be_off(
    saml_sp_keys: tuple[Path, Path],
) -> None:
    key, cert = saml_sp_keys
    env = {
        "SAML_IDP_METADATA_URL": "https://idp.example.edu/idp/shibboleth",
        "SAML_SP_KEY_FILE": str(key),
        "SAML_SP_CERT_FILE": str(cert),
        "PASSWORD_SIGN_IN": "0",
    }
    code = (
        "import json, trellis.settings as s; print(json.dumps("
        "[s.CONTENT_SECURITY_POLICY['DIRECTIVES']['form-action'], s.AUTHENTICATION_BACKENDS]))"
    )
    done = _settings(env, code)
    assert done.returncode == 0, done.stderr
    form_action, backends = json.loads(done.stdout)
    assert form_action == ["'self'", "https://idp.example.edu"]
    # No password backend; the LTI one only loads people a launch signed in.
    assert backends == [BACKEND, "trellis.connect.lti.backend.LTIBackend"]


def test_settings_refuse_saml_without_trellis_key() -> None:
    done = _settings({"SAML_IDP_METADATA_URL": "https://idp.example.edu/idp/shibboleth"})
    assert done.returncode != 0
    assert "set SAML_SP_KEY_FILE to a readable file" in done.stderr


def test_a_production_start_refuses_metadata_over_plain_http(saml: TestIdP, settings: Any) -> None:
    from trellis.connect.sso.saml.checks import saml_check

    settings.DEBUG = False
    assert [error.id for error in saml_check()] == ["trellis.E003"]
    settings.SAML_IDP_METADATA_URL = "https://idp.example.edu/idp/shibboleth"
    assert saml_check() == []
