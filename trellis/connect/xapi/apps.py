from django.apps import AppConfig


class XapiConfig(AppConfig):
    name = "trellis.connect.xapi"
    label = "xapi"
    verbose_name = "xAPI (learning record store)"
    default_auto_field = "django.db.models.BigAutoField"
