from django.apps import AppConfig


class PlansConfig(AppConfig):
    name = "trellis.plans"
    label = "plans"
    verbose_name = "Learning and development plans"
