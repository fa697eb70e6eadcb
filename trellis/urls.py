from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("django.contrib.auth.urls")),
    path("api/v1/", include("trellis.api.urls")),
    path("account/tokens/", include("trellis.api.web_urls")),
    path("frameworks/", include("trellis.frameworks.urls")),
    path("", include("trellis.audit.urls")),
    path("programs/<slug:slug>/schedule/", include("trellis.scheduling.urls")),
    path("schedule/", include("trellis.scheduling.my_urls")),
    path("programs/<slug:slug>/curriculum/", include("trellis.curriculum.urls")),
    path("programs/<slug:slug>/assessments/", include("trellis.assessments.urls_program")),
    path("assess/", include("trellis.assessments.urls")),
    path("", include("trellis.people.urls")),
]
