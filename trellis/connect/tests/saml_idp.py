"""A real SAML 2.0 identity provider for the tests: pysaml2's Server behind a small WSGI app
served from a thread on 127.0.0.1, with a key and certificate made at test time. It takes
AuthnRequests and LogoutRequests by the HTTP-Redirect binding, signs people in at its own
login form (keeping a session in a cookie), and posts signed assertions back by the
HTTP-POST binding. Nothing here is imported by Trellis itself."""

from __future__ import annotations

import datetime
import html
import re
import secrets
import shutil
import threading
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from socketserver import ThreadingMixIn
from typing import Any
from urllib.parse import parse_qs
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import requests
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT
from saml2.config import IdPConfig
from saml2.metadata import entity_descriptor
from saml2.saml import NAME_FORMAT_URI, NAMEID_FORMAT_PERSISTENT, NAMEID_FORMAT_TRANSIENT
from saml2.server import Server

PASSWORD = "riverside-saml-password"
NAME = "Riverside University"
COOKIE = "riverside_idp"  # cookies are per host, not port: not one of Trellis's names
PASSWORD_CLASS = "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport"


def make_keypair(folder: Path, name: str) -> tuple[Path, Path]:
    """A throwaway RSA key and self-signed certificate (test-only, never committed)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=30))
        .sign(key, hashes.SHA256())
    )
    key_path, cert_path = folder / f"{name}.key", folder / f"{name}.crt"
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.TraditionalOpenSSL,
            serialization.NoEncryption(),
        )
    )
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return key_path, cert_path


class _Server(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _Quiet(WSGIRequestHandler):
    def log_message(self, *args: Any) -> None:
        pass


@dataclass
class SAMLForm:
    """The auto-posting form the provider answers with: where it posts, and its fields."""

    action: str
    fields: dict[str, str]


@dataclass
class TestIdP:
    __test__ = False  # not a pytest class

    folder: Path
    users: list[str]  # "username:email:first:last"
    entity_id: str = ""  # another provider's, for an impostor
    url: str = ""
    sessions: dict[str, str] = field(default_factory=dict)
    registered: dict[str, str] = field(default_factory=dict)  # entity id: metadata
    encrypt: bool = False  # encrypt assertions to the service provider's certificate

    def start(self) -> TestIdP:
        self._http = make_server("127.0.0.1", 0, self.app, _Server, _Quiet)
        # Served on 127.0.0.1, named localhost: the name pytest-django's live server has, so
        # the provider is on the same site as Trellis in the browser tests, as a campus one
        # is (its POST back then carries Trellis's SameSite=Lax cookie, as over http it must).
        self.url = f"http://localhost:{self._http.server_port}"
        self.entity_id = self.entity_id or f"{self.url}/metadata"
        self._key, self._cert = make_keypair(self.folder, f"idp-{self._http.server_port}")
        self._configure()
        self._thread = threading.Thread(target=self._http.serve_forever, daemon=True)
        self._thread.start()
        return self

    def _configure(self) -> None:
        config = IdPConfig()
        config.load(
            {
                "entityid": self.entity_id,
                "xmlsec_binary": shutil.which("xmlsec1"),
                "key_file": str(self._key),
                "cert_file": str(self._cert),
                "service": {
                    "idp": {
                        "name": NAME,
                        "endpoints": {
                            # An impostor takes requests meant for the provider it claims to be.
                            "single_sign_on_service": [
                                (f"{base}/sso", BINDING_HTTP_REDIRECT)
                                for base in {self.url, self.entity_id.removesuffix("/metadata")}
                            ],
                            "single_logout_service": [(f"{self.url}/slo", BINDING_HTTP_REDIRECT)],
                        },
                        "name_id_format": [NAMEID_FORMAT_TRANSIENT, NAMEID_FORMAT_PERSISTENT],
                        # Attributes by OID, as Shibboleth sends them (mail is 0.9.2342...3).
                        "policy": {
                            "default": {"lifetime": {"minutes": 5}, "name_form": NAME_FORMAT_URI}
                        },
                    }
                },
                "metadata": {"inline": list(self.registered.values())},
            }
        )
        self.server = Server(config=config)
        self.metadata = str(entity_descriptor(config))

    def stop(self) -> None:
        self._http.shutdown()
        self._http.server_close()

    @property
    def metadata_url(self) -> str:
        return f"{self.url}/metadata"

    def register(self, sp_metadata: str) -> None:
        """Trust a service provider, from the metadata it serves (once per entity id)."""
        entity = re.search(r'entityID="([^"]+)"', sp_metadata)
        assert entity is not None, sp_metadata[:500]
        if self.registered.get(entity.group(1)) != sp_metadata:
            self.registered[entity.group(1)] = sp_metadata
            self._configure()

    def trellis_settings(self, base: str, key: Path, cert: Path) -> dict[str, Any]:
        """Trellis's settings for this provider, as SAML_IDP_METADATA_URL etc. would make
        them, for Trellis served at `base`."""
        from django.conf import settings

        csp = {
            "DIRECTIVES": {
                **settings.CONTENT_SECURITY_POLICY["DIRECTIVES"],
                "form-action": ["'self'", self.url],
            }
        }
        return {
            "SAML_IDP_METADATA_URL": self.metadata_url,
            "SAML_SP_ENTITY_ID": f"{base}/sso/saml/metadata/",
            "SAML_SP_KEY_FILE": str(key),
            "SAML_SP_CERT_FILE": str(cert),
            "SAML_PROVIDER_NAME": NAME,
            "AUTHENTICATION_BACKENDS": [
                "django.contrib.auth.backends.ModelBackend",
                "trellis.connect.sso.saml.backend.SAMLBackend",
            ],
            "CONTENT_SECURITY_POLICY": csp,
        }

    # ---- what a browser without JavaScript would do ----

    def sign_in(
        self, sso_url: str, username: str, session: requests.Session | None = None
    ) -> SAMLForm:
        """Follow Trellis's redirect to the provider, sign in at its form; return the form
        it answers with (to be posted to Trellis)."""
        session = session or requests.Session()
        page = session.get(sso_url, allow_redirects=False, timeout=30)
        if 'name="password"' in page.text:
            fields = dict(
                re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', page.text)
            )
            fields = {k: html.unescape(v) for k, v in fields.items()}
            page = session.post(
                f"{self.url}/sso",
                data={**fields, "username": username, "password": PASSWORD},
                allow_redirects=False,
                timeout=30,
            )
        return answer_form(page.text)

    # ---- the WSGI app ----

    def app(self, environ: dict[str, Any], start_response: Any) -> list[bytes]:
        path, method = environ["PATH_INFO"], environ["REQUEST_METHOD"]
        query = {k: v[0] for k, v in parse_qs(environ.get("QUERY_STRING", "")).items()}
        if method == "POST":
            length = int(environ.get("CONTENT_LENGTH") or 0)
            body = environ["wsgi.input"].read(length).decode()
            query.update({k: v[0] for k, v in parse_qs(body).items()})
        cookie = SimpleCookie(environ.get("HTTP_COOKIE", ""))
        session = cookie[COOKIE].value if COOKIE in cookie else ""
        try:
            if path == "/metadata":
                return _answer(start_response, "200 OK", self.metadata, "text/xml")
            if path == "/favicon.ico":
                return _answer(start_response, "204 No Content", "")
            if path == "/sso":
                return self._sso(start_response, method, query, session)
            if path == "/slo":
                self.sessions.pop(session, None)
                return self._slo(start_response, query)
        except Exception as exc:  # noqa: BLE001 (a test provider: say what went wrong)
            return _answer(start_response, "400 Bad Request", f"{type(exc).__name__}: {exc}")
        return _answer(start_response, "404 Not Found", "not here")

    def _sso(
        self, start_response: Any, method: str, query: dict[str, str], session: str
    ) -> list[bytes]:
        username = self.sessions.get(session)
        headers: list[tuple[str, str]] = []
        if method == "POST":
            if query.get("password") != PASSWORD or not self._user(query.get("username", "")):
                return _answer(start_response, "200 OK", _login_page(query, failed=True))
            username = query["username"]
            session = secrets.token_urlsafe(16)
            self.sessions[session] = username
            headers.append(("Set-Cookie", f"{COOKIE}={session}; Path=/; HttpOnly; SameSite=Lax"))
        if username is None:
            return _answer(start_response, "200 OK", _login_page(query))
        request = self.server.parse_authn_request(query["SAMLRequest"], BINDING_HTTP_REDIRECT)
        args = self.server.response_args(request.message, [BINDING_HTTP_POST])
        email, first, last = self._user(username)
        response = self.server.create_authn_response(
            {"mail": [email], "givenName": [first], "sn": [last]},
            userid=username,
            authn={"class_ref": PASSWORD_CLASS, "authn_auth": self.entity_id},
            sign_assertion=True,
            sign_response=False,
            encrypt_assertion=self.encrypt,
            **args,
        )
        http = self.server.apply_binding(
            BINDING_HTTP_POST,
            str(response),
            args["destination"],
            query.get("RelayState", ""),
            response=True,
        )
        return _answer(start_response, "200 OK", http["data"], extra=headers)

    def _slo(self, start_response: Any, query: dict[str, str]) -> list[bytes]:
        request = self.server.parse_logout_request(query["SAMLRequest"], BINDING_HTTP_REDIRECT)
        response = self.server.create_logout_response(request.message, [BINDING_HTTP_REDIRECT])
        binding, destination = self.server.pick_binding(
            "single_logout_service", [BINDING_HTTP_REDIRECT], "spsso", request
        )
        http = self.server.apply_binding(
            binding, str(response), destination, query.get("RelayState", ""), response=True
        )
        location = dict(http["headers"])["Location"]
        start_response("302 Found", [("Location", location)])
        return [b""]

    def _user(self, username: str) -> tuple[str, str, str] | None:
        for spec in self.users:
            name, email, first, last = spec.split(":")
            if name == username:
                return email, first, last
        return None


def answer_form(page: str) -> SAMLForm:
    action = re.search(r'<form action="([^"]+)" method="post">', page)
    fields = re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"/>', page)
    assert action is not None and fields, page[:1000]
    return SAMLForm(
        action=html.unescape(action.group(1)),
        fields={name: html.unescape(value) for name, value in fields},
    )


def _login_page(query: dict[str, str], failed: bool = False) -> str:
    hidden = "".join(
        f'<input type="hidden" name="{name}" value="{html.escape(query[name])}">'
        for name in ("SAMLRequest", "RelayState", "SigAlg", "Signature")
        if name in query
    )
    alert = '<p role="alert">Wrong user name or password.</p>' if failed else ""
    return f"""<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>{NAME} sign-in</title></head>
<body><main>
<h1>{NAME}</h1>{alert}
<form method="post" action="/sso">{hidden}
<p><label for="username">University user name</label>
<input id="username" name="username" autocomplete="username"></p>
<p><label for="password">University password</label>
<input id="password" name="password" type="password"></p>
<button type="submit">Log in to Riverside</button>
</form>
</main></body>
</html>"""


def _answer(
    start_response: Any,
    status: str,
    body: str,
    content_type: str = "text/html; charset=utf-8",
    extra: list[tuple[str, str]] | None = None,
) -> list[bytes]:
    data = body.encode()
    headers = [("Content-Type", content_type), ("Content-Length", str(len(data)))]
    start_response(status, headers + (extra or []))
    return [data]
