"""SAML's pages, under /sso/saml/ (404 while it is off): djangosaml2's views, each failure
ending on the refusal page OpenID Connect uses (views.refused), never djangosaml2's own."""

from __future__ import annotations

import logging
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.decorators import method_decorator
from django.views.decorators.csrf import csrf_exempt
from djangosaml2 import views as saml
from saml2.config import SPConfig
from saml2.response import StatusError, UnsolicitedResponse
from saml2.validate import ResponseLifetimeExceed

from trellis.connect.sso.accounts import (
    EXPIRED,
    INVALID,
    PROVIDER_ERROR,
    UNREACHABLE,
    Refusal,
    refusal_of,
)
from trellis.connect.sso.saml.config import MetadataUnavailable, saml_enabled, sp_config
from trellis.connect.sso.views import SAML, refused

log = logging.getLogger("trellis.sso")


def _reason(exception: Exception | None) -> str:
    # An answer to no request of this browser's: a replay, or a sign-in begun elsewhere.
    if isinstance(exception, UnsolicitedResponse | ResponseLifetimeExceed):
        return EXPIRED
    if isinstance(exception, StatusError):  # the provider said no (or was cancelled)
        return PROVIDER_ERROR
    return INVALID  # a bad or missing signature, another audience, unreadable XML...


class SAMLView:
    """Off while SAML is; the provider out of reach is said so (502)."""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not saml_enabled():
            raise Http404
        try:
            response: HttpResponse = super().dispatch(request, *args, **kwargs)  # type: ignore[misc]
        except MetadataUnavailable as exc:
            log.warning("single sign-on: provider unavailable: %s", exc)
            return refused(request, Refusal(UNREACHABLE), SAML)
        return response


class SignInStartView(SAMLView, saml.LoginView):
    """Sends the browser to the identity provider with a signed AuthnRequest (HTTP-Redirect
    binding), remembering its id in the SAML session so the answer can be matched, once."""


# The provider posts from its own site, with no CSRF token of ours: the signed answer,
# matched to a request this browser made, is what is checked.
@method_decorator(csrf_exempt, name="dispatch")
class AssertionConsumerView(SAMLView, saml.AssertionConsumerServiceView):
    """Where the identity provider posts its answer (HTTP-POST binding)."""

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if "SAMLResponse" not in request.POST:
            return refused(request, Refusal(INVALID), SAML)
        response: HttpResponse = super().post(request)
        return response

    def handle_acs_failure(
        self,
        request: HttpRequest,
        exception: Exception | None = None,
        status: int = 403,
        **kwargs: Any,
    ) -> HttpResponse:
        refusal = refusal_of(request)
        if refusal is None:
            log.warning("single sign-on refused (SAML answer): %r", exception)
            refusal = Refusal(_reason(exception))
        return refused(request, refusal, SAML)


@method_decorator(csrf_exempt, name="dispatch")
class SignOutServiceView(SAMLView, saml.LogoutView):
    """The provider's answer to a sign-out begun here, or its request to sign out (begun
    at another service): the Trellis session ends, and the browser lands on the login page."""


class MetadataView(SAMLView, saml.MetadataView):
    """Trellis's service-provider metadata, to register it with the identity provider: its
    entity id, endpoints and certificate (read without the provider's metadata)."""

    def get_sp_config(self, request: HttpRequest) -> SPConfig:
        return sp_config(request, with_idp=False)
