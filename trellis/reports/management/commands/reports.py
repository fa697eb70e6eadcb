"""`trellis reports learner --program SLUG --learner EMAIL -o FILE.pdf`,
`trellis reports program --program SLUG -o FILE.xlsx|FILE.pdf` and
`trellis reports evidence --program SLUG -o FILE.xlsx|FILE.pdf [--start D] [--end D]` and
`trellis reports ape --program SLUG -o FILE.xlsx|FILE.pdf [--year NAME]` (the Annual
Program Evaluation of an academic year, the latest by default)."""

from __future__ import annotations

import datetime as dt
from argparse import ArgumentTypeError
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser

from trellis.lib.commands import TrellisCommand
from trellis.people.models import Program, User
from trellis.people.selectors import was_learner_of


class Command(TrellisCommand):
    help = "Write the learner milestone report (PDF) or the program summary (Excel or PDF)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="which", required=True)
        learner = sub.add_parser("learner", help="A learner's milestone report, as PDF.")
        learner.add_argument("--program", required=True)
        learner.add_argument("--learner", required=True, help="The learner's e-mail address.")
        learner.add_argument("-o", "--output", required=True)
        program = sub.add_parser("program", help="The program summary, as .xlsx or .pdf.")
        program.add_argument("--program", required=True)
        program.add_argument("-o", "--output", required=True)
        evidence = sub.add_parser(
            "evidence", help="The accreditation evidence package, as .xlsx or .pdf."
        )
        evidence.add_argument("--program", required=True)
        evidence.add_argument("-o", "--output", required=True)
        evidence.add_argument("--start", type=_day, help="YYYY-MM-DD (default: a year back)")
        evidence.add_argument("--end", type=_day, help="YYYY-MM-DD (default: today)")

        ape = sub.add_parser(
            "ape", help="The Annual Program Evaluation of an academic year, as .xlsx or .pdf."
        )
        ape.add_argument("--program", required=True)
        ape.add_argument("-o", "--output", required=True)
        ape.add_argument(
            "--year", help="The academic year's name, e.g. 2026-2027 (default: latest)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        # Imported here: the reports draw with matplotlib and print with WeasyPrint, which
        # no other command needs at its start.
        from trellis.records.program import program_overview
        from trellis.reports.program import program_pdf, program_workbook

        program = Program.objects.filter(slug=options["program"]).first()
        if program is None:
            raise CommandError(f"No program {options['program']!r}")
        out = Path(options["output"])
        if options["which"] == "learner":
            data = self._learner(program, options["learner"], out)
        elif options["which"] == "ape":
            data = self._ape(program, options["year"], out)
        elif options["which"] == "evidence":
            data = self._evidence(program, options["start"], options["end"], out)
        elif out.suffix.lower() == ".xlsx":
            data = program_workbook(program_overview(program=program))
        elif out.suffix.lower() == ".pdf":
            data = program_pdf(program_overview(program=program))
        else:
            raise CommandError("The output must end in .xlsx or .pdf")
        out.write_bytes(data)
        self.stdout.write(f"Wrote {out} ({len(data):,} bytes)")

    def _learner(self, program: Program, email: str, out: Path) -> bytes:
        if out.suffix.lower() != ".pdf":
            raise CommandError("The learner report is a PDF: the output must end in .pdf")
        learner = User.objects.filter(
            email__iexact=email,
            pk__in=was_learner_of(program=program).values("person_id"),
        ).first()
        if learner is None:
            raise CommandError(f"No learner {email!r} in {program.slug}")
        from trellis.reports.learner import learner_report_pdf

        return learner_report_pdf(program=program, learner=learner)

    def _evidence(
        self, program: Program, start: dt.date | None, end: dt.date | None, out: Path
    ) -> bytes:
        from trellis.lib.bounds import plausible_date
        from trellis.reports.accreditation import default_period, evidence_package
        from trellis.reports.accreditation_files import evidence_file

        if out.suffix.lower() not in (".xlsx", ".pdf"):
            raise CommandError("The output must end in .xlsx or .pdf")
        first, last = default_period()
        start, end = start or first, end or last
        problem = plausible_date(start, years_ahead=1) or plausible_date(end, years_ahead=1)
        if problem or start > end:
            raise CommandError(problem or "--end comes before --start")
        pkg = evidence_package(program=program, start=start, end=end)
        return evidence_file(pkg, kind=out.suffix.lower()[1:])

    def _ape(self, program: Program, year: str | None, out: Path) -> bytes:
        from trellis.assessments.evaluations import evaluation_periods
        from trellis.reports.program_evaluation import annual_program_evaluation, ape_file

        if out.suffix.lower() not in (".xlsx", ".pdf"):
            raise CommandError("The output must end in .xlsx or .pdf")
        periods = evaluation_periods(program=program)
        period = next((p for p in periods if p.label == year), None) if year else periods[0]
        if period is None:
            names = ", ".join(p.label for p in periods)
            raise CommandError(f"No academic year {year!r} in {program.slug}; there are: {names}")
        ape = annual_program_evaluation(program=program, period=period)
        return ape_file(ape, kind=out.suffix.lower()[1:])


def _day(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD)") from exc
