"""SAML's pages, under /sso/saml/; the names are the ones djangosaml2 reverses."""

from __future__ import annotations

from django.urls import path

from trellis.connect.sso.saml import views

urlpatterns = [
    path("login/", views.SignInStartView.as_view(), name="saml2_login"),
    path("acs/", views.AssertionConsumerView.as_view(), name="saml2_acs"),
    path("ls/", views.SignOutServiceView.as_view(), name="saml2_ls"),
    path("ls/post/", views.SignOutServiceView.as_view(), name="saml2_ls_post"),
    path("metadata/", views.MetadataView.as_view(), name="saml2_metadata"),
]
