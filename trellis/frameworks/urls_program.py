"""A program's frameworks, set up under the program's address (not namespaced)."""

from __future__ import annotations

from django.urls import URLPattern, path

from trellis.frameworks.views import program_framework_levels, program_frameworks

urlpatterns: list[URLPattern] = [
    path("", program_frameworks, name="program-frameworks"),
    path("<slug:framework_slug>/", program_framework_levels, name="program-framework-levels"),
]
