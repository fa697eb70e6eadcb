"""The API token page, mounted at /account/tokens/."""

from __future__ import annotations

from django.urls import URLPattern, path

from trellis.api import web_views

urlpatterns: list[URLPattern] = [
    path("", web_views.tokens, name="api-tokens"),
    path("<str:prefix>/revoke/", web_views.token_revoke, name="api-token-revoke"),
]
