"""Mounted under programs/<slug>/curriculum/ (see trellis/urls.py)."""

from __future__ import annotations

from django.urls import path

from trellis.curriculum import views, views_reports

app_name = "curriculum"

urlpatterns = [
    path("", views.curriculum_map, name="map"),
    path("activities/new/", views.activity_new, name="activity-new"),
    path("activities/<int:pk>/", views.activity_detail, name="activity"),
    path("activities/<int:pk>/edit/", views.activity_edit, name="activity-edit"),
    path("activities/<int:pk>/delete/", views.activity_remove, name="activity-delete"),
    path("activities/<int:pk>/objectives/new/", views.objective_new, name="objective-new"),
    path("activities/<int:pk>/mappings/", views.mapping_set, name="mapping-set"),
    path("objectives/<int:pk>/edit/", views.objective_edit, name="objective-edit"),
    path("objectives/<int:pk>/delete/", views.objective_remove, name="objective-delete"),
    path("grid/", views_reports.grid, name="grid"),
    path("gaps/", views_reports.gaps, name="gaps"),
    path("gaps/heatmap.png", views_reports.gaps_heatmap, name="heatmap"),
    path("gaps/report.xlsx", views_reports.gaps_xlsx, name="gaps-xlsx"),
    path("gaps/report.pdf", views_reports.gaps_pdf_view, name="gaps-pdf"),
    path("verification/", views_reports.verification, name="verification"),
    path("verification/tables.xlsx", views_reports.verification_xlsx, name="verification-xlsx"),
    path(
        "curriculum-inventory.xml", views_reports.curriculum_inventory, name="curriculum-inventory"
    ),
]
