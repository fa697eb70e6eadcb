from django.apps import AppConfig
from django.core import checks


class ConnectConfig(AppConfig):
    name = "trellis.connect"
    label = "connect"
    verbose_name = "Connections to the campus: standards served over HTTP"

    def ready(self) -> None:
        from trellis.connect.sso.saml.checks import saml_check

        checks.register(saml_check, checks.Tags.security)
