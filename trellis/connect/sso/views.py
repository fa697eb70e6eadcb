"""Signing in (by password or a provider), the OpenID provider's callback, and signing out
(SAML's own pages are in saml/views.py).

Every way a single sign-on can fail ends on one page that says why and what to do, with a
status to match: never a server error, never a redirect back into the provider."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any
from urllib.parse import urlencode

import requests
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY
from django.contrib.auth import logout as auth_logout
from django.contrib.auth.views import LoginView, LogoutView
from django.core.exceptions import SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render, resolve_url
from django.urls import reverse
from django.utils.module_loading import import_string
from django.views import View
from mozilla_django_oidc.views import (
    OIDCAuthenticationCallbackView,
    OIDCAuthenticationRequestView,
)

from trellis.connect.sso.accounts import (
    EXPIRED,
    INVALID,
    PROVIDER_ERROR,
    UNREACHABLE,
    Refusal,
    refusal_of,
)
from trellis.connect.sso.provider import ProviderUnavailable, provider_endpoint, sso_enabled
from trellis.connect.sso.saml.config import saml_enabled
from trellis.connect.sso.saml.logout import saml_logout_url
from trellis.people.auth import RateLimitedAuthenticationForm

log = logging.getLogger("trellis.sso")

STATUS = {EXPIRED: 400, UNREACHABLE: 502}


def password_sign_in_only(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Password reset and change answer 404 while PASSWORD_SIGN_IN is off (a password
    chosen there could not be used)."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not settings.PASSWORD_SIGN_IN:
            raise Http404
        return view(request, *args, **kwargs)

    return wrapped


def sign_in_options(request: HttpRequest) -> dict[str, Any]:
    """A context processor: whether passwords are in use (the header's Password link)."""
    return {"password_sign_in": settings.PASSWORD_SIGN_IN}


OIDC = "oidc"
SAML = "saml"
SAML_BACKEND = "trellis.connect.sso.saml.backend.SAMLBackend"


@dataclass(frozen=True)
class Provider:
    """A way to sign in with the institution: the name on its button, where it starts."""

    name: str
    start: str

    def url(self, next_url: str = "") -> str:
        url = reverse(self.start)
        return f"{url}?{urlencode({'next': next_url})}" if next_url else url


def providers() -> dict[str, Provider]:
    """The protocols switched on, OpenID Connect first."""
    found = {}
    if sso_enabled():
        found[OIDC] = Provider(settings.OIDC_PROVIDER_NAME, "oidc_authentication_init")
    if saml_enabled():
        found[SAML] = Provider(settings.SAML_PROVIDER_NAME, "saml2_login")
    return found


def refused(request: HttpRequest, refusal: Refusal, protocol: str = OIDC) -> HttpResponse:
    provider = providers().get(protocol)
    return render(
        request,
        "connect/sso_refused.html",
        {
            "refusal": refusal,
            "provider": provider.name if provider else "",
            "sso_url": provider.url() if provider else reverse("login"),
            "password_sign_in": settings.PASSWORD_SIGN_IN,
        },
        status=STATUS.get(refusal.reason, 403),
    )


class SignInView(LoginView):
    """The login page: the provider's button where single sign-on is on, the password form
    unless PASSWORD_SIGN_IN is off (then a password posted here is refused, 403)."""

    authentication_form = RateLimitedAuthenticationForm

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["password_sign_in"] = settings.PASSWORD_SIGN_IN
        next_url = context.get("next") or ""
        context["sso"] = [
            {"provider": provider.name, "url": provider.url(next_url)}
            for provider in providers().values()
        ]
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not settings.PASSWORD_SIGN_IN:
            self.object = None
            context = self.get_context_data(password_refused=True)
            return self.render_to_response(context, status=403)
        return super().post(request, *args, **kwargs)


class SignInStartView(OIDCAuthenticationRequestView):
    """Sends the browser to the provider, with a fresh state and nonce kept in the session."""

    def __init__(self, **kwargs: Any) -> None:
        View.__init__(self, **kwargs)  # the library's reads the endpoint here; we read it below
        self.OIDC_RP_CLIENT_ID = settings.OIDC_RP_CLIENT_ID

    def get(self, request: HttpRequest) -> HttpResponse:
        if not sso_enabled():
            raise Http404
        try:
            self.OIDC_OP_AUTH_ENDPOINT = provider_endpoint("OIDC_OP_AUTHORIZATION_ENDPOINT")
        except ProviderUnavailable as exc:
            log.warning("single sign-on: provider unavailable: %s", exc)
            return refused(request, Refusal(UNREACHABLE))
        response: HttpResponse = super().get(request)
        return response


class SignInCallbackView(OIDCAuthenticationCallbackView):
    """Where the provider sends the browser back: the code is exchanged for tokens, checked
    (backend.py), and the person signed in or told why not."""

    def get(self, request: HttpRequest) -> HttpResponse:
        if not sso_enabled():
            raise Http404
        states = request.session.get("oidc_states")
        if "code" in request.GET and request.GET.get("state") not in (states or {}):
            # A stale tab, the back button, or a sign-in begun in another browser.
            return refused(request, Refusal(EXPIRED))
        try:
            response: HttpResponse = super().get(request)
        except SuspiciousOperation as exc:
            # A forged or altered id_token, one for another client or issuer, or userinfo
            # about someone else.
            log.warning("single sign-on refused (invalid answer): %s", exc)
            return refused(request, Refusal(INVALID))
        except requests.HTTPError as exc:
            log.warning("single sign-on refused (the provider refused the code): %s", exc)
            return refused(request, Refusal(INVALID))
        except (requests.RequestException, ProviderUnavailable) as exc:
            log.warning("single sign-on: provider unavailable: %s", exc)
            return refused(request, Refusal(UNREACHABLE))
        return response

    def login_failure(self) -> HttpResponse:
        refusal = refusal_of(self.request)
        if refusal is None:
            error = self.request.GET.get("error")
            refusal = Refusal(PROVIDER_ERROR) if error else Refusal(EXPIRED)
        return refused(self.request, refusal)


def provider_logout_url(request: HttpRequest) -> str:
    """Where sign-out sends the browser (OIDC_OP_LOGOUT_URL_METHOD): the provider's
    end_session_endpoint for a single sign-on session where it has one, so the provider's
    session ends too, coming back to the login page; else the login page itself."""
    local = resolve_url(settings.LOGOUT_REDIRECT_URL)
    id_token = request.session.get("oidc_id_token")
    if not sso_enabled() or not id_token:
        return local
    try:
        end_session = provider_endpoint("OIDC_OP_END_SESSION_ENDPOINT")
    except ProviderUnavailable as exc:
        log.warning("single sign-on: signed out here only, provider unavailable: %s", exc)
        return local
    if not end_session:
        return local
    query = urlencode(
        {
            "id_token_hint": id_token,
            "post_logout_redirect_uri": request.build_absolute_uri(local),
            "client_id": settings.OIDC_RP_CLIENT_ID,
        }
    )
    return f"{end_session}{'&' if '?' in end_session else '?'}{query}"


class SignOutView(LogoutView):
    """Django's sign-out (POST only), which after a single sign-on also ends the session at
    the provider where it offers that: OpenID Connect's end_session_endpoint, or SAML's
    single logout service (which sends the browser back to saml/views.py, then here)."""

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.user.is_authenticated:
            if request.session.get(BACKEND_SESSION_KEY) == SAML_BACKEND:
                url = saml_logout_url(request) or resolve_url(settings.LOGOUT_REDIRECT_URL)
            else:
                url = import_string(settings.OIDC_OP_LOGOUT_URL_METHOD)(request)
            if url != resolve_url(settings.LOGOUT_REDIRECT_URL):
                auth_logout(request)
                return HttpResponseRedirect(url)
        response: HttpResponse = super().post(request, *args, **kwargs)
        return response
