"""Reads about API tokens."""

from __future__ import annotations

import hmac

from django.db.models import F, QuerySet
from django.utils import timezone

from trellis.api.models import ApiToken
from trellis.api.services import api_token_hash
from trellis.people.models import User


def api_tokens_of(*, user: User) -> QuerySet[ApiToken]:
    """Active tokens first, newest first."""
    return ApiToken.objects.filter(user=user).order_by(
        F("revoked_at").asc(nulls_first=True), "-created_at", "-id"
    )


def api_token_find(*, plaintext: str) -> ApiToken | None:
    """The active token whose hash matches, with its user; None for an unknown, revoked
    or expired token. The lookup is by hash, so timing reveals nothing about the secret."""
    key_hash = api_token_hash(plaintext)
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=key_hash, revoked_at__isnull=True, expires_at__gt=timezone.now())
        .first()
    )
    if token is None or not hmac.compare_digest(token.key_hash, key_hash):
        return None
    return token
