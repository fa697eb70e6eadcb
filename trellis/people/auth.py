"""Sign-in with a limit on failed attempts per e-mail address and per client address."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest
from django.utils import timezone

from trellis.people.models import FailedLogin


def client_ip(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def login_attempts_exceeded(*, email: str) -> bool:
    """Counted per account, not per client address: a hospital's staff often share one
    address, and one person's typos must not lock out the ward."""
    window = timezone.now() - dt.timedelta(minutes=settings.LOGIN_FAILURE_WINDOW_MINUTES)
    recent = FailedLogin.objects.filter(at__gte=window, email=email.lower())
    return recent.count() >= settings.LOGIN_FAILURE_LIMIT


def login_failure_record(*, email: str, ip: str | None) -> None:
    FailedLogin.objects.create(email=email.lower()[:254], ip=ip)
    # Forget what no longer counts, so the table stays small.
    cutoff = timezone.now() - dt.timedelta(days=1)
    FailedLogin.objects.filter(at__lt=cutoff).delete()


class RateLimitedAuthenticationForm(AuthenticationForm):
    error_messages = {
        **AuthenticationForm.error_messages,
        "too_many": (
            "Too many failed sign-ins for this account. Wait %(minutes)s minutes, "
            "or reset your password."
        ),
    }

    def clean(self) -> dict[str, Any]:
        email = (self.data.get("username") or "").strip().lower()
        ip = client_ip(self.request)
        if email and login_attempts_exceeded(email=email):
            raise forms.ValidationError(
                self.error_messages["too_many"],
                code="too_many",
                params={"minutes": settings.LOGIN_FAILURE_WINDOW_MINUTES},
            )
        try:
            return super().clean()
        except forms.ValidationError:
            if email:
                login_failure_record(email=email, ip=ip)
            raise
