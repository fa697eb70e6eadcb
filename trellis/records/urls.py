from __future__ import annotations

from django.urls import path

from trellis.records import views, views_analytics, views_self

app_name = "records"

urlpatterns = [
    path("", views.program, name="program"),
    path("analytics/", views_analytics.program_page, name="analytics"),
    path("analytics/calibration.png", views_analytics.calibration_png, name="calibration-png"),
    path("analytics/benchmarks.png", views_analytics.benchmarks_png, name="benchmarks-png"),
    path("analytics/my-ratings/", views_analytics.my_pattern, name="my-pattern"),
    path("self-assessment/", views_self.self_assessment, name="self-assessment"),
    path("learners/<int:learner_id>/", views.learner, name="learner"),
    path(
        "learners/<int:learner_id>/trajectories.png",
        views.trajectories_png,
        name="trajectories-png",
    ),
    path("learners/<int:learner_id>/heatmap.png", views.heatmap_png, name="heatmap-png"),
    path("learners/<int:learner_id>/items/<int:item_id>/", views.item, name="item"),
    path(
        "learners/<int:learner_id>/items/<int:item_id>/exams/<int:exam_id>.png",
        views.item_exam_png,
        name="item-exam-png",
    ),
    path(
        "learners/<int:learner_id>/items/<int:item_id>/trajectory.png",
        views.item_png,
        name="item-png",
    ),
]
