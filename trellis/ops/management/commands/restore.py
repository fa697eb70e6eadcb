"""`trellis restore FILE --yes`: replace the whole database with a backup."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.db import DEFAULT_DB_ALIAS, connections

from trellis.lib.backup import BackupError, database_restore
from trellis.lib.commands import TrellisCommand


class Command(TrellisCommand):
    help = "Replace everything in the database with the backup in FILE (stop the server first)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--yes", action="store_true", help="Really replace the database's contents."
        )
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["yes"]:
            raise CommandError(
                "restore replaces every row in the database with the backup's; "
                "run it again with --yes to go ahead"
            )
        connection = connections[options["database"]]
        connection.close()
        try:
            database_restore(database=connection.settings_dict, source=options["file"])
        except BackupError as error:
            raise CommandError(f"Nothing restored: {error}") from error
        self.stdout.write(f"Restored the database from {options['file']}.")
