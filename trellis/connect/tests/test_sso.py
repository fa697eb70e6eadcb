"""Single sign-on with OpenID Connect, against a real provider (django-oidc-provider in its
own process on 127.0.0.1, see idp/): the code flow through the test client, the provider's
own login form and its token, userinfo and JWKS endpoints, nothing of the protocol mocked."""

from __future__ import annotations

import base64
import json
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from django.contrib.auth import authenticate
from django.test import Client
from django.urls import reverse

from trellis.connect.tests.idp.provider import TestProvider, start_provider
from trellis.people.models import User
from trellis.testing import PASSWORD, People

START = "/sso/oidc/authenticate/"
CALLBACK = "/sso/oidc/callback/"
TESTSERVER = "http://testserver"


@pytest.fixture
def sso(settings: Any, oidc_provider: TestProvider) -> TestProvider:
    for name, value in oidc_provider.trellis_settings().items():
        setattr(settings, name, value)
    return oidc_provider


def begin(client: Client, next_url: str = "") -> str:
    """Press "Sign in with ..."; return the provider's authorization URL."""
    response = client.get(START, {"next": next_url} if next_url else {})
    assert response.status_code == 302
    return str(response["Location"])


def sso_sign_in(client: Client, provider: TestProvider, username: str, next_url: str = "") -> Any:
    back = provider.sign_in(begin(client, next_url), username)
    assert back.startswith(TESTSERVER + CALLBACK), back
    return client.get(back.removeprefix(TESTSERVER))


def signed_in(client: Client) -> int | None:
    value = client.session.get("_auth_user_id")
    return int(value) if value is not None else None


def test_it_changes_nothing_while_single_sign_on_is_off(client: Client, db: None) -> None:
    html = client.get(reverse("login")).content.decode()
    assert "Sign in with" not in html
    assert 'name="password"' in html
    assert client.get(START).status_code == 404
    assert client.get(CALLBACK, {"code": "x", "state": "y"}).status_code == 404


def test_it_signs_in_a_known_person_matched_by_email_in_any_case(
    client: Client, people: People, sso: TestProvider
) -> None:
    # The provider says Director@Riverside.test; Trellis keeps director@riverside.test.
    response = sso_sign_in(client, sso, "dana")
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert signed_in(client) == people.director.pk
    assert client.session["_auth_user_backend"] == "trellis.connect.sso.backend.OIDCBackend"
    assert "Dana" in client.get(reverse("home")).content.decode()


def test_the_login_page_offers_the_provider_beside_the_password(
    client: Client, db: None, sso: TestProvider
) -> None:
    html = client.get(reverse("login"), {"next": "/frameworks/"}).content.decode()
    assert 'href="/sso/oidc/authenticate/?next=%2Fframeworks%2F"' in html
    assert "Sign in with Riverside University" in html
    assert 'name="password"' in html


def test_it_returns_to_the_page_asked_for(
    client: Client, people: People, sso: TestProvider
) -> None:
    response = sso_sign_in(client, sso, "lena", next_url=reverse("framework-list"))
    assert response["Location"] == reverse("framework-list")
    assert signed_in(client) == people.learner.pk


def test_it_signs_out_someone_switched_off_after_signing_in(
    client: Client, people: People, sso: TestProvider
) -> None:
    sso_sign_in(client, sso, "farah")
    assert client.get(reverse("home")).status_code == 200
    User.objects.filter(pk=people.faculty.pk).update(is_active=False)
    assert client.get(reverse("home"))["Location"].startswith(reverse("login"))


def test_it_refuses_an_address_the_provider_has_not_verified(
    client: Client, people: People, sso: TestProvider
) -> None:
    response = sso_sign_in(client, sso, "uma")
    assert response.status_code == 403
    assert "did not give Trellis a verified e-mail address" in response.content.decode()
    assert signed_in(client) is None


def test_a_sign_in_link_works_once(client: Client, people: People, sso: TestProvider) -> None:
    back = sso.sign_in(begin(client), "lena").removeprefix(TESTSERVER)
    assert client.get(back).status_code == 302
    client.logout()
    replayed = client.get(back)
    assert replayed.status_code == 400
    assert "This sign-in link has expired" in replayed.content.decode()
    assert signed_in(client) is None


