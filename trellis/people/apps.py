from django.apps import AppConfig
from django.core import checks


class PeopleConfig(AppConfig):
    name = "trellis.people"
    label = "people"
    verbose_name = "People and programs"

    def ready(self) -> None:
        from trellis.lib.checks import site_url_check

        checks.register(site_url_check, checks.Tags.compatibility)

        from django.contrib.auth.signals import user_logged_in

        from trellis.people.sessions import on_user_logged_in

        user_logged_in.connect(on_user_logged_in, dispatch_uid="trellis-session-start")
