"""`trellis analytics`: the rating fact table and the analyses over it.

    trellis analytics export (--program SLUG | --institution SLUG) -o FILE.parquet
    trellis analytics gstudy|raters|straightlining|ppv|growth|benchmarks
        (--program SLUG | --input FILE) [--engine duckdb|spark] [--format table|csv|json]

The export is pseudonymous (docs/formats.md); `--input` takes that Parquet file or any
CSV naming at least learner, rater, item, occasion and level. A bad file is refused with
the column and row to fix, never a traceback.
"""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.core.management.base import CommandError

from trellis.lib.commands import TrellisCommand
from trellis.people.models import Institution, Program

if TYPE_CHECKING:
    from trellis.analytics.engine import Source

# The analyses' modules (DuckDB, pyarrow, pandas) are imported when this command runs, not
# when `trellis` starts any other command.


def _program(slug: str) -> Program:
    program = Program.objects.filter(slug=slug).first()
    if program is None:
        raise CommandError(f"No program '{slug}'")
    return program


class Command(TrellisCommand):
    help = "The rating fact table (export) and the analyses over it."

    def add_arguments(self, parser: ArgumentParser) -> None:
        from trellis.analytics.engine import ENGINES
        from trellis.analytics.output import ANALYSES, FORMATS

        sub = parser.add_subparsers(dest="action", required=True)
        exp = sub.add_parser("export", help="Write the pseudonymous rating fact table")
        whose = exp.add_mutually_exclusive_group(required=True)
        whose.add_argument("--program", help="a program's slug")
        whose.add_argument("--institution", help="an institution's slug (all its programs)")
        exp.add_argument("-o", "--output", required=True, help="the Parquet file to write")
        for name in ANALYSES:
            one = sub.add_parser(name, help=f"the {name} analysis")
            source = one.add_mutually_exclusive_group(required=True)
            source.add_argument("--program", help="a program's slug")
            source.add_argument("--input", help="a fact file (.parquet or .csv)")
            one.add_argument("--engine", choices=ENGINES, default="duckdb")
            one.add_argument("--format", choices=FORMATS, default="table")
            if name == "gstudy":
                one.add_argument("--design", default="p x i", choices=["p x i", "o:p", "p x r"])

    def handle(self, *args: Any, **options: Any) -> None:
        from trellis.analytics.engine import open_engine
        from trellis.analytics.facts import FactError
        from trellis.analytics.output import ANALYSES, render
        from trellis.committees.facts import program_facts

        if options["action"] == "export":
            self._export(options)
            return
        source: Source
        if options.get("program"):
            source = program_facts(program=_program(options["program"]))
        else:
            source = Path(options["input"])
        try:
            with open_engine(source, engine=options["engine"]) as engine:
                tables = ANALYSES[options["action"]](engine, design=options.get("design"))
        except FactError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(render(tables, options["format"]), ending="")

    def _export(self, options: dict[str, Any]) -> None:
        import pyarrow.parquet as pq

        from trellis.committees.facts import institution_facts, program_facts

        if options["program"]:
            table = program_facts(program=_program(options["program"]))
        else:
            institution = Institution.objects.filter(slug=options["institution"]).first()
            if institution is None:
                raise CommandError(f"No institution '{options['institution']}'")
            table = institution_facts(institution=institution)
        path = Path(options["output"])
        try:
            pq.write_table(table, path)
        except OSError as exc:
            raise CommandError(f"Cannot write {path}: {exc.strerror or exc}") from exc
        self.stdout.write(f"wrote {table.num_rows} rating(s) to {path}")
