"""A program's schedule, under /programs/<slug>/schedule/."""

from __future__ import annotations

from django.urls import path

from trellis.scheduling import views, views_manage

app_name = "schedule"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("learners/<int:learner_id>/", views.learner, name="learner"),
    path("rotations/<int:rotation_id>/", views.rotation, name="rotation"),
    path("setup/", views_manage.setup, name="setup"),
    path("setup/years/", views_manage.year_new, name="year-new"),
    path("setup/years/<int:year_id>/blocks/", views_manage.blocks_new, name="blocks-new"),
    path("setup/sites/", views_manage.site_new, name="site-new"),
    path("setup/rotations/", views_manage.rotation_new, name="rotation-new"),
    path("assignments/new/", views_manage.assignment_new, name="assignment-new"),
    path("assignments/<int:pk>/edit/", views_manage.assignment_edit, name="assignment-edit"),
    path("assignments/<int:pk>/delete/", views_manage.assignment_remove, name="assignment-delete"),
    path("import/", views_manage.import_file, name="import"),
    path("export.csv", views_manage.export_file, name="export"),
]
