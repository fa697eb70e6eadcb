"""Framing for a session an LTI launch began. Trellis forbids framing everywhere
(X-Frame-Options DENY, frame-ancestors 'none'); an LMS shows a launched tool in an iframe,
so the pages of a session its launch signed in may be framed by that platform's origin
alone. A session signed in any other way is never framable, and no other site may frame
the launched one: clickjacking stays closed to everyone but the LMS the admin registered."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from trellis.connect.models import LtiPlatform

SESSION_KEY = "lti_platform"  # set by views.launch


class LtiFrameMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        session = getattr(request, "session", None)
        # A page that never read the session shows no one's data, and needs no framing;
        # reading it here would add `Vary: Cookie` to every response.
        if session is None or not session.accessed:
            return response
        platform_id = session.get(SESSION_KEY)
        if platform_id is None:
            return response
        platform = LtiPlatform.objects.filter(pk=platform_id).only("auth_login_url").first()
        if platform is not None:
            allow_framing(response, platform)
        return response


def allow_framing(response: HttpResponse, platform: LtiPlatform) -> None:
    """Let `platform`'s origin, and it alone, frame this answer."""
    response.xframe_options_exempt = True
    response._csp_replace = {"frame-ancestors": [platform.origin]}  # type: ignore[attr-defined]
