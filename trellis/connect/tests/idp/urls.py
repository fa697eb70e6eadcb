from __future__ import annotations

from django.contrib.auth.views import LoginView, LogoutView
from django.http import HttpRequest, HttpResponse
from django.urls import include, path


def no_icon(request: HttpRequest) -> HttpResponse:
    # Chromium asks each site for one; a 404 would show as a console error in the tests.
    return HttpResponse(status=204)


urlpatterns = [
    path("favicon.ico", no_icon),
    path("accounts/login/", LoginView.as_view(), name="login"),
    path("accounts/logout/", LogoutView.as_view(), name="logout"),
    path("openid/", include("oidc_provider.urls", namespace="oidc_provider")),
]