def test_it_says_when_the_provider_turns_the_person_away(
    client: Client, db: None, sso: TestProvider
) -> None:
    state = parse_qs(urlsplit(begin(client)).query)["state"][0]
    response = client.get(CALLBACK, {"error": "access_denied", "state": state})
    assert response.status_code == 403
    assert "did not sign you in" in response.content.decode()


def test_it_says_when_the_provider_cannot_be_reached(
    client: Client, db: None, sso: TestProvider, settings: Any
) -> None:
    settings.OIDC_ISSUER = "http://127.0.0.1:9/openid"  # the discard port: nothing answers
    response = client.get(START)
    assert response.status_code == 502
    assert "could not reach Riverside University" in response.content.decode()


def test_sign_out_ends_the_session_at_the_provider_too(
    client: Client, people: People, sso: TestProvider
) -> None:
    sso_sign_in(client, sso, "lena")
    id_token = client.session["oidc_id_token"]
    response = client.post(reverse("logout"))
    assert signed_in(client) is None
    location = urlsplit(response["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == sso.endpoint("end-session")
    query = parse_qs(location.query)
    assert query["id_token_hint"] == [id_token]
    assert query["post_logout_redirect_uri"] == [TESTSERVER + reverse("login")]


def test_sign_out_after_a_password_stays_here(
    client: Client, people: People, sso: TestProvider
) -> None:
    client.post(reverse("login"), {"username": people.learner.email, "password": PASSWORD})
    assert signed_in(client) == people.learner.pk
    assert client.post(reverse("logout"))["Location"] == reverse("login")
    assert signed_in(client) is None


def test_password_sign_in_is_refused_when_switched_off(
    client: Client, people: People, sso: TestProvider, settings: Any
) -> None:
    settings.PASSWORD_SIGN_IN = False
    settings.AUTHENTICATION_BACKENDS = ["trellis.connect.sso.backend.OIDCBackend"]
    page = client.get(reverse("login")).content.decode()
    assert "Sign in with Riverside University" in page
    assert 'name="password"' not in page
    assert reverse("password_reset") not in page
    response = client.post(
        reverse("login"), {"username": people.learner.email, "password": PASSWORD}
    )
    assert response.status_code == 403
    assert "Sign-in with a password is switched off here" in response.content.decode()
    assert signed_in(client) is None
    # Nor by any other door (the admin's login, the API's session): no backend takes it.
    assert authenticate(username=people.learner.email, password=PASSWORD) is None
    # A password chosen by reset or change could not be used: neither page is there.
    assert client.get(reverse("password_reset")).status_code == 404
    assert sso_sign_in(client, sso, "lena")["Location"] == reverse("home")
    assert reverse("password_change") not in client.get(reverse("home")).content.decode()
    assert client.get(reverse("password_change")).status_code == 404


def test_settings_let_sign_out_go_to_the_provider() -> None:
    # Browsers hold a form's redirect to form-action: sign-out's goes to the provider.
    env = {
        "PATH": "/usr/bin:/bin",
        "DEBUG": "1",
        "OIDC_RP_CLIENT_ID": "trellis",
        "OIDC_RP_CLIENT_SECRET": "secret",
        "OIDC_ISSUER": "https://login.example.edu/realms/staff",
    }
    code = (
        "import json, trellis.settings as s; print(json.dumps("
        "[s.CONTENT_SECURITY_POLICY['DIRECTIVES']['form-action'], s.AUTHENTICATION_BACKENDS]))"
    )
    done = subprocess.run(  # noqa: S603 (our own interpreter and code)
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    form_action, backends = json.loads(done.stdout)
    assert form_action == ["'self'", "https://login.example.edu"]
    assert backends[-2:] == [
        "trellis.connect.sso.backend.OIDCBackend",
        "trellis.connect.lti.backend.LTIBackend",
    ]


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"OIDC_RP_CLIENT_ID": "trellis", "OIDC_RP_CLIENT_SECRET": "s"}, "set OIDC_ISSUER too"),
        ({"OIDC_RP_CLIENT_ID": "trellis", "OIDC_ISSUER": "https://x.test"}, "CLIENT_SECRET too"),
        (
            {
                "OIDC_RP_CLIENT_ID": "trellis",
                "OIDC_RP_CLIENT_SECRET": "s",
                "OIDC_OP_AUTHORIZATION_ENDPOINT": "https://x.test/authorize",
                "OIDC_OP_TOKEN_ENDPOINT": "https://x.test/token",
            },
            "set OIDC_ISSUER or OIDC_OP_JWKS_ENDPOINT",
        ),
    ],
    ids=["no issuer", "no secret", "no keys"],
)
def test_settings_refuse_an_incomplete_provider(env: dict[str, str], message: str) -> None:
    done = subprocess.run(  # noqa: S603 (our own interpreter and code)
        [sys.executable, "-c", "import trellis.settings"],
        env={"PATH": "/usr/bin:/bin", "DEBUG": "1", **env},
        capture_output=True,
        text=True,
    )
    assert done.returncode != 0
    assert message in done.stderr


