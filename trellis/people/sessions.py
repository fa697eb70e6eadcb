"""Sessions that end: after SESSION_IDLE_MINUTES without a request, and SESSION_MAX_HOURS
after sign-in whatever happens (a shared ward computer left signed in)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse

SIGNED_IN_AT = "trellis_signed_in_at"
LAST_SEEN_AT = "trellis_last_seen_at"
# The last-seen time is written at most this often, so reads do not each write a session.
TOUCH_EVERY_S = 60


def session_start(*, request: HttpRequest) -> None:
    now = int(time.time())
    request.session[SIGNED_IN_AT] = now
    request.session[LAST_SEEN_AT] = now


def session_expired_reason(*, request: HttpRequest, now: int) -> str | None:
    started = request.session.get(SIGNED_IN_AT)
    last = request.session.get(LAST_SEEN_AT)
    if not isinstance(started, int) or not isinstance(last, int):
        return None
    if now - last > settings.SESSION_IDLE_MINUTES * 60:
        minutes = settings.SESSION_IDLE_MINUTES
        return f"You were signed out after {minutes} minutes without activity."
    if now - started > settings.SESSION_MAX_HOURS * 3600:
        return f"You were signed out {settings.SESSION_MAX_HOURS} hours after signing in."
    return None


class SessionTimeoutMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = int(time.time())
            reason = session_expired_reason(request=request, now=now)
            if reason is not None:
                logout(request)
                messages.info(request, f"{reason} Please sign in again.")
            elif SIGNED_IN_AT not in request.session:
                session_start(request=request)
            elif now - int(request.session.get(LAST_SEEN_AT, 0)) >= TOUCH_EVERY_S:
                request.session[LAST_SEEN_AT] = now
        return self.get_response(request)


def on_user_logged_in(sender: Any, request: HttpRequest | None, **kwargs: Any) -> None:
    if request is not None and hasattr(request, "session"):
        session_start(request=request)
