from __future__ import annotations

from django.urls import path

from trellis.plans import views

app_name = "plans"
urlpatterns = [
    path("", views.mine, name="mine"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/check-ins/<int:check_in_pk>/", views.check_in, name="check-in"),
    path("<int:pk>/close/", views.close, name="close"),
    path("shares/<int:pk>/withdraw/", views.withdraw, name="withdraw"),
]
