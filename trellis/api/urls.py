"""The REST API, mounted at /api/v1/."""

from __future__ import annotations

from django.urls import URLPattern, path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.permissions import AllowAny

from trellis.api import program_data as data
from trellis.api import views
from trellis.api.assessments import AssessmentList

app_name = "api"

urlpatterns: list[URLPattern] = [
    path("frameworks/", views.FrameworkList.as_view(), name="framework-list"),
    path("frameworks/import", views.FrameworkImport.as_view(), name="framework-import"),
    path("frameworks/<slug:slug>/", views.FrameworkDetail.as_view(), name="framework-detail"),
    path("frameworks/<slug:slug>/export", views.FrameworkExport.as_view(), name="framework-export"),
    path("assessments/", AssessmentList.as_view(), name="assessment-list"),
    path("programs/", views.ProgramList.as_view(), name="program-list"),
    path("programs/<slug:slug>/", views.ProgramDetail.as_view(), name="program-detail"),
    path("programs/<slug:slug>/schedule/", data.ScheduleList.as_view(), name="schedule"),
    path(
        "programs/<slug:slug>/schedule/import",
        data.ScheduleImport.as_view(),
        name="schedule-import",
    ),
    path("programs/<slug:slug>/curriculum/", data.CurriculumList.as_view(), name="curriculum"),
    path(
        "programs/<slug:slug>/learners/<int:learner_id>/record",
        data.LearnerRecordSummary.as_view(),
        name="learner-record",
    ),
    path(
        "programs/<slug:slug>/committee/levels/",
        data.CommitteeLevelList.as_view(),
        name="committee-levels",
    ),
    path("programs/<slug:slug>/logs/", data.LogList.as_view(), name="logs"),
    path("plans/", data.PlanList.as_view(), name="plans"),
    # The schema describes the API, not anyone's data: readable without signing in, so
    # client generators can fetch it.
    path(
        "schema/",
        SpectacularAPIView.as_view(permission_classes=[AllowAny], authentication_classes=[]),
        name="schema",
    ),
]
