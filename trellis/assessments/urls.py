"""Assessment pages, mounted at /assess/."""

from __future__ import annotations

from django.urls import path

from trellis.assessments import evaluation_views
from trellis.assessments import views as views_view
from trellis.assessments.capture import views as views_capture
from trellis.assessments.capture import views_ask, views_peer
from trellis.assessments.handover import views as views_handover
from trellis.assessments.instruments import views as views_forms

app_name = "assessments"

urlpatterns = [
    path("", views_capture.start, name="start"),
    # A learner's phone handed to the faculty member who observed them ("done" first).
    path("handover/", views_handover.handover_start, name="handover-start"),
    path("handover/done/<int:pk>/", views_handover.handover_done, name="handover-done"),
    path("handover/<slug:slug>/<int:faculty_id>/", views_handover.handover, name="handover"),
    path("<slug:slug>/learner/<int:learner_id>/", views_capture.rate, name="rate"),
    path("<slug:slug>/peers/", views_peer.peers, name="peers"),
    path("<slug:slug>/peers/<int:learner_id>/", views_peer.rate_peer, name="peer"),
    path("r/<str:token>/", views_capture.answer, name="answer"),
    path("a/<int:pk>/", views_view.detail, name="detail"),
    path("a/<int:pk>/done/", views_capture.done, name="done"),
    path("a/<int:pk>/edit/", views_capture.edit, name="edit"),
    path("a/<int:pk>/discard/", views_capture.discard, name="discard"),
    path("ask/", views_ask.ask, name="ask"),
    path("ask/<int:pk>/", views_ask.asked, name="asked"),
    path("mine/", views_view.mine, name="mine"),
    path("given/", views_view.given, name="given"),
    path("teaching/", evaluation_views.my_teaching, name="teaching"),
    path("<slug:slug>/all/", views_view.program_list, name="program"),
    path("<slug:slug>/forms/", views_forms.form_list, name="forms"),
    path("<slug:slug>/forms/new/", views_forms.form_new, name="form-new"),
    path("<slug:slug>/forms/<int:form_id>/", views_forms.form_edit, name="form-edit"),
]
