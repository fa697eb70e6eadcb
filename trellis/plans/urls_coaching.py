"""Coaching, under /programs/<slug>/coaching/."""

from __future__ import annotations

from django.urls import path

from trellis.plans import views_coaching as views

app_name = "coaching"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("assign/", views.assign, name="assign"),
    path("<int:pk>/end/", views.end, name="end"),
    path("plans/new/", views.plan_new, name="plan-new"),
    path("learners/<int:learner_id>/", views.learner_page, name="learner"),
    path("learners/<int:learner_id>/notes/", views.note, name="note"),
    path("learners/<int:learner_id>/notes/<int:pk>/share/", views.share_note, name="note-share"),
    path("learners/<int:learner_id>/plans/<int:pk>/review/", views.review, name="plan-review"),
    path("learners/<int:learner_id>/plans/<int:pk>/share/", views.share_plan, name="plan-share"),
]
