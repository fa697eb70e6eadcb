from __future__ import annotations

from django.urls import URLPattern, path

from trellis.frameworks import views

# "import/" comes before "<slug>/" so that no framework slug can hide the import page.
urlpatterns: list[URLPattern] = [
    path("", views.framework_list, name="framework-list"),
    path("import/", views.framework_import, name="framework-import"),
    path("<slug:slug>/", views.framework_detail, name="framework-detail"),
    path("<slug:slug>/export.csv", views.framework_export_csv, name="framework-export-csv"),
    path(
        "<slug:slug>/export.case.json",
        views.framework_export_case,
        name="framework-export-case",
    ),
    path(
        "<slug:slug>/export.medbiq.xml",
        views.framework_export_medbiq,
        name="framework-export-medbiq",
    ),
    path(
        "<slug:slug>/items/<path:identifier>/",
        views.framework_item,
        name="framework-item",
    ),
]
