"""Writes to API tokens. Creation and revocation are audited."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone

from trellis.api.models import ApiToken
from trellis.audit.services import audit_record, snapshot
from trellis.people.models import User

TOKEN_PREFIX = "trl_"  # noqa: S105 (a visible prefix, not a secret)


def api_token_hash(plaintext: str) -> str:
    """The stored form of a token. Tokens carry 256 bits of randomness, so a plain SHA-256
    is enough (no salt or slow hash needed) and lets the token be found by its hash."""
    return hashlib.sha256(plaintext.encode()).hexdigest()


def api_token_create(*, user: User, name: str, days: int | None = None) -> tuple[ApiToken, str]:
    """Make a token for `user` that expires after `days` (default API_TOKEN_DEFAULT_DAYS,
    at most API_TOKEN_MAX_DAYS). Returns the token row and the plaintext, which is never
    stored and cannot be shown again."""
    name = name.strip()
    if not name:
        raise ValueError("A token needs a name")
    days = settings.API_TOKEN_DEFAULT_DAYS if days is None else days
    if not 1 <= days <= settings.API_TOKEN_MAX_DAYS:
        raise ValueError(f"A token lasts from 1 to {settings.API_TOKEN_MAX_DAYS} days, not {days}")
    expires_at = timezone.now() + dt.timedelta(days=days)
    for _ in range(5):
        prefix = secrets.token_hex(4)
        plaintext = f"{TOKEN_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
        try:
            with transaction.atomic():
                token = ApiToken.objects.create(
                    user=user,
                    name=name,
                    prefix=prefix,
                    key_hash=api_token_hash(plaintext),
                    expires_at=expires_at,
                )
                audit_record(
                    actor=user,
                    action="api_token.create",
                    target=token,
                    after=snapshot(token, ["user", "name", "prefix", "expires_at"]),
                )
        except IntegrityError:
            continue  # a prefix already taken: one chance in four billion; draw again
        return token, plaintext
    raise RuntimeError("Could not draw an unused token prefix")


@transaction.atomic
def api_token_revoke(*, token: ApiToken, acting_user: User | None) -> ApiToken:
    """Revoke a token (idempotent). `acting_user` None means the operator, from the command
    line; otherwise only the token's owner or a superuser may revoke it."""
    if acting_user is not None and acting_user.pk != token.user_id and not acting_user.is_superuser:
        raise PermissionDenied("Only the token's owner may revoke it")
    if token.revoked_at is not None:
        return token
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    audit_record(
        actor=acting_user,
        action="api_token.revoke",
        target=token,
        before={"revoked_at": None},
        after=snapshot(token, ["revoked_at"]),
    )
    return token


def api_token_touch(*, token: ApiToken, min_interval_s: int = 60) -> None:
    """Note that a token was used, at most once a minute, so a busy client does not turn
    every read into a write."""
    now = timezone.now()
    last = token.last_used_at
    if last is not None and (now - last).total_seconds() < min_interval_s:
        return
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    token.last_used_at = now
