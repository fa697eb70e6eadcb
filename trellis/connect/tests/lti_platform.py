"""A real LTI 1.3 platform for the tests, standing in for Canvas or Moodle: a small WSGI app
served from a thread on 127.0.0.1 with its own RSA key. It serves its key set, and its
OIDC authentication endpoint answers the tool's login redirect with a page that posts a
signed id_token back (as an LMS does); it checks the deep-linking answers the tool signs
against the tool's key set. Nothing here is imported by Trellis itself.

Tests steer the next launch through `Platform.next` (who, as what, which tweak), since
the platform runs in the test's own process."""

from __future__ import annotations

import html
import json
import re
import secrets
import threading
import time
from dataclasses import dataclass, field
from socketserver import ThreadingMixIn
from typing import Any
from urllib.parse import parse_qs, urlencode
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

LIS = "http://purl.imsglobal.org/vocab/lis/v2/membership#"
CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"
DL = "https://purl.imsglobal.org/spec/lti-dl/claim/"
LEARNER = [f"{LIS}Learner"]
INSTRUCTOR = [f"{LIS}Instructor"]
ADMINISTRATOR = [f"{LIS}Administrator"]
AGS = "https://purl.imsglobal.org/spec/lti-ags/"
AGS_SCOPES = [AGS + "scope/lineitem.readonly", AGS + "scope/result.readonly"]
CLIENT_ID = "trellis-client-1"
DEPLOYMENT_ID = "deployment-1"


