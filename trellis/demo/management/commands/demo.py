"""`trellis demo`: a working Trellis with a synthetic institution, in one command.

Migrates the database (DATABASE_URL, else SQLite under ./var/), installs the catalogue,
creates Riverside University Health unless it is already there, prints a log-in for every
role and starts the development server.

The demo makes accounts that share a published password, an institution admin among them,
so with DEBUG off it refuses unless told `--i-know-this-is-not-production`. `--reset`
removes the demo's own rows only (`trellis.demo.removal`), never another institution's.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError, CommandParser

from trellis.frameworks.catalogue import catalogue_install
from trellis.lib.commands import TrellisCommand

NOT_PRODUCTION_FLAG = "--i-know-this-is-not-production"


class Command(TrellisCommand):
    help = "Set up the demo institution and run Trellis on http://127.0.0.1:8000/."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--no-serve",
            action="store_true",
            help="Set up the database and print the log-ins, but do not start the server.",
        )
        parser.add_argument(
            "--reset",
            action="store_true",
            help="Remove the demo institution and its people first (nothing else), then "
            "start afresh.",
        )
        parser.add_argument(
            NOT_PRODUCTION_FLAG,
            action="store_true",
            dest="not_production",
            help="Run with DEBUG off: the demo's accounts share a published password.",
        )
        parser.add_argument(
            "--port", type=int, default=8000, help="Port for the server (default 8000)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        # The generator (numpy, the synthetic history) is imported when the demo is built,
        # not when `trellis` starts another command.
        from trellis.demo.generator import DEMO_INSTITUTION_NAME, demo_institution, generate_demo
        from trellis.demo.removal import DemoRemovalRefused, demo_remove

        port: int = options["port"]
        if not 0 < port < 65536:
            raise CommandError(f"Not a port number: {port}")
        if not settings.DEBUG and not options["not_production"]:
            raise CommandError(
                "DEBUG is off: this looks like a production install, and the demo would add "
                f"{DEMO_INSTITUTION_NAME} with accounts (an institution admin among them) "
                "that share a published password. Run it with DEBUG=1, or add "
                f"{NOT_PRODUCTION_FLAG} if this database is not production."
            )
        quiet = max(options["verbosity"] - 1, 0)
        call_command("migrate", interactive=False, verbosity=quiet)
        if options["reset"]:
            try:
                removed = demo_remove()
            except DemoRemovalRefused as error:
                raise CommandError(str(error)) from error
            if removed:
                self.stdout.write(
                    f"Removed {DEMO_INSTITUTION_NAME} ({sum(removed.values())} rows)."
                )
        catalogue_install()
        if demo_institution() is None:
            demo = generate_demo()
            count = len(demo.people.everyone())
            self.stdout.write(f"Created {DEMO_INSTITUTION_NAME} with {count} people.")
        else:
            self.stdout.write(
                f"{DEMO_INSTITUTION_NAME} is already here; reusing it (--reset starts afresh)."
            )
        # Imported here: pandas, DuckDB and pyarrow are for the demo's build, not every start.
        from trellis.committees.analytics import history_path
        from trellis.demo.analytics import write_consortium_history

        if history_path() is None and settings.TRELLIS_ANALYTICS_HISTORY:
            path, rows = write_consortium_history()
            self.stdout.write(f"Wrote the demo consortium's history ({rows} ratings) to {path}.")
        self._print_logins()
        if not options["no_serve"]:
            self.stdout.write(
                f"\nOpen http://127.0.0.1:{port}/ and sign in. Ctrl-C stops the server."
            )
            call_command("runserver", f"127.0.0.1:{port}", use_reloader=False)

    def _print_logins(self) -> None:
        from trellis.demo.generator import DEMO_LOGINS, DEMO_PASSWORD

        rows = [(login.label, login.email, DEMO_PASSWORD, login.where) for login in DEMO_LOGINS]
        header = ("ROLE", "E-MAIL", "PASSWORD", "WHERE")
        widths = [max(len(row[i]) for row in [header, *rows]) for i in range(3)]
        self.stdout.write("\nDemo log-ins (every person shares the password):")
        for row in [header, *rows]:
            cells = [row[i].ljust(widths[i]) for i in range(3)]
            self.stdout.write("  " + "  ".join([*cells, row[3]]))
