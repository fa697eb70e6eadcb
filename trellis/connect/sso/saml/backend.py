"""The authentication backend for SAML: the assertion has been checked by pysaml2 (its
signature against the identity provider's metadata, its audience, destination and time,
and that it answers a request this browser made, once) before djangosaml2's view calls
this; here the e-mail attribute picks the account by the rule OpenID Connect uses too."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest

from trellis.connect.sso.accounts import sso_account
from trellis.connect.sso.saml.config import saml_enabled
from trellis.people.models import User


def _first(attributes: dict[str, Any], *names: str) -> str:
    for name in names:
        values = attributes.get(name) or []
        if values and isinstance(values[0], str) and values[0].strip():
            return values[0]
    return ""


class SAMLBackend(ModelBackend):
    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> User | None:
        # Only the assertion consumer view passes session_info (pysaml2's checked answer);
        # a password is never this backend's to check.
        session_info = kwargs.get("session_info")
        if not saml_enabled() or request is None or not isinstance(session_info, dict):
            return None
        attributes = session_info.get("ava") or {}
        return sso_account(
            request=request,
            email=_first(attributes, settings.SAML_EMAIL_ATTRIBUTE),
            first_name=_first(attributes, "givenName"),
            last_name=_first(attributes, "sn", "surname"),
            source="saml",
        )
