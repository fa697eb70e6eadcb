"""`trellis remind [--once] [--batch N] [--interval SECONDS]`: the reminder worker.

Each pass expires requests 30 days overdue and e-mails every assessor one digest of the
requests due a reminder. Without --once it polls for ever; several may run at once (see
`trellis.assessments.requests.reminders`).
"""

from __future__ import annotations

import time
from argparse import ArgumentParser
from typing import Any

from trellis.assessments.requests.reminders import reminders_pass
from trellis.lib.commands import TrellisCommand


class Command(TrellisCommand):
    help = "Send due reminders for assessment requests and expire long-overdue ones."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--once", action="store_true", help="run one pass and exit")
        parser.add_argument("--batch", type=int, default=500, help="most requests per pass")
        parser.add_argument("--interval", type=float, default=60.0, help="seconds between passes")

    def handle(self, *args: Any, **options: Any) -> None:
        while True:
            result = reminders_pass(batch=options["batch"])
            self.stdout.write(
                f"{result.emails} e-mail(s) for {result.reminded} request(s); "
                f"{result.expired} expired"
                + (
                    f"; {result.failed} not sent (mail server), retried next pass"
                    if result.failed
                    else ""
                )
            )
            if options["once"]:
                return
            time.sleep(options["interval"])
