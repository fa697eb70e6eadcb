"""The CASE 1.1 service, under /ims/case/v1p1/ (paths as the 1EdTech binding spells them)."""

from __future__ import annotations

from django.urls import URLPattern, path

from trellis.connect import case_api as case
from trellis.connect.case_api import case_view

app_name = "case"

ENDPOINTS = [
    ("CFDocuments", case.cf_documents, "documents"),
    ("CFDocuments/<str:sourced_id>", case.cf_document, "document"),
    ("CFPackages/<str:sourced_id>", case.cf_package, "package"),
    ("CFItems/<str:sourced_id>", case.cf_item, "item"),
    ("CFItemAssociations/<str:sourced_id>", case.cf_item_associations, "item-associations"),
    ("CFAssociations/<str:sourced_id>", case.cf_association, "association"),
    ("CFRubrics/<str:sourced_id>", case.cf_rubric, "rubric"),
    ("CFItemTypes/<str:sourced_id>", case.cf_item_types, "item-types"),
    ("CFConcepts/<str:sourced_id>", case.cf_concepts, "concepts"),
    ("CFSubjects/<str:sourced_id>", case.cf_subjects, "subjects"),
    ("CFLicenses/<str:sourced_id>", case.cf_license, "license"),
]

urlpatterns: list[URLPattern] = [
    path(route, case_view(answer), name=name) for route, answer, name in ENDPOINTS
]
