"""Token authentication: `Authorization: Bearer trl_...` (or `Token trl_...`).

Tokens are stored hashed (see trellis.api.services); a request's token is hashed and
looked up. Revoked tokens and inactive users are refused.
"""

from __future__ import annotations

from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.request import Request

from trellis.api.models import ApiToken
from trellis.api.selectors import api_token_find
from trellis.api.services import api_token_touch
from trellis.people.models import User

SCHEMES = {b"bearer", b"token"}


class HashedTokenAuthentication(BaseAuthentication):
    def authenticate(self, request: Request) -> tuple[User, ApiToken] | None:
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() not in SCHEMES:
            return None  # not ours: let session authentication try
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(
                "Invalid Authorization header: expected 'Bearer <token>'"
            )
        try:
            plaintext = parts[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed("Invalid token") from None
        token = api_token_find(plaintext=plaintext)
        if token is None:
            raise exceptions.AuthenticationFailed("Invalid, revoked or expired token")
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed("User inactive")
        api_token_touch(token=token)
        return token.user, token

    def authenticate_header(self, request: Request) -> str:
        # Makes DRF answer 401 (with this challenge) rather than 403 to anonymous callers.
        return 'Bearer realm="api"'
