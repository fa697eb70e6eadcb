from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("django.contrib.auth.urls")),
    path("api/v1/", include("trellis.api.urls")),
    path("frameworks/", include("trellis.frameworks.urls")),
    path("", include("trellis.audit.urls")),
    path("", include("trellis.people.urls")),
]
