"""`trellis xapi send [--once] [--batch N] [--interval SECONDS]`: the sender, posting
submitted assessments to the configured LRS (see `trellis.connect.xapi.outbox`).

`trellis xapi import --program SLUG --mapping FILE [--dry-run]`: read the statements the
LRS stored since the program's last import and add them as evidence (see
`trellis.connect.xapi.importer`)."""

from __future__ import annotations

import time
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError

from trellis.assessments.importer import MappingError
from trellis.connect.xapi.importer import xapi_import, xapi_mapping_load
from trellis.connect.xapi.lrs import Lrs, LrsError
from trellis.connect.xapi.outbox import xapi_send_pass
from trellis.lib.commands import TrellisCommand, exit_if_refused, refuse
from trellis.people.models import Program


class Command(TrellisCommand):
    help = "Send assessments to the learning record store, or import statements from it."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        send = sub.add_parser("send", help="post submitted assessments to the LRS")
        send.add_argument("--once", action="store_true", help="run one pass and exit")
        send.add_argument("--batch", type=int, default=100, help="most statements per pass")
        send.add_argument("--interval", type=float, default=60.0, help="seconds between passes")
        imp = sub.add_parser("import", help="add the LRS's new statements as evidence")
        imp.add_argument("--program", required=True, help="the program's slug")
        imp.add_argument("--mapping", required=True, help="the mapping file (.toml or .json)")
        imp.add_argument("--dry-run", action="store_true", help="check only; write nothing")

    def handle(self, *args: Any, **options: Any) -> None:
        if Lrs.configured() is None:
            raise CommandError("No LRS is configured: set XAPI_LRS_ENDPOINT (docs/operators.md)")
        if options["action"] == "send":
            self._send(options)
        else:
            self._import(options)

    def _send(self, options: dict[str, Any]) -> None:
        while True:
            r = xapi_send_pass(batch=options["batch"])
            line = f"{r.queued} queued, {r.sent} sent, {r.pending} waiting"
            if r.failed:
                line += f"; {r.failed} not sent, tried again later: {r.error}"
            if r.refused:
                line += f"; {r.refused} refused by the LRS, not tried again: {r.error}"
            self.stdout.write(line)
            if options["once"]:
                return
            time.sleep(options["interval"])

    def _import(self, options: dict[str, Any]) -> None:
        program = Program.objects.filter(slug=options["program"]).first()
        if program is None:
            raise CommandError(f"No program with slug '{options['program']}'")
        path = Path(options["mapping"])
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        try:
            mapping = xapi_mapping_load(filename=path.name, content=path.read_bytes())
        except MappingError as exc:
            refuse(self, [f"{path.name}: {m}" for m in exc.problems], "The mapping has problems")
        try:
            out = xapi_import(
                program=program, mapping=mapping, acting_user=None, dry_run=options["dry_run"]
            )
        except LrsError as exc:
            raise CommandError(str(exc)) from exc
        assert out.result is not None
        exit_if_refused(self, out.result)
        self.stdout.write(f"{program.slug}: {out.read} statement(s) read; {out.result.summary()}")
        if out.outside:
            self.stdout.write(f"  {out.outside} about people who are not learners here: left")
        for line in out.result.lines():
            self.stdout.write(line)
        if out.result.dry_run:
            self.stdout.write("Dry run: nothing was written, the cursor stays.")
