"""The home page and a program's page, at the site's root (not namespaced)."""

from __future__ import annotations

from django.urls import URLPattern, path

from trellis.records import views_home

urlpatterns: list[URLPattern] = [
    path("", views_home.home, name="home"),
    path("programs/<slug:slug>/", views_home.program_detail, name="program-detail"),
]
