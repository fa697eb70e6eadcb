from django.apps import AppConfig


class EducatorsConfig(AppConfig):
    name = "trellis.educators"
    label = "educators"
    verbose_name = "Clinician educators"
