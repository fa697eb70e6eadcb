"""The provider's endpoints: each OIDC_OP_* setting where the operator gave one, else the
issuer's discovery document (fetched on first use, then cached for an hour). Nothing is
fetched while single sign-on is off, nor to load a signed-in user on each request."""

from __future__ import annotations

from typing import Any

import requests
from django.conf import settings
from django.core.cache import cache

DISCOVERY_PATH = "/.well-known/openid-configuration"
DISCOVERY_SECONDS = 3600
# Each setting and the discovery document's name for the same endpoint.
ENDPOINTS = {
    "OIDC_OP_AUTHORIZATION_ENDPOINT": "authorization_endpoint",
    "OIDC_OP_TOKEN_ENDPOINT": "token_endpoint",
    "OIDC_OP_USER_ENDPOINT": "userinfo_endpoint",
    "OIDC_OP_JWKS_ENDPOINT": "jwks_uri",
    "OIDC_OP_END_SESSION_ENDPOINT": "end_session_endpoint",
}


class ProviderUnavailable(Exception):
    """The discovery document could not be read, or names another issuer."""


def sso_enabled() -> bool:
    return bool(settings.OIDC_RP_CLIENT_ID)


def _same_issuer(a: str, b: str) -> bool:
    return a.rstrip("/") == b.rstrip("/")


def discovery() -> dict[str, Any]:
    issuer = settings.OIDC_ISSUER
    if not issuer:
        return {}
    key = f"trellis:oidc-discovery:{issuer}"
    document = cache.get(key)
    if isinstance(document, dict):
        return document
    try:
        response = requests.get(issuer.rstrip("/") + DISCOVERY_PATH, timeout=settings.OIDC_TIMEOUT)
        response.raise_for_status()
        document = response.json()
    except (requests.RequestException, ValueError) as exc:
        raise ProviderUnavailable(f"{issuer}{DISCOVERY_PATH}: {exc}") from exc
    # OpenID Connect Discovery 1.0, 4.3: the document must name the issuer it was asked of.
    if not isinstance(document, dict) or not _same_issuer(str(document.get("issuer")), issuer):
        raise ProviderUnavailable(f"{issuer}{DISCOVERY_PATH} names another issuer")
    cache.set(key, document, DISCOVERY_SECONDS)
    return document


def provider_endpoint(setting: str) -> str:
    """One endpoint's URL, "" where the provider has none (e.g. no end_session_endpoint)."""
    explicit = getattr(settings, setting, "")
    if explicit:
        return str(explicit)
    return str(discovery().get(ENDPOINTS[setting]) or "")


def provider_issuer() -> str:
    """The issuer an id_token must name: the discovered one, "" with explicit endpoints
    and no OIDC_ISSUER (then nothing is compared)."""
    if not settings.OIDC_ISSUER:
        return ""
    return str(discovery().get("issuer") or settings.OIDC_ISSUER)
