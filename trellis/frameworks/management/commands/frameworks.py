"""`trellis frameworks list|import|export|show|crosswalk`: frameworks from the command line.

Calls the same services as the web page and the API; the command line acts as no user.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser

from trellis.frameworks import crosswalk as xw
from trellis.frameworks.io import FORMATS
from trellis.frameworks.models import Crosswalk, Framework, Item, LevelDescriptor
from trellis.frameworks.services import FrameworkImportError, framework_export, framework_import
from trellis.lib.commands import TrellisCommand, refuse
from trellis.people.models import Institution, Program


class Command(TrellisCommand):
    help = "List, import, export and show competency frameworks (CSV or CASE JSON)."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)

        actions.add_parser("list", help="one framework per line: slug, then title and version")

        load = actions.add_parser(
            "import",
            help="import a framework from a CSV file or a CASE JSON package",
            description="Import one framework. A file with any problem is refused whole, "
            "every problem listed, nothing written.",
        )
        load.add_argument("file", help="the CSV or CASE JSON file")
        load.add_argument(
            "--institution", metavar="SLUG", help="the owning institution (default: catalogue)"
        )
        load.add_argument(
            "--format",
            choices=FORMATS,
            help="csv, case or medbiq (default: from the file name or content)",
        )
        load.add_argument("--slug", help="the slug to give it (default: from the file or title)")

        dump = actions.add_parser(
            "export", help="write a framework as CSV, CASE JSON or MedBiquitous XML"
        )
        dump.add_argument("slug", help="the framework's slug")
        dump.add_argument(
            "--format",
            choices=FORMATS,
            help="csv, case or medbiq (default: from the -o file name)",
        )
        dump.add_argument(
            "-o", "--output", default="-", metavar="FILE", help="where to write (- for stdout)"
        )

        show = actions.add_parser("show", help="print a framework's tree of items")
        show.add_argument("slug", help="the framework's slug")

        xwalk = actions.add_parser(
            "crosswalk",
            help="propose, show, review and apply a crosswalk between two versions",
            description="A crosswalk says what each item of one version becomes in the "
            "next. `propose` matches items by code, then by name; read it with `show` (or on "
            "the framework's Crosswalks page, where links are edited), mark it `reviewed`, "
            "then `apply` it to a program: the program adopts the new version and keeps its "
            "history on the old items.",
        )
        steps = xwalk.add_subparsers(dest="step", metavar="STEP", required=True)
        propose = steps.add_parser("propose", help="make a crosswalk with proposed links")
        propose.add_argument("source", help="the earlier version's slug")
        propose.add_argument("target", help="the later version's slug")
        propose.add_argument("--institution", metavar="SLUG", required=True, help="whose it is")
        for name, text in (
            ("show", "print each change"),
            ("reviewed", "mark it reviewed, so that it may be applied"),
        ):
            steps.add_parser(name, help=text).add_argument("id", type=int, help="the crosswalk")
        apply = steps.add_parser("apply", help="move a program to the later version")
        apply.add_argument("id", type=int, help="the crosswalk")
        apply.add_argument("--program", metavar="SLUG", required=True, help="the program")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "list":
            self.list_frameworks()
        elif action == "import":
            self.import_file(options)
        elif action == "export":
            self.export(options)
        elif action == "show":
            self.show(options["slug"])
        elif action == "crosswalk":
            self.crosswalk(options)

    def crosswalk(self, options: dict[str, Any]) -> None:
        step = options["step"]
        try:
            if step == "propose":
                institution = Institution.objects.filter(slug=options["institution"]).first()
                if institution is None:
                    raise CommandError(f"no institution {options['institution']!r}")
                made = xw.crosswalk_propose(
                    source=self.framework(options["source"]),
                    target=self.framework(options["target"]),
                    institution=institution,
                    acting_user=None,
                )
                self.stdout.write(f"Crosswalk {made.pk}: {made}")
                self.print_changes(made)
                return
            found = Crosswalk.objects.filter(pk=options["id"]).first()
            if found is None:
                raise CommandError(f"no crosswalk {options['id']}")
            if step == "show":
                self.stdout.write(f"Crosswalk {found.pk}: {found}")
                self.print_changes(found)
            elif step == "reviewed":
                xw.crosswalk_mark_reviewed(crosswalk=found, acting_user=None)
                self.stdout.write(f"Crosswalk {found.pk} reviewed: it may be applied")
            elif step == "apply":
                program = Program.objects.filter(slug=options["program"]).first()
                if program is None:
                    raise CommandError(f"no program {options['program']!r}")
                xw.crosswalk_apply(program=program, crosswalk=found, acting_user=None)
                self.stdout.write(f"{program.name} now uses {found.target}")
        except xw.CrosswalkError as exc:
            raise CommandError(str(exc)) from exc

    def print_changes(self, crosswalk: Crosswalk) -> None:
        def codes(items: list[Item]) -> str:
            return ", ".join(i.code or i.name for i in items) or "-"

        for change in xw.item_changes(crosswalk=crosswalk):
            self.stdout.write(
                f"{change.label:<18}{codes(change.sources):<24}-> {codes(change.targets)}"
            )

    def list_frameworks(self) -> None:
        for framework in Framework.objects.order_by("slug"):
            self.stdout.write(f"{framework.slug}\t{framework.title} {framework.version}".rstrip())

    def import_file(self, options: dict[str, Any]) -> None:
        path = Path(options["file"])
        try:
            content = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"cannot read {path}: {exc.strerror}") from exc
        institution = None
        if options["institution"]:
            institution = Institution.objects.filter(slug=options["institution"]).first()
            if institution is None:
                raise CommandError(f"no institution {options['institution']!r}")
        try:
            framework = framework_import(
                content=content,
                filename=path.name,
                institution=institution,
                acting_user=None,
                format=options["format"],
                slug=options["slug"],
            )
        except FrameworkImportError as exc:
            count = len(exc.problems)
            problems = f"{count} problem{'s' if count != 1 else ''}"
            refuse(self, exc.problems, f"{path.name} refused: {problems}, nothing imported")
        items = framework.items.count()
        associations = framework.associations.count()
        descriptors = LevelDescriptor.objects.filter(item__framework=framework).count()
        self.stdout.write(
            f"Imported {framework.slug}: {items} items, {associations} associations, "
            f"{descriptors} level descriptors"
        )

    def export(self, options: dict[str, Any]) -> None:
        output = options["output"]
        suffixes = {".csv": "csv", ".json": "case", ".xml": "medbiq"}
        fmt = options["format"] or suffixes.get(Path(output).suffix.lower())
        if fmt is None:
            raise CommandError("say --format csv, --format case or --format medbiq")
        framework = self.framework(options["slug"])
        data = framework_export(framework=framework, format=fmt)
        if output == "-":
            self.stdout.write(data.decode("utf-8"), ending="")
            return
        try:
            Path(output).write_bytes(data)
        except OSError as exc:
            raise CommandError(f"cannot write {output}: {exc.strerror}") from exc
        self.stderr.write(f"Wrote {framework.slug} to {output}")

    def show(self, slug: str) -> None:
        framework = self.framework(slug)
        title = f"{framework.title} {framework.version}".rstrip()
        self.stdout.write(f"{title} ({framework.slug})")
        items = list(framework.items.order_by("position", "id"))
        children: dict[int | None, list[Item]] = {}
        known = {item.pk for item in items}
        for item in items:
            parent = item.parent_id if item.parent_id in known else None
            children.setdefault(parent, []).append(item)
        stack = [(item, 1) for item in reversed(children.get(None, []))]
        seen: set[int] = set()
        while stack:
            item, depth = stack.pop()
            if item.pk in seen:
                continue
            seen.add(item.pk)
            label = f"{item.code} {item.name}".strip()
            self.stdout.write(f"{'  ' * depth}{label} [{item.get_kind_display()}]")
            stack.extend((child, depth + 1) for child in reversed(children.get(item.pk, [])))

    def framework(self, slug: str) -> Framework:
        framework = Framework.objects.filter(slug=slug).first()
        if framework is None:
            raise CommandError(f"no framework {slug!r} (see `trellis frameworks list`)")
        return framework

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        parser.formatter_class = argparse.RawDescriptionHelpFormatter
        return parser
