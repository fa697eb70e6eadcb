"""Single sign-on's own pages, under /sso/oidc/ (404 while it is off). The names are the
ones mozilla-django-oidc reverses."""

from __future__ import annotations

from django.urls import path

from trellis.connect.sso import views

urlpatterns = [
    path("authenticate/", views.SignInStartView.as_view(), name="oidc_authentication_init"),
    path("callback/", views.SignInCallbackView.as_view(), name="oidc_authentication_callback"),
]
