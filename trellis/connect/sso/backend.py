"""The authentication backend: mozilla-django-oidc's code flow, with Trellis's rules.

- The id_token's signature (the provider's JWKS, or the client secret for HS256), its
  nonce and expiry are checked by the library; its audience (this client) and issuer are
  checked here, which the library leaves out.
- Claims are the verified id_token's, completed by the userinfo endpoint where there is one
  (whose `sub` must be the token's).
- The e-mail claim (OIDC_EMAIL_CLAIM) picks the account by the rule both protocols share
  (accounts.py); a provider that says the address is unverified is not believed. Each
  refusal is left on the request for the callback to explain (views.py).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import SuspiciousOperation
from django.http import HttpRequest
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from trellis.connect.sso.accounts import sso_account
from trellis.connect.sso.provider import provider_endpoint, provider_issuer, sso_enabled
from trellis.people.models import User


class OIDCBackend(OIDCAuthenticationBackend):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Django builds a backend for every request that loads its user: read no endpoint
        # here (that could mean a network fetch); each is a property, read when used.
        self.UserModel = User
        self.OIDC_RP_CLIENT_ID = settings.OIDC_RP_CLIENT_ID
        self.OIDC_RP_CLIENT_SECRET = settings.OIDC_RP_CLIENT_SECRET
        self.OIDC_RP_SIGN_ALGO = settings.OIDC_RP_SIGN_ALGO
        self.OIDC_RP_IDP_SIGN_KEY = None

    @property
    def OIDC_OP_TOKEN_ENDPOINT(self) -> str:  # the library's name
        return provider_endpoint("OIDC_OP_TOKEN_ENDPOINT")

    @property
    def OIDC_OP_USER_ENDPOINT(self) -> str:
        return provider_endpoint("OIDC_OP_USER_ENDPOINT")

    @property
    def OIDC_OP_JWKS_ENDPOINT(self) -> str:
        return provider_endpoint("OIDC_OP_JWKS_ENDPOINT")

    def authenticate(self, request: HttpRequest | None, **kwargs: Any) -> User | None:
        # Only the callback view passes a nonce: a password form posted to a URL that
        # carries ?code=&state= must not start a token exchange behind the state check.
        if not sso_enabled() or request is None or set(kwargs) != {"nonce", "code_verifier"}:
            return None
        user: User | None = super().authenticate(request, **kwargs)
        return user

    def get_user(self, user_id: Any) -> User | None:
        # The library's get_user skips is_active: a person deactivated after signing in
        # would stay signed in. Django's refuses them on their next request.
        user: User | None = ModelBackend.get_user(self, user_id)
        return user

    def get_payload_data(self, token: bytes | str, key: Any) -> dict[str, Any]:
        payload: dict[str, Any] = super().get_payload_data(token, key)
        audience = payload.get("aud")
        audiences = [audience] if isinstance(audience, str) else list(audience or [])
        if self.OIDC_RP_CLIENT_ID not in audiences:
            raise SuspiciousOperation("The id_token was issued to another client")
        issuer = provider_issuer()
        if issuer and payload.get("iss") != issuer:
            raise SuspiciousOperation("The id_token names another issuer")
        return payload

    def get_userinfo(
        self, access_token: str, id_token: str, payload: dict[str, Any]
    ) -> dict[str, Any]:
        claims = dict(payload)
        if self.OIDC_OP_USER_ENDPOINT:
            info = super().get_userinfo(access_token, id_token, payload)
            # OpenID Connect Core 5.3.2: userinfo about anyone else must not be used.
            if not isinstance(info, dict) or info.get("sub") != payload.get("sub"):
                raise SuspiciousOperation("The userinfo answer is about another subject")
            claims.update(info)
        return claims

    def get_or_create_user(
        self, access_token: str, id_token: str, payload: dict[str, Any]
    ) -> User | None:
        claims = self.get_userinfo(access_token, id_token, payload)
        return sso_account(
            request=self.request,
            email=str(claims.get(settings.OIDC_EMAIL_CLAIM) or ""),
            verified=claims.get("email_verified") is not False,
            first_name=str(claims.get("given_name") or ""),
            last_name=str(claims.get("family_name") or ""),
            source="oidc",
        )
