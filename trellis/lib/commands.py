"""Small pieces the management commands share: a date argument, and how a command refuses
a file (every problem on stderr, then a non-zero exit)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import NoReturn

from django.core.management.base import BaseCommand, CommandError

from trellis.lib.importing import ImportResult


def iso_date(text: str) -> dt.date:
    """An argparse `type` for a date written YYYY-MM-DD."""
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise CommandError(f"'{text}' is not a date (YYYY-MM-DD)") from exc


def refuse(command: BaseCommand, problems: Iterable[object], message: str) -> NoReturn:
    """Print each problem on a line of its own to stderr, then stop with `message`."""
    for problem in problems:
        command.stderr.write(str(problem))
    raise CommandError(message)


def exit_if_refused(command: BaseCommand, result: ImportResult) -> None:
    """Refuse (see `refuse`) an import that found problems; otherwise do nothing."""
    if not result.ok:
        refuse(command, result.problems, f"{result.refusal()}; nothing was written")
