"""`trellis backup FILE`: a consistent copy of the whole database, safe while it runs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.db import DEFAULT_DB_ALIAS, connections

from trellis.lib.backup import BackupError, database_backup
from trellis.lib.commands import TrellisCommand


class Command(TrellisCommand):
    help = "Back up the database to FILE (SQLite: a database file; PostgreSQL: pg_dump custom)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)

    def handle(self, *args: Any, **options: Any) -> None:
        database = connections[options["database"]].settings_dict
        try:
            path = database_backup(database=database, target=options["file"])
        except BackupError as error:
            raise CommandError(f"No backup written: {error}") from error
        self.stdout.write(f"Backed up to {path} ({path.stat().st_size} bytes).")
