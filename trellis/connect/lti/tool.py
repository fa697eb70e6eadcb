"""pylti1p3 over the registrations in the database: its tool configuration, and the two
objects a launch goes through (the OIDC login initiation, the message launch).

pylti1p3 checks the id_token's signature against the platform's key set, its expiry, the
issuer and client id (a registration must exist for the pair), the deployment, the state
(against the cookie set at login initiation) and that the nonce is one this tool issued;
services.launch_accept then keeps the nonce so the token works once."""

from __future__ import annotations

from typing import Any, cast

import requests
from django.conf import settings
from django.http import HttpRequest
from pylti1p3.contrib.django import DjangoCacheDataStorage, DjangoMessageLaunch, DjangoOIDCLogin
from pylti1p3.deep_link import DeepLink, TDeepLinkData
from pylti1p3.deep_link_resource import DeepLinkResource
from pylti1p3.deployment import Deployment
from pylti1p3.registration import Registration
from pylti1p3.tool_config import ToolConfAbstract

from trellis.connect.lti.services import public_jwk
from trellis.connect.models import LtiPlatform

KEY_SET_SECONDS = 3600


class _Registration(Registration):
    """pylti1p3's registration, naming Trellis's key by the id /lti/jwks/ serves it under."""

    def __init__(self, platform: LtiPlatform) -> None:
        self.platform = platform
        self.set_issuer(platform.issuer)
        self.set_client_id(platform.client_id)
        self.set_auth_login_url(platform.auth_login_url)
        self.set_auth_token_url(platform.auth_token_url)
        self.set_key_set_url(platform.key_set_url)
        self.set_tool_private_key(platform.private_key)

    def get_kid(self) -> str:
        return self.platform.key_id

    def get_jwks(self) -> list[Any]:
        return [public_jwk(self.platform)]


def find_platform(issuer: str, client_id: str | None) -> LtiPlatform | None:
    """The registration for an issuer and client id; without a client id (a platform may
    leave it out of the login initiation) the issuer's only registration."""
    found = LtiPlatform.objects.select_related("program", "institution").filter(issuer=issuer)
    if client_id:
        return found.filter(client_id=client_id).first()
    candidates = list(found[:2])
    return candidates[0] if len(candidates) == 1 else None


class PlatformToolConf(ToolConfAbstract[Any]):
    """Every issuer may hold several client ids (one per registration)."""

    def check_iss_has_one_client(self, iss: str) -> bool:
        return False

    def check_iss_has_many_clients(self, iss: str) -> bool:
        return True

    def find_registration_by_issuer(self, iss: str, *args: Any, **kwargs: Any) -> Any:
        return self.find_registration_by_params(iss, None)

    def find_registration_by_params(
        self, iss: str, client_id: str | None, *args: Any, **kwargs: Any
    ) -> Any:
        platform = find_platform(iss, client_id)
        return _Registration(platform) if platform else None

    def find_deployment(self, iss: str, deployment_id: str) -> Deployment | None:
        return None  # every issuer has many clients: pylti1p3 asks by params

    def find_deployment_by_params(
        self, iss: str, deployment_id: str, client_id: str, *args: Any, **kwargs: Any
    ) -> Deployment | None:
        platform = find_platform(iss, client_id)
        if platform is None or deployment_id not in platform.deployment_ids:
            return None
        return Deployment().set_deployment_id(deployment_id)


class _Session(requests.Session):
    """pylti1p3 fetches the platform's key set with no timeout of its own."""

    def request(self, *args: Any, **kwargs: Any) -> requests.Response:
        kwargs.setdefault("timeout", settings.LTI_TIMEOUT)
        return super().request(*args, **kwargs)


def http_session() -> requests.Session:
    """A session for the platform's endpoints, with Trellis's timeout."""
    return _Session()


def registration_of(platform: LtiPlatform) -> Registration:
    return _Registration(platform)


def _storage() -> DjangoCacheDataStorage:
    # The cache (shared between processes in production, settings.CACHES), not the Django
    # session: the launch is a cross-site POST, which brings no SameSite=Lax cookie.
    return DjangoCacheDataStorage(cache_name="default")


def oidc_login(request: HttpRequest) -> DjangoOIDCLogin:
    return DjangoOIDCLogin(request, PlatformToolConf(), launch_data_storage=_storage())


def message_launch(request: HttpRequest) -> DjangoMessageLaunch:
    storage = _storage()
    launch = DjangoMessageLaunch(
        request, PlatformToolConf(), launch_data_storage=storage, requests_session=_Session()
    )
    launch.set_public_key_caching(storage, cache_lifetime=KEY_SET_SECONDS)
    return launch


def deep_link_response(
    *,
    platform: LtiPlatform,
    deployment_id: str,
    settings: dict[str, Any],
    url: str,
    title: str,
    custom: dict[str, str],
) -> str:
    """The signed LtiDeepLinkingResponse JWT for one LTI resource link (Trellis's key for
    the platform; the platform's `data` returned as it came)."""
    resource = DeepLinkResource().set_url(url).set_title(title).set_custom_params(custom)
    link = DeepLink(_Registration(platform), deployment_id, cast(TDeepLinkData, settings))
    return str(link.get_response_jwt([resource]))
