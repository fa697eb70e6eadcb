"""Safe output: spreadsheet cells that a spreadsheet would run as a formula.

A CSV or xlsx cell whose text begins with = + - @, a tab or a carriage return is
read by Excel, LibreOffice and Google Sheets as a formula (CSV/formula injection:
a learner named ``=cmd|' /C calc'!A0``). Every export passes its cells through
``safe_cell``: such text gets a leading single quote, which spreadsheets show as
text. Numbers stay numbers, and text that is a plain number (``-1``, ``+2.5``) is
left alone, so levels and scores keep their meaning.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # openpyxl costs a third of a second to import; CSV users never need it
    from openpyxl import Workbook

DANGEROUS_FIRST = ("=", "+", "-", "@", "\t", "\r")


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def safe_cell(value: Any) -> Any:
    """The value, neutralised if it is text a spreadsheet would run as a formula."""
    if isinstance(value, str) and value.startswith(DANGEROUS_FIRST) and not _is_number(value):
        return "'" + value
    return value


def safe_row(row: Iterable[Any]) -> list[Any]:
    return [safe_cell(value) for value in row]


class SafeCsvWriter:
    """``csv.writer`` whose every cell goes through ``safe_cell``."""

    def __init__(self, out: Any, **kwargs: Any) -> None:
        self._writer = csv.writer(out, **kwargs)

    def writerow(self, row: Iterable[Any]) -> None:
        self._writer.writerow(safe_row(row))

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def safe_workbook(wb: Workbook) -> Workbook:
    """Neutralise every text cell of every sheet (call before saving)."""
    for sheet in wb.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                safe = safe_cell(cell.value)
                if safe is not cell.value:
                    cell.value = safe
    return wb
