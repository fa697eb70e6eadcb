"""`trellis requests generate --program SLUG [--on DATE]`: end-of-rotation requests from
the schedule, for assignments that ended in the 14 days up to DATE (today by default).
Running it again creates nothing new."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import CommandError
from django.utils import timezone

from trellis.assessments.requests.services import requests_generate_from_schedule
from trellis.lib.commands import TrellisCommand, iso_date
from trellis.people.models import Program


class Command(TrellisCommand):
    help = "Make assessment requests from the schedule."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        gen = sub.add_parser("generate", help="Requests for assignments that have just ended")
        gen.add_argument("--program", required=True, help="the program's slug")
        gen.add_argument("--on", type=iso_date, help="the day to run as (default: today)")

    def handle(self, *args: Any, **options: Any) -> None:
        program = Program.objects.filter(slug=options["program"]).first()
        if program is None:
            raise CommandError(f"No program '{options['program']}'")
        result = requests_generate_from_schedule(
            program=program, on=options["on"] or timezone.localdate(), acting_user=None
        )
        if result.missing_form:
            raise CommandError("No end-of-rotation form: install the built-in forms first")
        self.stdout.write(
            f"{result.created} request(s) created, {result.existing} already there, "
            f"from {result.assignments} assignment(s)"
        )
