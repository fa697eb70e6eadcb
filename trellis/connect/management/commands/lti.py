"""`trellis lti register ...`: register an LMS platform (the values its LTI 1.3 tool
registration shows), as the LTI platforms page does; `trellis lti list`: the registrations;
`trellis lti urls --site URL`: Trellis's addresses to give the LMS; `trellis lti scores
ID`: read a mapped LMS assignment's scores (as its page's button does; e.g. nightly)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.urls import reverse

from trellis.connect.lti.services import RegistrationError, platform_register
from trellis.connect.models import LtiLineItem, LtiPlatform
from trellis.lib.commands import TrellisCommand, refuse
from trellis.people.models import Program


class Command(TrellisCommand):
    help = "Register Trellis's LMS platforms (LTI 1.3)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        reg = sub.add_parser("register", help="Register a platform.")
        reg.add_argument("--program", required=True, metavar="SLUG", help="Launches land in it.")
        reg.add_argument("--name", required=True, help="e.g. 'Riverside Canvas'.")
        reg.add_argument("--issuer", required=True, help="The platform's issuer (iss).")
        reg.add_argument("--client-id", required=True, help="The client id it gave Trellis.")
        reg.add_argument("--login-url", required=True, help="Its authentication request URL.")
        reg.add_argument("--token-url", required=True, help="Its access token URL.")
        reg.add_argument("--jwks-url", required=True, help="Its public keyset URL.")
        reg.add_argument(
            "--deployment", required=True, action="append", help="A deployment id (repeatable)."
        )
        reg.add_argument(
            "--add-members",
            action="store_true",
            help="A Learner or Instructor launch adds a learner or faculty membership.",
        )
        sub.add_parser("list", help="One registration a line.")
        scores = sub.add_parser("scores", help="Read a mapped LMS assignment's scores.")
        scores.add_argument("line_item", type=int, metavar="ID", help="The mapping's id.")
        urls = sub.add_parser("urls", help="Trellis's addresses to give the LMS.")
        urls.add_argument("--site", required=True, help="Trellis's address, e.g. https://x.org")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "register":
            self._register(options)
        elif action == "scores":
            self._scores(options["line_item"])
        elif action == "urls":
            site = options["site"].rstrip("/")
            for label, name in [
                ("Tool URL / redirection URI", "lti:launch"),
                ("Initiate login URL", "lti:login"),
                ("Public keyset URL", "lti:jwks"),
            ]:
                self.stdout.write(f"{label}: {site}{reverse(name)}")
        else:
            for p in LtiPlatform.objects.select_related("program").order_by("pk"):
                deployments = ",".join(p.deployment_ids)
                self.stdout.write(
                    f"{p.pk}  {p.name}  {p.issuer}  client {p.client_id}  "
                    f"deployments {deployments}  program {p.program.slug}  key {p.key_id}"
                )

    def _register(self, options: dict[str, Any]) -> None:
        program = Program.objects.select_related("institution").filter(slug=options["program"])
        found = program.first()
        if found is None:
            raise CommandError(f"No program with the slug {options['program']}")
        try:
            platform = platform_register(
                institution=found.institution,
                name=options["name"],
                issuer=options["issuer"],
                client_id=options["client_id"],
                auth_login_url=options["login_url"],
                auth_token_url=options["token_url"],
                key_set_url=options["jwks_url"],
                deployment_ids=options["deployment"],
                program=found,
                add_members=options["add_members"],
                acting_user=None,
            )
        except RegistrationError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"Registered {platform.name} ({platform.pk}); key id {platform.key_id}")

    def _scores(self, pk: int) -> None:
        from trellis.connect.lti.grades import GradesUnavailable, line_item_scores_import

        line_item = LtiLineItem.objects.select_related("course__platform__program").filter(pk=pk)
        found = line_item.first()
        if found is None:
            raise CommandError(f"No mapped LMS assignment {pk}")
        try:
            outcome = line_item_scores_import(line_item=found, acting_user=None)
        except GradesUnavailable as exc:
            raise CommandError(str(exc)) from exc
        result = outcome.result
        if not result.ok:
            refuse(self, result.problems, f"{found.label}: refused, nothing was imported")
        self.stdout.write(
            f"{found.label}: {result.created} read, {result.unchanged} already in Trellis, "
            f"{outcome.not_seen} for people not seen launching, "
            f"{outcome.not_learners} for people not learners of the program"
        )
