from __future__ import annotations

from django.urls import URLPattern, path

from trellis.audit import views

urlpatterns: list[URLPattern] = [
    path("programs/<slug:slug>/audit/", views.program_audit, name="program-audit"),
]
