"""A program's LMS assignments, mounted at /programs/<slug>/lti/."""

from __future__ import annotations

from django.urls import path

from trellis.connect.lti import grade_views

app_name = "lti-grades"

urlpatterns = [
    path("", grade_views.courses, name="courses"),
    path("courses/<int:course_id>/map/", grade_views.line_item_new, name="line-item-new"),
    path("assignments/<int:pk>/import/", grade_views.line_item_import, name="line-item-import"),
]
