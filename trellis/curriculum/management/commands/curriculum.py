"""`trellis curriculum gaps|export-ci`: the curriculum map from the command line."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser

from trellis.curriculum.ci_export import (
    CurriculumInventoryError,
    ci_validate,
    curriculum_inventory_xml,
)
from trellis.curriculum.selectors import curriculum_frameworks, curriculum_gaps
from trellis.lib.commands import TrellisCommand
from trellis.people.models import Program


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"Not a date (YYYY-MM-DD): {value}") from exc


class Command(TrellisCommand):
    help = "The curriculum map: gap report, Curriculum Inventory export."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        gaps = sub.add_parser(
            "gaps",
            help="Print the gap and overlap report.",
            description=(
                "For each subcompetency and EPA, where it is introduced, reinforced and "
                "assessed, and the items never assessed, only introduced, taught in many "
                "places but assessed in none, or not mapped at all."
            ),
        )
        gaps.add_argument("--program", required=True, metavar="SLUG")
        gaps.add_argument(
            "--framework",
            metavar="SLUG",
            help="An adopted framework (default: every framework the program adopted).",
        )
        ci = sub.add_parser(
            "export-ci",
            help="Write the AAMC Curriculum Inventory (MedBiquitous CI v1 XML).",
            description=(
                "Write the program's map as a Curriculum Inventory report. Developmental "
                "frameworks are left out."
            ),
        )
        ci.add_argument("--program", required=True, metavar="SLUG")
        ci.add_argument("-o", "--output", required=True, metavar="FILE", help="'-' for stdout.")
        ci.add_argument("--start", metavar="YYYY-MM-DD", help="Reporting period start.")
        ci.add_argument("--end", metavar="YYYY-MM-DD", help="Reporting period end.")
        ci.add_argument(
            "--validate",
            metavar="MEDBIQ_DIR",
            help="Check the file against the CI schema in a local copy of the MedBiquitous "
            "schemas (a folder with catalog.xml and curriculuminventory/v1/).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        program = (
            Program.objects.select_related("institution").filter(slug=options["program"]).first()
        )
        if program is None:
            raise CommandError(f"No program with the slug {options['program']}")
        if options["action"] == "gaps":
            self._gaps(program, options.get("framework"))
        else:
            self._export(program, options)

    def _gaps(self, program: Program, slug: str | None) -> None:
        from trellis.curriculum.reports import gaps_text  # with matplotlib: only here

        frameworks = curriculum_frameworks(program=program)
        if slug:
            frameworks = [f for f in frameworks if f.slug == slug]
            if not frameworks:
                raise CommandError(f"{program.slug} has not adopted a framework {slug}")
        if not frameworks:
            raise CommandError(f"{program.slug} has adopted no framework")
        for framework in frameworks:
            self.stdout.write(gaps_text(curriculum_gaps(program=program, framework=framework)))

    def _export(self, program: Program, options: dict[str, Any]) -> None:
        start = _date(options["start"]) if options.get("start") else None
        end = _date(options["end"]) if options.get("end") else None
        try:
            xml = curriculum_inventory_xml(program=program, start=start, end=end)
        except CurriculumInventoryError as exc:
            raise CommandError(str(exc)) from exc
        if options.get("validate"):
            errors = ci_validate(xml, Path(options["validate"]))
            if errors:
                raise CommandError("The export does not validate:\n" + "\n".join(errors[:20]))
        if options["output"] == "-":
            self.stdout.write(xml.decode("utf-8"), ending="")
            return
        Path(options["output"]).write_bytes(xml)
        self.stderr.write(f"Wrote {options['output']} ({len(xml):,} bytes).")
