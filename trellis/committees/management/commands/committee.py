"""`trellis committee export --program SLUG --format acgme-csv -o FILE`: the latest
signed-off review cycle as the ACGME milestone upload CSV (docs/formats.md)."""

from __future__ import annotations

import sys
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError

from trellis.committees.acgme import acgme_csv
from trellis.committees.models import ReviewCycle
from trellis.committees.rules import CommitteeError
from trellis.committees.selectors import latest_signed_off_cycle
from trellis.lib.commands import TrellisCommand
from trellis.people.models import Program


class Command(TrellisCommand):
    help = "Clinical Competency Committee exports."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        exp = sub.add_parser("export", help="Export a signed-off review cycle")
        exp.add_argument("--program", required=True, help="the program's slug")
        exp.add_argument("--format", required=True, choices=["acgme-csv"])
        exp.add_argument("--cycle", help="the cycle's name (default: latest signed off)")
        exp.add_argument("-o", "--output", default="-", help="file to write ('-': stdout)")

    def handle(self, *args: Any, **options: Any) -> None:
        program = Program.objects.filter(slug=options["program"]).first()
        if program is None:
            raise CommandError(f"No program '{options['program']}'")
        if options["cycle"]:
            cycle = ReviewCycle.objects.filter(program=program, name=options["cycle"]).first()
        else:
            cycle = latest_signed_off_cycle(program=program)
        if cycle is None:
            raise CommandError(f"{program} has no signed-off review cycle to export")
        try:
            text = acgme_csv(cycle=cycle)
        except CommitteeError as exc:
            raise CommandError(str(exc)) from exc
        if options["output"] == "-":
            sys.stdout.write(text)
            return
        path = Path(options["output"])
        try:
            path.write_text(text, encoding="utf-8", newline="")
        except OSError as exc:
            raise CommandError(f"Cannot write {path}: {exc.strerror}") from exc
        self.stdout.write(f"wrote {text.count(chr(10)) - 1} row(s) of {cycle.name} to {path}")
