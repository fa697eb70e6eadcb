"""`trellis serve`: the production server (gunicorn, several worker processes).

The bind address and the number of workers come from the options or from
TRELLIS_BIND and TRELLIS_WORKERS; the demo keeps Django's development server.
"""

from __future__ import annotations

import os
from typing import Any

from django.core.management.base import CommandError, CommandParser

from trellis.lib.commands import TrellisCommand

DEFAULT_BIND = "127.0.0.1:8000"
MAX_DEFAULT_WORKERS = 9


def default_workers() -> int:
    """Gunicorn's rule of thumb (2 x cores + 1), capped: each worker holds its own
    memory and database connection."""
    return min(2 * (os.cpu_count() or 1) + 1, MAX_DEFAULT_WORKERS)


def _workers(value: str | int | None) -> int:
    if value is None or value == "":
        return default_workers()
    try:
        workers = int(value)
    except ValueError:
        raise CommandError(f"the number of workers must be a whole number, not {value!r}") from None
    if workers < 1:
        raise CommandError("the number of workers must be at least 1")
    return workers


class Command(TrellisCommand):
    help = "Run Trellis under gunicorn, the production WSGI server (put HTTPS in front of it)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--bind",
            default=os.environ.get("TRELLIS_BIND") or DEFAULT_BIND,
            help=f"ADDRESS:PORT to listen on (TRELLIS_BIND; default {DEFAULT_BIND})",
        )
        parser.add_argument(
            "--workers",
            default=os.environ.get("TRELLIS_WORKERS"),
            help=f"worker processes (TRELLIS_WORKERS; default {default_workers()} here)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from trellis.ops.server import TrellisServer

        TrellisServer(bind=options["bind"], workers=_workers(options["workers"])).run()
