"""LTI 1.3's pages, under /lti/."""

from __future__ import annotations

from django.urls import path

from trellis.connect.lti import admin_views, views

app_name = "lti"

urlpatterns = [
    path("jwks/", views.jwks, name="jwks"),
    path("login/", views.login_start, name="login"),
    path("launch/", views.launch, name="launch"),
    path("deep-link/", views.deep_link, name="deep-link"),
    path("platforms/", admin_views.platforms, name="platforms"),
    path("platforms/new/", admin_views.platform_new, name="platform-new"),
    path("platforms/<int:pk>/", admin_views.platform, name="platform"),
    path(
        "platforms/<int:pk>/courses/<int:course_id>/",
        admin_views.course_program,
        name="course-program",
    ),
]
