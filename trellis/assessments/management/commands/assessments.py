"""`trellis assessments ...`: assessments in from another system.

    trellis assessments import FILE --program SLUG --mapping MAPPING.toml [--dry-run]

FILE is CSV or a JSON list of records; MAPPING says how to read it (docs/formats.md,
"Assessment import mapping"; examples/mappings/ has one for the CBD dashboard). The import
is all-or-nothing: with any problem it prints every one (record, field, message) and exits
non-zero, writing nothing. Otherwise it prints "N assessments imported", the records
skipped with their reasons, and whatever it created for a coordinator to check.
"""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError

from trellis.assessments.importer import MappingError, assessments_import, mapping_load
from trellis.lib.commands import TrellisCommand, exit_if_refused, refuse
from trellis.people.models import Program


class Command(TrellisCommand):
    help = "Import assessments from another system's export."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser("import", help="Add the assessments in a CSV or JSON file")
        imp.add_argument("file")
        imp.add_argument("--program", required=True, help="the program's slug")
        imp.add_argument("--mapping", required=True, help="the mapping file (.toml or .json)")
        imp.add_argument("--dry-run", action="store_true", help="check only; write nothing")

    def handle(self, *args: Any, **options: Any) -> None:
        program = Program.objects.filter(slug=options["program"]).first()
        if program is None:
            raise CommandError(f"No program with slug '{options['program']}'")
        self._import(program, options)

    def _import(self, program: Program, options: dict[str, Any]) -> None:
        path, mapping_path = Path(options["file"]), Path(options["mapping"])
        for p in (path, mapping_path):
            if not p.is_file():
                raise CommandError(f"No such file: {p}")
        try:
            mapping = mapping_load(filename=mapping_path.name, content=mapping_path.read_bytes())
        except MappingError as exc:
            mistakes = [f"{mapping_path.name}: {mistake}" for mistake in exc.problems]
            refuse(self, mistakes, "The mapping has problems; nothing was written")
        result = assessments_import(
            program=program,
            mapping=mapping,
            filename=path.name,
            data=path.read_bytes(),
            acting_user=None,
            dry_run=options["dry_run"],
        )
        exit_if_refused(self, result)
        self.stdout.write(f"{program.slug}: {result.summary()}")
        for line in result.lines():
            self.stdout.write(line)
        if result.dry_run:
            self.stdout.write("Dry run: nothing was written.")
