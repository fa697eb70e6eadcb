"""Where sign-out sends the browser after a SAML sign-in: the identity provider's single
logout service, with a signed LogoutRequest (HTTP-Redirect binding), so its session ends
too; it answers at saml/views.py's SignOutServiceView. "" where it offers none."""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest
from djangosaml2.cache import IdentityCache, StateCache
from djangosaml2.overrides import Saml2Client
from djangosaml2.utils import get_location
from saml2 import BINDING_HTTP_REDIRECT
from saml2.client_base import LogoutError
from saml2.ident import decode
from saml2.s_utils import UnsupportedBinding

from trellis.connect.sso.saml.config import MetadataUnavailable, saml_enabled, sp_config

log = logging.getLogger("trellis.sso")
SUBJECT = "_saml2_subject_id"  # where djangosaml2 keeps the signed-in subject


def saml_logout_url(request: HttpRequest) -> str:
    session = getattr(request, "saml_session", None)
    if not saml_enabled() or session is None or not session.get(SUBJECT):
        return ""
    try:
        conf = sp_config(request)
    except MetadataUnavailable as exc:
        log.warning("single sign-on: signed out here only, provider unavailable: %s", exc)
        return ""
    state = StateCache(session)
    client = Saml2Client(conf, state_cache=state, identity_cache=IdentityCache(session))
    subject = decode(session[SUBJECT])
    try:
        result = client.do_logout(
            subject,
            client.users.issuers_of_info(subject),
            reason="",
            expire=None,
            expected_binding=BINDING_HTTP_REDIRECT,
        )
    except (LogoutError, UnsupportedBinding) as exc:
        log.info("single sign-on: signed out here only: %s", exc)
        return ""
    state.sync()
    for answer in result.values():
        if isinstance(answer, tuple) and answer[0] == BINDING_HTTP_REDIRECT:
            return _allowed(str(get_location(answer[1])))
    return ""


def _allowed(url: str) -> str:
    # The browser would stop at a redirect from the sign-out form to an origin the
    # Content-Security-Policy's form-action leaves out (settings.py): sign out here only.
    parts = urlsplit(url)
    allowed = settings.CONTENT_SECURITY_POLICY["DIRECTIVES"].get("form-action", [])
    if f"{parts.scheme}://{parts.netloc}" in allowed:
        return url
    log.warning("single sign-on: signed out here only, %s is not in form-action", parts.netloc)
    return ""
