"""`trellis exams import FILE --program SLUG [--dry-run]`: add exam scores from a CSV file.

All-or-nothing: with any problem it prints every one by row and exits non-zero, writing
nothing. Scores already in Trellis with the same value are left unchanged; a different
score for the same learner and exam is refused.
"""

from __future__ import annotations

import sys
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError

from trellis.assessments.exams import exam_scores_import
from trellis.lib.commands import TrellisCommand, exit_if_refused
from trellis.people.models import Program


class Command(TrellisCommand):
    help = "Import exam scores."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser("import", help="Add the scores in a CSV file")
        imp.add_argument("file")
        imp.add_argument("--program", required=True, help="the program's slug")
        imp.add_argument("--dry-run", action="store_true", help="check only; write nothing")

    def handle(self, *args: Any, **options: Any) -> None:
        program = Program.objects.filter(slug=options["program"]).first()
        if program is None:
            raise CommandError(f"No program '{options['program']}'")
        path = Path(options["file"])
        data = sys.stdin.buffer.read() if str(path) == "-" else self._read(path)
        result = exam_scores_import(
            program=program,
            data=data,
            acting_user=None,
            dry_run=options["dry_run"],
            filename=str(options["file"]),
        )
        exit_if_refused(self, result)
        verb = "would import" if result.dry_run else "imported"
        self.stdout.write(
            f"{verb} {result.created} score(s); {result.unchanged} unchanged; "
            f"{result.exams_created} new exam(s)"
        )

    def _read(self, path: Path) -> bytes:
        try:
            return path.read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc.strerror}") from exc
