"""Start the test provider (this package's Django project) in a subprocess on 127.0.0.1.

Each provider has its own SQLite file and its own RSA signing key; `idp_setup` registers
Trellis as a confidential client and the provider's users (all with PASSWORD)."""

from __future__ import annotations

import html
import os
import re
import secrets
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import requests

from trellis.testing import free_port

PASSWORD = "riverside-idp-password"
CLIENT_ID = "trellis"
CLIENT_SECRET = "trellis-client-secret-for-the-tests"
SETTINGS = "trellis.connect.tests.idp.settings"
NAME = "Riverside University"


@dataclass
class TestProvider:
    __test__ = False  # not a pytest class

    url: str
    env: dict[str, str]
    process: subprocess.Popen[bytes]
    log: Path

    @property
    def issuer(self) -> str:
        return f"{self.url}/openid"

    def endpoint(self, name: str) -> str:
        return f"{self.issuer}/{name}"

    def register(self, *, redirect_uris: list[str], logout_uris: list[str]) -> None:
        """Add redirect URIs to Trellis's registration (e.g. the live server's)."""
        _setup(self.env, [], redirect_uris, logout_uris)

    def trellis_settings(self, **extra: Any) -> dict[str, Any]:
        """Trellis's settings for this provider, as OIDC_ISSUER etc. would make them."""
        from django.conf import settings

        csp = {
            "DIRECTIVES": {
                **settings.CONTENT_SECURITY_POLICY["DIRECTIVES"],
                "form-action": ["'self'", self.url],
            }
        }
        return {
            "OIDC_RP_CLIENT_ID": CLIENT_ID,
            "OIDC_RP_CLIENT_SECRET": CLIENT_SECRET,
            "OIDC_ISSUER": self.issuer,
            "OIDC_PROVIDER_NAME": NAME,
            "AUTHENTICATION_BACKENDS": [
                "django.contrib.auth.backends.ModelBackend",
                "trellis.connect.sso.backend.OIDCBackend",
            ],
            "CONTENT_SECURITY_POLICY": csp,
            **extra,
        }

    def sign_in(self, authorize_url: str, username: str) -> str:
        """Follow the authorization request as a browser without JavaScript would, signing
        in at the provider's own form; return the URL it sends back to Trellis."""
        session = requests.Session()
        response = session.get(authorize_url, allow_redirects=False, timeout=30)
        for _ in range(10):
            if response.status_code in (301, 302, 303):
                location = urljoin(response.url, response.headers["Location"])
                if not location.startswith(self.url):
                    return location
                response = session.get(location, allow_redirects=False, timeout=30)
            elif response.status_code == 200 and 'name="csrfmiddlewaretoken"' in response.text:
                token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', response.text)
                after = re.search(r'name="next" value="([^"]*)"', response.text)
                assert token is not None and after is not None
                response = session.post(
                    response.url,
                    data={
                        "csrfmiddlewaretoken": token.group(1),
                        "username": username,
                        "password": PASSWORD,
                        "next": html.unescape(after.group(1)),
                    },
                    allow_redirects=False,
                    timeout=30,
                )
            else:
                break
        raise AssertionError(f"the provider answered {response.status_code}: {response.text[:500]}")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()


def _manage(env: dict[str, str], *args: str) -> None:
    subprocess.run(  # noqa: S603 (our own interpreter and arguments)
        [sys.executable, "-m", "django", *args],
        env=env,
        check=True,
        capture_output=True,
        timeout=120,
    )


def _setup(
    env: dict[str, str], users: list[str], redirect_uris: list[str], logout_uris: list[str]
) -> None:
    args = ["idp_setup", "--client-id", CLIENT_ID, "--client-secret", CLIENT_SECRET]
    args += ["--password", PASSWORD]
    for user in users:
        args += ["--user", user]
    for uri in redirect_uris:
        args += ["--redirect-uri", uri]
    for uri in logout_uris:
        args += ["--logout-uri", uri]
    _manage(env, *args)


def start_provider(folder: Path, *, users: list[str], redirect_uris: list[str]) -> TestProvider:
    """users: "username:email:first:last" each."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": SETTINGS,
        "IDP_SECRET_KEY": secrets.token_urlsafe(50),
        "IDP_URL": url,
        "IDP_DATABASE": str(folder / "idp.sqlite3"),
    }
    log = folder / "idp.log"
    _manage(env, "migrate", "--verbosity", "0")
    _setup(env, users, redirect_uris, [])
    with log.open("wb") as out:
        process = subprocess.Popen(  # noqa: S603
            [sys.executable, "-m", "django", "runserver", f"127.0.0.1:{port}", "--noreload"],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    provider = TestProvider(url=url, env=env, process=process, log=log)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the test provider stopped: {log.read_text()[-2000:]}")
        try:
            if requests.get(provider.endpoint(".well-known/openid-configuration"), timeout=2).ok:
                return provider
        except requests.ConnectionError:
            pass
        time.sleep(0.2)
    provider.stop()
    raise RuntimeError(f"the test provider did not start: {log.read_text()[-2000:]}")
