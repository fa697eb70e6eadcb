"""Django system checks across settings: a production start refuses what would go wrong
quietly later."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import CheckMessage, Error


def site_url_check(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """Reminder e-mails and QR codes carry links: without SITE_URL they would be relative
    and lead nowhere, so a production start (DEBUG off) requires an absolute one."""
    if settings.DEBUG:
        return []
    url = str(getattr(settings, "SITE_URL", "") or "")
    parts = urlsplit(url)
    if parts.scheme in {"http", "https"} and parts.netloc:
        return []
    return [
        Error(
            f"SITE_URL must be the absolute address people use to reach Trellis, "
            f"such as https://trellis.example.edu (it is {url!r}).",
            hint="Set the SITE_URL environment variable; e-mailed links are built from it.",
            id="trellis.E001",
        )
    ]
