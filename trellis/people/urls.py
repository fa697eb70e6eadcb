"""A program's people, under /programs/<slug>/people/."""

from __future__ import annotations

from django.urls import path

from trellis.people import views

app_name = "people"

urlpatterns = [
    path("", views.roster, name="roster"),
    path("add/", views.member_add, name="add"),
    path("memberships/<int:pk>/", views.membership, name="membership"),
    path("memberships/<int:pk>/invite/", views.membership_invite, name="invite"),
    path("import/", views.import_file, name="import"),
    path("promote/", views.promote, name="promote"),
    path("acgme/", views.acgme_ids, name="acgme"),
]
