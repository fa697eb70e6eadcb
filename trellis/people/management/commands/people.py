"""`trellis people ...`: a program's roster from a file, and the academic year's turn.

    trellis people import FILE --program SLUG [--dry-run] [--invite]
    trellis people promote --program SLUG --last-day 2027-06-30 [--dry-run]

The import is all-or-nothing: with any problem it prints every one (row, column, message)
and exits non-zero, writing nothing. `promote` prints who moves up and who graduates, then
does it (unless --dry-run); a second run for the same turn is refused and changes nothing.
"""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError

from trellis.lib.commands import TrellisCommand, exit_if_refused, iso_date
from trellis.people.importer import roster_import
from trellis.people.models import Program
from trellis.people.services import PromotionRefused, cohort_promote, promotion_plan


class Command(TrellisCommand):
    help = "Import a program's roster; turn its academic year."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        imp = sub.add_parser("import", help="Add the people in a CSV or .xlsx roster file")
        imp.add_argument("file")
        imp.add_argument("--program", required=True, help="the program's slug")
        imp.add_argument("--dry-run", action="store_true", help="check only; write nothing")
        imp.add_argument(
            "--invite", action="store_true", help="e-mail each new person a set-password link"
        )

        promote = sub.add_parser(
            "promote",
            help="Move every learner up a training year; graduate the final year",
        )
        promote.add_argument("--program", required=True, help="the program's slug")
        promote.add_argument(
            "--last-day",
            required=True,
            type=iso_date,
            help="the academic year's last day (YYYY-MM-DD); graduates end on it",
        )
        promote.add_argument("--dry-run", action="store_true", help="preview only")

    def handle(self, *args: Any, **options: Any) -> None:
        program = (
            Program.objects.select_related("institution").filter(slug=options["program"]).first()
        )
        if program is None:
            raise CommandError(f"No program with slug '{options['program']}'")
        if options["action"] == "import":
            self._import(program, options)
        else:
            self._promote(program, options)

    def _import(self, program: Program, options: dict[str, Any]) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        result = roster_import(
            program=program,
            filename=path.name,
            data=path.read_bytes(),
            acting_user=None,
            dry_run=options["dry_run"],
            invite=options["invite"],
        )
        exit_if_refused(self, result)
        self.stdout.write(f"{program.slug}: {result.summary()}")

    def _promote(self, program: Program, options: dict[str, Any]) -> None:
        last_day = options["last_day"]
        plan = promotion_plan(program=program, last_day=last_day)
        for move in plan.moves:
            m = move.membership
            self.stdout.write(
                f"up        {m.person.email}: year {m.training_year} -> {move.to_year}"
            )
        for m in plan.graduates:
            self.stdout.write(
                f"graduates {m.person.email}: year {m.training_year}, ends {last_day}"
            )
        for m in plan.unplaced:
            self.stdout.write(f"left      {m.person.email}: no training year")
        if plan.refusal:
            raise CommandError(f"{plan.refusal}; nothing changed")
        if options["dry_run"]:
            self.stdout.write(
                f"Would be: {len(plan.moves)} moved up, {len(plan.graduates)} graduated"
            )
            return
        try:
            turn = cohort_promote(program=program, last_day=last_day, acting_user=None)
        except PromotionRefused as exc:
            raise CommandError(f"{exc}; nothing changed") from exc
        self.stdout.write(
            f"{program.slug} turned on {last_day}: "
            f"{turn.promoted} moved up, {turn.graduated} graduated"
        )
