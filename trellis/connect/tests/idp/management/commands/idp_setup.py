"""Register the relying party and the provider's users; make the signing key once."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from oidc_provider.models import Client, ResponseType, RSAKey


class Command(BaseCommand):
    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--client-id", required=True)
        parser.add_argument("--client-secret", required=True)
        parser.add_argument("--redirect-uri", action="append", default=[])
        parser.add_argument("--logout-uri", action="append", default=[])
        parser.add_argument("--user", action="append", default=[], help="username:email:first:last")
        parser.add_argument("--password", default="")

    def handle(self, *args: Any, **options: Any) -> None:
        if not RSAKey.objects.exists():
            call_command("creatersakey")
        client, _ = Client.objects.get_or_create(
            client_id=options["client_id"],
            defaults={"name": "Trellis", "client_secret": options["client_secret"]},
        )
        client.client_type = "confidential"
        client.jwt_alg = "RS256"
        client.require_consent = False
        client.redirect_uris = sorted(set(client.redirect_uris) | set(options["redirect_uri"]))
        client.post_logout_redirect_uris = sorted(
            set(client.post_logout_redirect_uris) | set(options["logout_uri"])
        )
        client.save()
        client.response_types.add(ResponseType.objects.get(value="code"))
        for spec in options["user"]:
            username, email, first, last = spec.split(":")
            user, _ = User.objects.get_or_create(username=username)
            user.email, user.first_name, user.last_name = email, first, last
            user.set_password(options["password"])
            user.save()
