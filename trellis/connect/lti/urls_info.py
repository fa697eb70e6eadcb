"""The tool's addresses an LMS asks for when Trellis is added to it (the page shows them;
docs/operators.md says where each goes in Moodle and Canvas)."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse


def tool_urls(request: HttpRequest) -> dict[str, str]:
    def url(name: str) -> str:
        return request.build_absolute_uri(reverse(name))

    return {
        "login": url("lti:login"),
        "launch": url("lti:launch"),
        "jwks": url("lti:jwks"),
        "deep_link": url("lti:launch"),
        "domain": request.get_host(),
    }
