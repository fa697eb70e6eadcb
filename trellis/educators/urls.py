from __future__ import annotations

from django.urls import path

from trellis.educators import views, views_office

app_name = "educators"
urlpatterns = [
    path("", views.home, name="home"),
    path("self-assessment/", views.self_assess, name="self-assess"),
    path("plans/new/", views.plan_new, name="plan-new"),
    path("share/", views.share, name="share"),
    path("coaching/", views.coaching, name="coaching"),
    path("peer/invite/", views.peer_new, name="peer-invite"),
    path("peer/<str:token>/", views_office.peer, name="peer"),
    path("portfolio/", views.portfolio, name="portfolio"),
    path("portfolio/pdf/", views.portfolio_pdf, name="portfolio-pdf"),
    path("shared/<int:pk>/", views.shared, name="shared"),
    path("workshops/<int:pk>/", views_office.workshop, name="workshop"),
    path("office/<slug:slug>/", views_office.office, name="office"),
    path("office/<slug:slug>/coaching/", views_office.office_coaching, name="office-coaching"),
]
