"""A program's requests, compliance, evaluation results, logs and exam scores, under
/programs/<slug>/assessments/."""

from __future__ import annotations

from django.urls import path

from trellis.assessments import comment_views, evaluation_views
from trellis.assessments.exams import views as exams_views
from trellis.assessments.kiosk import views as views_kiosk
from trellis.assessments.links import views as views_links
from trellis.assessments.logs import views as views_logs
from trellis.assessments.requests import views as views_requests

app_name = "assessments-program"

urlpatterns = [
    path("requests/", views_requests.requests_list, name="requests"),
    path("requests/new/", views_requests.request_new, name="request-new"),
    path("requests/generate/", views_requests.requests_generate, name="requests-generate"),
    path("requests/chase/", views_requests.requests_chase_view, name="requests-chase"),
    path("requests/mine/", views_requests.my_requests, name="my-requests"),
    path("requests/<int:pk>/cancel/", views_requests.request_cancel_view, name="request-cancel"),
    path("compliance/", views_requests.compliance, name="compliance"),
    path("comments/", comment_views.comments, name="comments"),
    path("comments/<int:pk>/tags/", comment_views.comment_tags, name="comment-tags"),
    path("evaluations/", evaluation_views.evaluations, name="evaluations"),
    path(
        "evaluations/rotations/<int:rotation_id>/",
        evaluation_views.rotation,
        name="evaluation-rotation",
    ),
    path(
        "evaluations/teachers/<int:teacher_id>/",
        evaluation_views.teacher,
        name="evaluation-teacher",
    ),
    path("links/", views_links.links, name="rater-links"),
    path("links/<int:pk>/revoke/", views_links.link_revoke, name="rater-link-revoke"),
    path("kiosks/", views_kiosk.kiosks, name="kiosks"),
    path("kiosks/<int:pk>/end/", views_kiosk.kiosk_end_view, name="kiosk-end"),
    path("logs/", views_logs.overview, name="logs"),
    path("logs/types/", views_logs.log_types, name="log-types"),
    path("logs/types/<int:pk>/edit/", views_logs.log_type_edit, name="log-type-edit"),
    path("logs/types/<int:pk>/delete/", views_logs.log_type_remove, name="log-type-delete"),
    path("logs/mine/", views_logs.my_logs, name="my-logs"),
    path("logs/entries/<int:pk>/delete/", views_logs.entry_delete, name="log-entry-delete"),
    path("logs/entries/<int:pk>/verify/", views_logs.entry_verify, name="log-entry-verify"),
    path("logs/verify/", views_logs.verify_queue, name="log-verify"),
    path("logs/learners/<int:learner_id>/", views_logs.learner_logs, name="learner-logs"),
    path("exams/", exams_views.exams, name="exams"),
    path("exams/import/", exams_views.exam_import, name="exam-import"),
]
