from __future__ import annotations

from django.urls import path

from trellis.committees import views, views_review

app_name = "committees"

urlpatterns = [
    path("", views.cycle_list, name="cycles"),
    path("new/", views.cycle_new, name="cycle-new"),
    path("mine/", views.mine, name="mine"),
    path("<int:pk>/", views.cycle_detail, name="cycle"),
    path("<int:pk>/meeting/", views.cycle_meeting, name="cycle-meeting"),
    path("<int:pk>/sign-off/", views.cycle_signoff, name="cycle-signoff"),
    path("<int:pk>/acgme.csv", views.cycle_export, name="cycle-export"),
    path("<int:pk>/reviews/<int:review_pk>/", views_review.prereview, name="prereview"),
    path("<int:pk>/reviews/<int:review_pk>/meeting/", views_review.meeting, name="meeting"),
    path("<int:pk>/reviews/<int:review_pk>/correct/", views_review.correct, name="correct"),
    path(
        "<int:pk>/reviews/<int:review_pk>/proposals/<int:proposal_pk>/withdraw/",
        views_review.withdraw,
        name="proposal-withdraw",
    ),
]
