from __future__ import annotations

from django.urls import URLPattern, path

from trellis.frameworks.views import program_framework_levels, program_frameworks
from trellis.people import views

urlpatterns: list[URLPattern] = [
    path("", views.home, name="home"),
    path("programs/<slug:slug>/", views.program_detail, name="program-detail"),
    # A program's frameworks are set up by frameworks views, under the program's address.
    path(
        "programs/<slug:slug>/frameworks/",
        program_frameworks,
        name="program-frameworks",
    ),
    path(
        "programs/<slug:slug>/frameworks/<slug:framework_slug>/",
        program_framework_levels,
        name="program-framework-levels",
    ),
]
