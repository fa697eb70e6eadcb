from __future__ import annotations

from django.urls import URLPattern, path

from trellis.frameworks import views, views_crosswalk

# "import/" and "crosswalks/" come before "<slug>/" so that no framework slug can hide them.
urlpatterns: list[URLPattern] = [
    path("", views.framework_list, name="framework-list"),
    path("import/", views.framework_import, name="framework-import"),
    path("crosswalks/<int:pk>/", views_crosswalk.crosswalk_review, name="framework-crosswalk"),
    path(
        "crosswalks/<int:pk>/links/",
        views_crosswalk.crosswalk_link_add,
        name="framework-crosswalk-link-add",
    ),
    path(
        "crosswalks/<int:pk>/links/<int:link_pk>/remove/",
        views_crosswalk.crosswalk_link_remove,
        name="framework-crosswalk-link-remove",
    ),
    path(
        "crosswalks/<int:pk>/reviewed/",
        views_crosswalk.crosswalk_mark_reviewed,
        name="framework-crosswalk-reviewed",
    ),
    path(
        "crosswalks/<int:pk>/apply/",
        views_crosswalk.crosswalk_apply,
        name="framework-crosswalk-apply",
    ),
    path("<slug:slug>/", views.framework_detail, name="framework-detail"),
    path(
        "<slug:slug>/crosswalks/",
        views_crosswalk.framework_crosswalks,
        name="framework-crosswalks",
    ),
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
