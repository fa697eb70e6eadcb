"""Small pieces the management commands share: the base class, a date argument, and how a
command refuses a file (every problem on stderr, then a non-zero exit)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import NoReturn

from django.core.management.base import BaseCommand, CommandError

from trellis.lib.importing import ImportResult


class TrellisCommand(BaseCommand):
    """A `trellis` command. It runs without Django's system checks: those import the URL
    configuration, and so every view and the libraries behind them (statsmodels,
    matplotlib, pandas: seconds of start for a command that lists programs). The checks
    still run where they belong: `trellis check`, `check --deploy` in CI, `runserver`.
    Heavy libraries are imported inside the functions that use them."""

    requires_system_checks: list[str] = []


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
