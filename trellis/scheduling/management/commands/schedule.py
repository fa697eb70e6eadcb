"""`trellis schedule ...`: import and export a program's schedule, and set a year up.

    trellis schedule import FILE --program SLUG [--year NAME] [--dry-run]
    trellis schedule export --program SLUG [--year NAME] -o FILE
    trellis schedule year-create --program SLUG --name 2026-2027 \
        --start 2026-07-01 --end 2027-06-30 [--blocks]
    trellis schedule site-create --program SLUG --code UH --name "University Hospital"
    trellis schedule rotation-create --program SLUG --code CARD [--title Cardiology] [--capacity 3]

Import is all-or-nothing: with any problem it prints every one (row, column, message) and
exits non-zero, writing nothing.
"""

from __future__ import annotations

import sys
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError

from trellis.curriculum.models import Activity, ActivityKind
from trellis.lib.commands import TrellisCommand, exit_if_refused, iso_date
from trellis.people.models import Program
from trellis.scheduling.importer import schedule_export_csv, schedule_import
from trellis.scheduling.models import AcademicYear
from trellis.scheduling.selectors import academic_year_pick
from trellis.scheduling.services import (
    ScheduleError,
    academic_year_create,
    blocks_generate,
    rotation_create,
    site_create,
)


class Command(TrellisCommand):
    help = "Import, export and set up a program's clinical schedule."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser("import", help="Add the assignments in a CSV or .xlsx file")
        imp.add_argument("file")
        imp.add_argument("--program", required=True, help="the program's slug")
        imp.add_argument("--year", help="academic year name (default: the current one)")
        imp.add_argument("--dry-run", action="store_true", help="check only; write nothing")

        exp = sub.add_parser("export", help="Write a year's assignments as CSV")
        exp.add_argument("--program", required=True)
        exp.add_argument("--year")
        exp.add_argument("-o", "--output", required=True, help="file to write, or - for stdout")

        year = sub.add_parser("year-create", help="Add an academic year")
        year.add_argument("--program", required=True)
        year.add_argument("--name", required=True)
        year.add_argument("--start", required=True, type=iso_date)
        year.add_argument("--end", required=True, type=iso_date)
        year.add_argument("--blocks", action="store_true", help="cut it into 13 four-week blocks")

        site = sub.add_parser("site-create", help="Add a site to the program's institution")
        site.add_argument("--program", required=True)
        site.add_argument("--code", required=True)
        site.add_argument("--name", required=True)

        rot = sub.add_parser(
            "rotation-create",
            help="Schedule a clinical experience (by code), or create one with --title",
        )
        rot.add_argument("--program", required=True)
        rot.add_argument("--code", required=True)
        rot.add_argument("--title", default="")
        rot.add_argument("--capacity", type=int)

    def handle(self, *args: Any, **options: Any) -> None:
        program = Program.objects.filter(slug=options["program"]).first()
        if program is None:
            raise CommandError(f"No program with slug '{options['program']}'")
        handler = getattr(self, "_" + options["action"].replace("-", "_"))
        try:
            handler(program, options)
        except ScheduleError as exc:
            raise CommandError(str(exc)) from exc

    def _year(self, program: Program, name: str | None) -> AcademicYear:
        year = academic_year_pick(program=program, name=name)
        if year is None:
            raise CommandError(
                f"No academic year named '{name}'"
                if name
                else f"{program.name} has no academic year"
            )
        return year

    def _import(self, program: Program, options: dict[str, Any]) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        year = self._year(program, options["year"])
        result = schedule_import(
            program=program,
            year=year,
            filename=path.name,
            data=path.read_bytes(),
            acting_user=None,
            dry_run=options["dry_run"],
        )
        exit_if_refused(self, result)
        self.stdout.write(f"{program.slug} {year.name}: {result.summary()}")
        for gap in result.warnings:
            weeks = ", ".join(f"{r.start}–{r.end}" for r in gap.ranges)
            self.stdout.write(
                f"warning: {gap.learner.email} has {gap.weeks} unassigned week(s): {weeks}"
            )

    def _export(self, program: Program, options: dict[str, Any]) -> None:
        year = self._year(program, options["year"])
        text = schedule_export_csv(year=year)
        if options["output"] == "-":
            sys.stdout.write(text)
            return
        Path(options["output"]).write_text(text, encoding="utf-8")
        rows = text.count("\n") - 1
        self.stdout.write(f"Wrote {rows} assignment(s) of {year.name} to {options['output']}")

    def _year_create(self, program: Program, options: dict[str, Any]) -> None:
        year = academic_year_create(
            program=program,
            name=options["name"],
            start_date=options["start"],
            end_date=options["end"],
            acting_user=None,
        )
        blocks = blocks_generate(academic_year=year, acting_user=None) if options["blocks"] else []
        self.stdout.write(
            f"Added {year.name} ({year.start_date} to {year.end_date}), {len(blocks)} blocks"
        )

    def _site_create(self, program: Program, options: dict[str, Any]) -> None:
        site = site_create(
            institution=program.institution,
            code=options["code"],
            name=options["name"],
            acting_user=None,
        )
        self.stdout.write(f"Added site {site.code} {site.name}")

    def _rotation_create(self, program: Program, options: dict[str, Any]) -> None:
        activity = Activity.objects.filter(
            program=program, kind=ActivityKind.CLINICAL_EXPERIENCE, code__iexact=options["code"]
        ).first()
        rotation = rotation_create(
            program=program,
            activity=activity,
            code=options["code"],
            title=options["title"],
            capacity=options["capacity"],
            acting_user=None,
        )
        self.stdout.write(f"Added rotation {rotation.code} {rotation}")
