"""Sign-in with limits on failed attempts, per account and per client address.

Three rules, each counted from attempt rows written *before* the password is checked, so
concurrent guesses cannot all slip through between a check and an insert:

1. An account from one address: after LOGIN_FAILURE_LIMIT failures within the window,
   that address may not try that account again until the window has passed.
2. One address across accounts: after LOGIN_ADDRESS_FAILURE_LIMIT failures within the
   window, that address may not sign in at all (password spraying).
3. An account from anywhere: after LOGIN_FAILURE_LIMIT failures, each further password
   check waits a growing delay (capped at LOGIN_THROTTLE_MAX_SECONDS) after the last one.
   This is a delay, never a lock: a stranger elsewhere cannot keep the owner out, only
   make them wait, and attempts refused without a check do not push the delay on.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest
from django.utils import timezone

from trellis.people.models import SignInAttempt

Outcome = SignInAttempt.Outcome


def client_ip(request: HttpRequest | None) -> str | None:
    """The client's address. Behind TRELLIS_PROXY_COUNT trusted reverse proxies, the
    address the nearest of them saw (X-Forwarded-For, counted from the right, since the
    left part is whatever the client chose to send)."""
    if request is None:
        return None
    proxies = settings.TRELLIS_PROXY_COUNT
    if proxies > 0:
        forwarded = [
            part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        ]
        forwarded = [part for part in forwarded if part]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR") or None


def _window_start() -> dt.datetime:
    return timezone.now() - dt.timedelta(minutes=settings.LOGIN_FAILURE_WINDOW_MINUTES)


def sign_in_throttle_seconds(*, failures: int) -> int:
    """The wait between password checks for an account with `failures` recent failures."""
    over = failures - settings.LOGIN_FAILURE_LIMIT
    if over < 0:
        return 0
    return int(min(settings.LOGIN_THROTTLE_MAX_SECONDS, 15 * 2 ** min(over, 16)))


def sign_in_attempt_begin(*, email: str, ip: str | None) -> tuple[SignInAttempt, str | None, int]:
    """Write the attempt, then decide whether its password may be checked. Returns the
    attempt, None and 0; or the attempt (marked refused), the reason it was refused and,
    for a throttled account, the seconds to wait."""
    email = email.lower()[:254]
    attempt = SignInAttempt.objects.create(email=email, ip=ip)
    since = _window_start()
    recent = SignInAttempt.objects.filter(at__gte=since).exclude(pk=attempt.pk)
    reason, wait = None, 0
    if ip is not None and recent.filter(ip=ip, email=email).count() >= settings.LOGIN_FAILURE_LIMIT:
        reason = "account"
    elif ip is not None and recent.filter(ip=ip).count() >= settings.LOGIN_ADDRESS_FAILURE_LIMIT:
        reason = "address"
    else:
        checked = recent.filter(email=email).exclude(outcome=Outcome.REFUSED)
        wait = sign_in_throttle_seconds(failures=checked.count())
        earlier = checked.filter(pk__lt=attempt.pk).order_by("-at")
        last = earlier.values_list("at", flat=True).first()
        if wait and last is not None and attempt.at - last < dt.timedelta(seconds=wait):
            reason = "wait"
    if reason is not None:
        SignInAttempt.objects.filter(pk=attempt.pk).update(outcome=Outcome.REFUSED)
    return attempt, reason, wait


def sign_in_attempt_end(*, attempt: SignInAttempt, succeeded: bool) -> None:
    """A right password forgets the attempt; a wrong one keeps it as a failure."""
    if succeeded:
        attempt.delete()
    else:
        SignInAttempt.objects.filter(pk=attempt.pk).update(outcome=Outcome.FAILED)
    # Forget what no longer counts, so the table stays small.
    SignInAttempt.objects.filter(at__lt=timezone.now() - dt.timedelta(days=1)).delete()


class RateLimitedAuthenticationForm(AuthenticationForm):
    error_messages = {
        **AuthenticationForm.error_messages,
        "account": (
            "Too many failed sign-ins for this account from this address. Wait "
            "%(minutes)s minutes, or reset your password."
        ),
        "address": (
            "Too many failed sign-ins from this address. Wait %(minutes)s minutes and try again."
        ),
        "wait": (
            "Too many failed sign-ins for this account. Wait %(seconds)s seconds and try "
            "again, or reset your password."
        ),
    }

    def clean(self) -> dict[str, Any]:
        email = (self.data.get("username") or "").strip().lower()
        if not email:
            return super().clean()
        attempt, reason, wait = sign_in_attempt_begin(email=email, ip=client_ip(self.request))
        if reason is not None:
            raise forms.ValidationError(
                self.error_messages[reason],
                code=f"too_many_{reason}",
                params={
                    "minutes": settings.LOGIN_FAILURE_WINDOW_MINUTES,
                    "seconds": wait,
                },
            )
        try:
            cleaned = super().clean()
        except forms.ValidationError:
            sign_in_attempt_end(attempt=attempt, succeeded=False)
            raise
        sign_in_attempt_end(attempt=attempt, succeeded=True)
        return cleaned