class _Threading(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _Quiet(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (the base's name)
        pass


def new_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def public_jwk(key: rsa.RSAPrivateKey, kid: str) -> dict[str, Any]:
    jwk: dict[str, Any] = json.loads(RSAAlgorithm.to_jwk(key.public_key()))
    jwk.update({"kid": kid, "alg": "RS256", "use": "sig"})
    return jwk


@dataclass
class NextLaunch:
    """What the platform's next id_token says, and how it is signed."""

    email: str = "learner@riverside.test"
    roles: list[str] = field(default_factory=lambda: list(LEARNER))
    custom: dict[str, str] = field(default_factory=dict)
    deep_link: bool = False
    deployment_id: str = DEPLOYMENT_ID
    audience: str = CLIENT_ID
    expires_in: int = 300
    signing_key: rsa.RSAPrivateKey | None = None  # another key, under this platform's kid
    target_link_uri: str = ""  # the link's, as the login initiation gave it
    grades: bool = True  # the course offers Assignment and Grade Services


class Platform:
    def __init__(self, hostname: str = "127.0.0.1") -> None:
        """Served on 127.0.0.1, called by `hostname` (a browser test names it as the live
        server is named, so the two are one site for cookies over plain HTTP)."""
        self.key = new_key()
        self.kid = "platform-key-" + secrets.token_hex(4)
        self.next = NextLaunch()
        self.logins: list[dict[str, str]] = []  # the tool's authentication requests
        # Assignment and Grade Services: the tool's key set (a test hands it over, as an
        # admin registers the tool's key set URL), the course's line items and results.
        self.tool_jwks: dict[str, Any] = {"keys": []}
        self.line_items: list[dict[str, Any]] = []
        self.results: dict[str, list[dict[str, Any]]] = {}
        self.tokens: dict[str, str] = {}  # access token -> scopes granted
        self._server = make_server(
            "127.0.0.1", 0, self._app, server_class=_Threading, handler_class=_Quiet
        )
        self.url = f"http://{hostname}:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    # The values an admin copies into Trellis's registration form.
    @property
    def issuer(self) -> str:
        return self.url

    @property
    def auth_login_url(self) -> str:
        return self.url + "/auth"

    @property
    def auth_token_url(self) -> str:
        return self.url + "/token"

    @property
    def key_set_url(self) -> str:
        return self.url + "/jwks"

    @property
    def deep_link_return_url(self) -> str:
        return self.url + "/deep-link-return"

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def login_initiation(self, target_link_uri: str) -> dict[str, str]:
        """What the LMS sends the browser to the tool's login URL with."""
        self.next.target_link_uri = target_link_uri
        return {
            "iss": self.issuer,
            "login_hint": "user-" + secrets.token_hex(4),
            "target_link_uri": target_link_uri,
            "lti_message_hint": "message-" + secrets.token_hex(4),
            "client_id": CLIENT_ID,
            "lti_deployment_id": self.next.deployment_id,
        }

    def id_token(self, *, nonce: str, redirect_uri: str) -> str:
        launch = self.next
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": self.issuer,
            "aud": launch.audience,
            "sub": "sub-" + launch.email.split("@")[0],
            "iat": now,
            "exp": now + launch.expires_in,
            "nonce": nonce,
            "email": launch.email,
            "given_name": "Lena",
            "family_name": "Park",
            CLAIM + "version": "1.3.0",
            CLAIM + "deployment_id": launch.deployment_id,
            CLAIM + "roles": launch.roles,
            CLAIM + "context": {"id": "course-101", "title": "Internal Medicine clerkship"},
            CLAIM + "target_link_uri": launch.target_link_uri or redirect_uri,
        }
        if launch.custom:
            claims[CLAIM + "custom"] = launch.custom
        if launch.grades:
            claims[AGS + "claim/endpoint"] = {
                "scope": AGS_SCOPES,
                "lineitems": self.url + "/course-101/lineitems",
            }
        if launch.deep_link:
            claims[CLAIM + "message_type"] = "LtiDeepLinkingRequest"
            claims[DL + "deep_linking_settings"] = {
                "deep_link_return_url": self.deep_link_return_url,
                "accept_types": ["ltiResourceLink"],
                "accept_presentation_document_targets": ["iframe", "window"],
                "data": "opaque-platform-data",
            }
        else:
            claims[CLAIM + "message_type"] = "LtiResourceLinkRequest"
            claims[CLAIM + "resource_link"] = {"id": "link-" + secrets.token_hex(4)}
        key = launch.signing_key or self.key
        return jwt.encode(claims, key, algorithm="RS256", headers={"kid": self.kid})

    def verify_deep_link(self, token: str, tool_jwks: dict[str, Any]) -> dict[str, Any]:
        """The tool's LtiDeepLinkingResponse, checked as an LMS checks it: signed by a key in
        the tool's key set, issued by the client, addressed to this platform."""
        kid = jwt.get_unverified_header(token)["kid"]
        jwk = next(k for k in tool_jwks["keys"] if k["kid"] == kid)
        key = RSAAlgorithm.from_jwk(json.dumps(jwk))
        claims: dict[str, Any] = jwt.decode(
            token,
            key,
            algorithms=["RS256"],
            audience=self.issuer,
            issuer=CLIENT_ID,  # type: ignore[arg-type]
        )
        return claims

    # The WSGI app: the key set, and the OIDC authentication endpoint.
    def _app(self, environ: dict[str, Any], start_response: Any) -> list[bytes]:
        path = environ["PATH_INFO"]
        if path == "/jwks":
            body = json.dumps({"keys": [public_jwk(self.key, self.kid)]}).encode()
            start_response("200 OK", [("Content-Type", "application/json")])
            return [body]
        if path == "/course":
            query = {k: v[0] for k, v in parse_qs(environ.get("QUERY_STRING", "")).items()}
            return self._course(query, start_response)
        if path == "/auth":
            query = {k: v[0] for k, v in parse_qs(environ.get("QUERY_STRING", "")).items()}
            return self._authenticate(query, start_response)
        if path == "/token" and environ["REQUEST_METHOD"] == "POST":
            size = int(environ.get("CONTENT_LENGTH") or 0)
            form = {k: v[0] for k, v in parse_qs(environ["wsgi.input"].read(size).decode()).items()}
            return self._token(form, start_response)
        if path.startswith("/course-101/lineitems"):
            return self._grades(path, environ, start_response)
        if path == "/favicon.ico":  # asked for by the browser test's course page
            start_response("204 No Content", [])
            return []
        start_response("404 Not Found", [("Content-Type", "text/plain")])
        return [b"not found"]

    def _json(self, start_response: Any, status: str, body: object, kind: str) -> list[bytes]:
        start_response(status, [("Content-Type", kind)])
        return [json.dumps(body).encode()]

    def _token(self, form: dict[str, str], start_response: Any) -> list[bytes]:
        """OAuth 2 client credentials with a JWT assertion (RFC 7523), as LTI asks: the
        assertion must be signed by a key in the tool's key set, by the client, to here."""
        try:
            assert form.get("grant_type") == "client_credentials"
            assert form.get("client_assertion_type", "").endswith(":jwt-bearer")
            assertion = form["client_assertion"]
            kid = jwt.get_unverified_header(assertion)["kid"]
            jwk = next(k for k in self.tool_jwks["keys"] if k["kid"] == kid)
            jwt.decode(
                assertion,
                RSAAlgorithm.from_jwk(json.dumps(jwk)),  # type: ignore[arg-type]
                algorithms=["RS256"],
                audience=self.auth_token_url,
                issuer=CLIENT_ID,
            )
            scopes = form.get("scope", "").split()
            assert scopes and set(scopes) <= set(AGS_SCOPES)
        except (AssertionError, KeyError, StopIteration, jwt.InvalidTokenError):
            error = {"error": "invalid_client"}
            return self._json(start_response, "401 Unauthorized", error, "application/json")
        token = secrets.token_urlsafe(16)
        self.tokens[token] = " ".join(scopes)
        answer = {"access_token": token, "token_type": "Bearer", "expires_in": 3600}
        return self._json(start_response, "200 OK", answer, "application/json")

    def _grades(self, path: str, environ: dict[str, Any], start_response: Any) -> list[bytes]:
        token = environ.get("HTTP_AUTHORIZATION", "").removeprefix("Bearer ")
        if token not in self.tokens:
            return self._json(start_response, "401 Unauthorized", {}, "application/json")
        if path == "/course-101/lineitems":
            kind = "application/vnd.ims.lis.v2.lineitemcontainer+json"
            return self._json(start_response, "200 OK", self.line_items, kind)
        line_item = self.url + path.removesuffix("/results")
        if path.endswith("/results") and line_item in self.results:
            kind = "application/vnd.ims.lis.v2.resultcontainer+json"
            return self._json(start_response, "200 OK", self.results[line_item], kind)
        return self._json(start_response, "404 Not Found", {}, "application/json")

    def _course(self, query: dict[str, str], start_response: Any) -> list[bytes]:
        """A course page with the tool in an iframe, as an LMS shows it: the iframe starts at
        the tool's login initiation URL (`tool`), for the link `launch`."""
        start = query["tool"] + "?" + urlencode(self.login_initiation(query["launch"]))
        page = (
            "<!doctype html><html lang='en'><head><title>Course 101 - Riverside LMS</title>"
            "</head><body><h1>Internal Medicine clerkship</h1>"
            f"<iframe title='Trellis' src='{html.escape(start)}' width='100%' height='700'>"
            "</iframe></body></html>"
        )
        start_response("200 OK", [("Content-Type", "text/html; charset=utf-8")])
        return [page.encode()]

    def _authenticate(self, query: dict[str, str], start_response: Any) -> list[bytes]:
        self.logins.append(query)
        wanted = {
            "scope": "openid",
            "response_type": "id_token",
            "response_mode": "form_post",
            "prompt": "none",
            "client_id": CLIENT_ID,
        }
        if any(query.get(k) != v for k, v in wanted.items()) or not query.get("nonce"):
            start_response("400 Bad Request", [("Content-Type", "text/plain")])
            return [b"invalid authentication request"]
        token = self.id_token(nonce=query["nonce"], redirect_uri=query["redirect_uri"])
        page = (
            "<!doctype html><html lang='en'><head><title>Riverside LMS</title></head><body>"
            f"<form id='launch' method='post' action='{html.escape(query['redirect_uri'])}'>"
            f"<input type='hidden' name='id_token' value='{token}'>"
            f"<input type='hidden' name='state' value='{html.escape(query['state'])}'>"
            "<button type='submit'>Continue</button></form>"
            "<script>document.getElementById('launch').submit()</script></body></html>"
        )
        start_response("200 OK", [("Content-Type", "text/html; charset=utf-8")])
        return [page.encode()]


@dataclass(frozen=True)
class LaunchForm:
    action: str
    id_token: str
    state: str

    @property
    def data(self) -> dict[str, str]:
        return {"id_token": self.id_token, "state": self.state}


def launch_form(page: str) -> LaunchForm:
    """The fields of the page the platform's authentication endpoint answers with."""
    action = re.search(r"action='([^']+)'", page)
    token = re.search(r"name='id_token' value='([^']+)'", page)
    state = re.search(r"name='state' value='([^']+)'", page)
    assert action and token and state, page
    return LaunchForm(html.unescape(action.group(1)), token.group(1), html.unescape(state.group(1)))
