"""pysaml2's service-provider configuration, built from the SAML_* settings for each SAML
request (djangosaml2's SAML_CONFIG_LOADER). The identity provider's metadata is fetched
from SAML_IDP_METADATA_URL on first use and kept an hour; nothing is fetched while SAML is
off, nor to load a signed-in person on each request."""

from __future__ import annotations

import shutil
from typing import Any

import requests
from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from django.urls import reverse
from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT
from saml2.config import SPConfig

METADATA_SECONDS = 3600


class MetadataUnavailable(Exception):
    """The identity provider's metadata could not be read, or is not SAML metadata."""


def saml_enabled() -> bool:
    return bool(settings.SAML_IDP_METADATA_URL)


def xmlsec_binary() -> str:
    """pysaml2 checks signatures with xmlsec1; "" where it is not installed."""
    return shutil.which("xmlsec1") or ""


def _key() -> str:
    return f"trellis:saml-metadata:{settings.SAML_IDP_METADATA_URL}"


def _idp_metadata() -> str:
    cached = cache.get(_key())
    if isinstance(cached, str):
        return cached
    url = settings.SAML_IDP_METADATA_URL
    try:
        response = requests.get(url, timeout=settings.SAML_TIMEOUT)
        response.raise_for_status()
    except requests.RequestException as exc:
        raise MetadataUnavailable(f"{url}: {exc}") from exc
    return response.text


def _settings(base: str, idp_metadata: str) -> dict[str, Any]:
    keys = {"key_file": settings.SAML_SP_KEY_FILE, "cert_file": settings.SAML_SP_CERT_FILE}
    logout = base + reverse("saml2_ls")
    config: dict[str, Any] = {
        "entityid": settings.SAML_SP_ENTITY_ID,
        "xmlsec_binary": xmlsec_binary(),
        # Attributes pysaml2 has no friendly name for keep the name they were sent with.
        "allow_unknown_attributes": True,
        "service": {
            "sp": {
                "name": "Trellis",
                "endpoints": {
                    "assertion_consumer_service": [
                        (base + reverse("saml2_acs"), BINDING_HTTP_POST)
                    ],
                    "single_logout_service": [
                        (logout, BINDING_HTTP_REDIRECT),
                        (base + reverse("saml2_ls_post"), BINDING_HTTP_POST),
                    ],
                },
                "authn_requests_signed": True,
                "logout_requests_signed": True,
                # Shibboleth signs the response, Entra ID the assertion: either will do,
                # neither is refused (pysaml2 checks every signature that is there).
                "want_response_signed": False,
                "want_assertions_signed": False,
                "want_assertions_or_response_signed": True,
                # Only answers to a request this browser started, each once (replays refused).
                "allow_unsolicited": False,
            }
        },
        **keys,
        "encryption_keypairs": [keys],
    }
    if idp_metadata:
        config["metadata"] = {"inline": [idp_metadata]}
    return config


def sp_config(request: HttpRequest | None = None, *, with_idp: bool = True) -> SPConfig:
    """The configuration for this request: endpoints at the address it came to (SITE_URL
    without one), and the identity provider's metadata unless `with_idp` is off (Trellis's
    own metadata needs none)."""
    base = request.build_absolute_uri("/").rstrip("/") if request else settings.SITE_URL
    metadata = _idp_metadata() if with_idp else ""
    conf = SPConfig()
    try:
        conf.load(_settings(base, metadata))
    except Exception as exc:  # pysaml2 raises many kinds on metadata it cannot read
        raise MetadataUnavailable(f"{settings.SAML_IDP_METADATA_URL}: {exc}") from exc
    if with_idp:
        if not conf.metadata.identity_providers():
            raise MetadataUnavailable(
                f"{settings.SAML_IDP_METADATA_URL} names no identity provider"
            )
        cache.set(_key(), metadata, METADATA_SECONDS)
    return conf
