"""Person-centred schedule pages, under /schedule/: my schedule, my learners now."""

from __future__ import annotations

from django.urls import path

from trellis.scheduling import views

app_name = "my-schedule"

urlpatterns = [
    path("", views.mine, name="mine"),
    path("learners-now/", views.learners_now, name="learners-now"),
]
