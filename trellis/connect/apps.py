from django.apps import AppConfig


class ConnectConfig(AppConfig):
    name = "trellis.connect"
    label = "connect"
    verbose_name = "Connections to the campus: standards served over HTTP"