def test_settings_refuse_password_sign_in_off_without_a_provider() -> None:
    env = {"PATH": "/usr/bin:/bin", "DEBUG": "1", "PASSWORD_SIGN_IN": "0"}
    done = subprocess.run(
        [sys.executable, "-c", "import trellis.settings"], env=env, capture_output=True, text=True
    )
    assert done.returncode != 0
    assert "PASSWORD_SIGN_IN is off but single sign-on is not configured" in done.stderr


# ---- forged and altered tokens ----


@pytest.fixture(scope="module")
def impostor(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestProvider]:
    """A second provider with the same client and people but its own signing key."""
    from conftest import IDP_USERS

    provider = start_provider(
        tmp_path_factory.mktemp("impostor"),
        users=IDP_USERS,
        redirect_uris=[TESTSERVER + CALLBACK],
    )
    yield provider
    provider.stop()


def test_it_refuses_an_id_token_signed_with_another_key(
    client: Client, people: People, sso: TestProvider, impostor: TestProvider, settings: Any
) -> None:
    # Trellis trusts the real provider's keys; the code and the tokens come from the
    # impostor, which signs with its own key (as a hijacked token endpoint would).
    settings.OIDC_ISSUER = ""
    settings.OIDC_OP_AUTHORIZATION_ENDPOINT = impostor.endpoint("authorize")
    settings.OIDC_OP_TOKEN_ENDPOINT = impostor.endpoint("token")
    settings.OIDC_OP_USER_ENDPOINT = impostor.endpoint("userinfo")
    settings.OIDC_OP_JWKS_ENDPOINT = sso.endpoint("jwks")
    back = impostor.sign_in(begin(client), "lena")
    response = client.get(back.removeprefix(TESTSERVER))
    assert response.status_code == 403
    assert "could not verify the answer from Riverside University" in response.content.decode()
    assert signed_in(client) is None


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@pytest.fixture
def tampering_proxy(oidc_provider: TestProvider) -> Iterator[str]:
    """The provider's token endpoint behind a man in the middle who rewrites the id_token's
    e-mail to the director's, keeping the provider's header and signature."""
    target = oidc_provider.endpoint("token")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            headers = {"Content-Type": self.headers["Content-Type"]}
            if self.headers.get("Authorization"):
                headers["Authorization"] = self.headers["Authorization"]
            answer = requests.post(target, data=body, headers=headers, timeout=30).json()
            header, payload, signature = answer["id_token"].split(".")
            claims = json.loads(_unb64(payload))
            claims["email"] = "director@riverside.test"
            answer["id_token"] = ".".join([header, _b64(json.dumps(claims).encode()), signature])
            out = json.dumps(answer).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(out)))
            self.end_headers()
            self.wfile.write(out)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/token"
    server.shutdown()
    server.server_close()


def test_it_refuses_an_id_token_altered_in_flight(
    client: Client, people: People, sso: TestProvider, tampering_proxy: str, settings: Any
) -> None:
    settings.OIDC_OP_TOKEN_ENDPOINT = tampering_proxy
    response = sso_sign_in(client, sso, "lena")
    assert response.status_code == 403
    assert "could not verify the answer" in response.content.decode()
    assert signed_in(client) is None
