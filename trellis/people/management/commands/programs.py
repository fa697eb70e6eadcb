"""`trellis programs list`: the programs in this installation, for operators and scripts."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError, CommandParser

from trellis.lib.commands import TrellisCommand
from trellis.people.models import Institution, Program


class Command(TrellisCommand):
    help = "List the programs in this installation."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        listing = sub.add_parser(
            "list",
            help="One program a line: its slug, then its name.",
            description="One program a line: its slug, then its name, ordered by slug.",
        )
        listing.add_argument(
            "--institution", metavar="SLUG", help="Only the programs of this institution."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        programs = Program.objects.order_by("slug")
        if options.get("institution"):
            institution = Institution.objects.filter(slug=options["institution"]).first()
            if institution is None:
                raise CommandError(f"No institution with the slug {options['institution']}")
            programs = programs.filter(institution=institution)
        rows = list(programs.values_list("slug", "name"))
        if not rows:
            self.stderr.write("No programs.")
            return
        width = max(len(slug) for slug, _ in rows)
        for slug, name in rows:
            self.stdout.write(f"{slug:<{width}}  {name}")
