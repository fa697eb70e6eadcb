"""`trellis tokens create|list|revoke`: API tokens from the command line, for operators."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError, CommandParser

from trellis.api.models import ApiToken
from trellis.api.selectors import api_tokens_of
from trellis.api.services import api_token_create, api_token_revoke
from trellis.lib.commands import TrellisCommand
from trellis.people.models import User


class Command(TrellisCommand):
    help = "Create, list and revoke API tokens."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        create = sub.add_parser(
            "create", help="Create a token for a person and print it (shown only this once)."
        )
        create.add_argument("--user", required=True, metavar="EMAIL", help="The token's owner.")
        create.add_argument("--name", required=True, help="What the token is for.")
        create.add_argument(
            "--days", type=int, default=None, help="Days until it expires (default 90)."
        )
        listing = sub.add_parser("list", help="List a person's tokens (never the secrets).")
        listing.add_argument("--user", required=True, metavar="EMAIL", help="Whose tokens.")
        revoke = sub.add_parser("revoke", help="Revoke a token, named by its prefix.")
        revoke.add_argument("prefix", metavar="PREFIX", help="e.g. 1a2b3c4d, or trl_1a2b3c4d")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "create":
            self._create(email=options["user"], name=options["name"], days=options["days"])
        elif action == "list":
            self._list(email=options["user"])
        else:
            self._revoke(prefix=options["prefix"])

    def _person(self, email: str) -> User:
        user = User.objects.filter(email__iexact=email.strip()).first()
        if user is None:
            raise CommandError(f"No person with the e-mail address {email}")
        return user

    def _create(self, *, email: str, name: str, days: int | None) -> None:
        try:
            token, plaintext = api_token_create(user=self._person(email), name=name, days=days)
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(plaintext)
        self.stderr.write(
            f"Created “{token.name}” for {token.user.email}, expiring "
            f"{token.expires_at:%Y-%m-%d}. Copy the token now: "
            "it is not stored and cannot be shown again."
        )

    def _list(self, *, email: str) -> None:
        rows = list(api_tokens_of(user=self._person(email)))
        if not rows:
            self.stderr.write("No tokens.")
            return
        self.stdout.write(
            f"{'PREFIX':<10} {'CREATED':<17} {'LAST USED':<17} {'EXPIRES':<11} {'STATUS':<8} NAME"
        )
        for t in rows:
            used = f"{t.last_used_at:%Y-%m-%d %H:%M}" if t.last_used_at else "never"
            state = "revoked" if t.revoked_at else ("expired" if t.is_expired else "active")
            self.stdout.write(
                f"{t.prefix:<10} {t.created_at:%Y-%m-%d %H:%M} {used:<17} "
                f"{t.expires_at:%Y-%m-%d}  {state:<8} {t.name}"
            )

    def _revoke(self, *, prefix: str) -> None:
        prefix = prefix.strip().removeprefix("trl_")[:8]
        token = ApiToken.objects.select_related("user").filter(prefix=prefix).first()
        if token is None:
            raise CommandError(f"No token starts with {prefix}")
        if token.revoked_at is not None:
            self.stderr.write(f"{prefix} was already revoked.")
            return
        api_token_revoke(token=token, acting_user=None)
        self.stdout.write(f"Revoked {prefix} (“{token.name}”, {token.user.email}).")
