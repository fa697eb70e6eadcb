"""`trellis programs list`: the programs in this installation, for operators and scripts;
`trellis programs set SLUG --ads-number N`: a residency's ADS program number."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError, CommandParser

from trellis.lib.commands import TrellisCommand
from trellis.people.accreditation import accreditation_ids_record
from trellis.people.models import Institution, Program
from trellis.people.services import MembershipError


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
        setting = sub.add_parser("set", help="Set a program's identifiers.")
        setting.add_argument("program", metavar="SLUG")
        setting.add_argument(
            "--ads-number",
            required=True,
            help="The ACGME's 10-digit ADS program number ('' clears it).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "set":
            self._set(options["program"], options["ads_number"])
            return
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

    def _set(self, slug: str, ads_number: str) -> None:
        program = Program.objects.filter(slug=slug).first()
        if program is None:
            raise CommandError(f"No program with the slug {slug}")
        try:
            changed = accreditation_ids_record(
                program=program, ads_number=ads_number, acgme={}, acting_user=None
            )
        except MembershipError as exc:
            raise CommandError(str(exc)) from exc
        state = "set" if changed else "unchanged"
        self.stdout.write(f"{program.slug}: ADS program number {state} ({program.ads_number})")
