"""A start with SAML switched on refuses what would fail at the first sign-in."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error

from trellis.connect.sso.saml.config import saml_enabled, xmlsec_binary


def saml_check(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    if not saml_enabled():
        return []
    errors: list[CheckMessage] = []
    if not xmlsec_binary():
        errors.append(
            Error(
                "SAML is on (SAML_IDP_METADATA_URL) but the xmlsec1 program is not installed: "
                "no assertion's signature could be checked.",
                hint="Install it (Debian and Ubuntu: apt-get install xmlsec1).",
                id="trellis.E002",
            )
        )
    if not settings.DEBUG and not settings.SAML_IDP_METADATA_URL.startswith("https://"):
        errors.append(
            Error(
                "SAML_IDP_METADATA_URL must be https://: the metadata carries the keys "
                "Trellis trusts, and over plain HTTP anyone on the way could swap them.",
                id="trellis.E003",
            )
        )
    return errors
