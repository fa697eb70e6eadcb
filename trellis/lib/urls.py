"""Absolute links for e-mails and QR codes: settings.SITE_URL in front of a path."""

from __future__ import annotations

from django.conf import settings


def absolute_url(path: str) -> str:
    """`path` (from reverse()) under SITE_URL, e.g. https://trellis.example.edu/l/…; the
    path alone where SITE_URL is empty (the system check trellis.E001 stops a production
    start without it)."""
    return str(getattr(settings, "SITE_URL", "")).rstrip("/") + path
