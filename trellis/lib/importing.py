"""The frame every Trellis import shares: a file read as numbered rows, the problems found
in it, and the all-or-nothing result.

An import reads the whole file first and lists every problem by line and column; only a
file without problems is written (DESIGN.md, "Imports are all-or-nothing"). Rows are read
as they are used, so a file past an importer's row limit is refused at the first row too
many, without reading the rest.

This module knows no domain: it reads CSV and Excel; what the columns mean is the
importer's.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
import json
import re
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

# The limits every importer shares (docs/formats.md, "Limits"). A row limit is each
# importer's own, DEFAULT_MAX_ROWS where it names none.
DEFAULT_MAX_ROWS = 20_000
MAX_COLUMNS = 200  # no Trellis layout has a tenth of that; a wider sheet is not ours
MAX_CELL = 32_767  # Excel's own limit on the characters in a cell
MAX_JSON_DEPTH = 64  # the deepest Trellis reads is a CASE rubric, five levels down
# What a workbook may unpack to: its declared sizes, which zipfile holds it to.
MAX_UNPACKED_BYTES = 64 * 1024 * 1024

# What openpyxl raises for bytes that are not a workbook (a bad zip, missing parts, bad XML).
_WORKBOOK_ERRORS = (zipfile.BadZipFile, KeyError, IndexError, OSError, ValueError, SyntaxError)


class UnreadableFile(Exception):
    """The file cannot be taken in at all: not UTF-8 text, not CSV, not a workbook, or
    longer than the importer takes at once.

    `str()` is a sentence for a person ("The file is not UTF-8 text (byte 24); save it as
    CSV UTF-8"); `reason` is the same without "The file is" and the advice, and `line` is
    the file line where reading stopped, when known.
    """

    def __init__(self, reason: str, *, line: int | None = None, advice: str = "") -> None:
        super().__init__(f"The file is {reason}" + (f"; {advice}" if advice else ""))
        self.reason = reason
        self.line = line


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an imported file, or with the whole of it.

    `line` is where: a row as a spreadsheet counts them (the header is row 1), a record's
    place in a JSON list, or a file line; None for the file as a whole. `column` is the
    column or field at fault, "" for the whole row. `word` is what `line` counts, as the
    importer's users say it: "row", "record" or "line".
    """

    line: int | None
    column: str
    message: str
    word: str = "row"

    @property
    def row(self) -> int | None:
        """`line`, by the name the row-by-row importers (and their templates) use."""
        return self.line

    def place(self) -> str:
        """Where, as the message's prefix: "row 3, date", "row 1", "date", or ""."""
        where = [f"{self.word} {self.line}"] if self.line is not None else []
        if self.column:
            where.append(self.column)
        return ", ".join(where)

    def __str__(self) -> str:
        place = self.place()
        return f"{place}: {self.message}" if place else self.message


@dataclass
class ImportResult:
    """What an import did, or (`dry_run`) would do. With any problem it did nothing: each
    importer's result adds its own counts, which then stay zero."""

    problems: list[Problem] = field(default_factory=list)
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.problems

    def refusal(self) -> str:
        return f"Nothing imported: {len(self.problems)} problem(s) found"


@dataclass(frozen=True)
class Row:
    """One data row. `number` counts rows as a spreadsheet does (the header is row 1);
    `line` is the file line the row starts on, which is further down when a quoted CSV
    cell spans lines. `cells` are the trimmed texts in column order, `values` the same by
    column name (blank for a cell the row leaves out)."""

    number: int
    line: int
    cells: tuple[str, ...]
    values: dict[str, str]

    def get(self, column: str) -> str:
        return self.values.get(column, "")


class Table:
    """A file's header row (trimmed names) and its data rows, read as they are iterated.

    Rows with nothing in them are passed over, but they count toward `max_rows` (as
    the spreadsheet numbers them), so a sheet of empty rows is refused as soon as one
    that is too long. Iterating raises UnreadableFile when the file breaks off, or at
    the first row past `max_rows`.
    """

    def __init__(
        self,
        header: list[str],
        rows: Iterator[tuple[int, int, list[str]]],
        *,
        max_rows: int,
    ) -> None:
        self.header = header
        self._rows = rows
        self._max_rows = max_rows

    def header_problems(self, *, required: Sequence[str], known: Sequence[str]) -> list[Problem]:
        """What is wrong with the header row: empty, a `required` column missing, or a
        column that is not among the `known` ones, each on row 1."""
        if not any(self.header):
            return [Problem(None, "", "The file is empty; the first row must name the columns")]
        problems = [
            Problem(1, name, f"missing column '{name}'")
            for name in required
            if name not in self.header
        ]
        return problems + [
            Problem(1, name, f"unknown column '{name}' (expected {', '.join(known)})")
            for name in self.header
            if name and name not in known
        ]

    def __iter__(self) -> Iterator[Row]:
        for number, line, raw in self._rows:
            if number > self._max_rows + 1:  # the header is row 1
                raise UnreadableFile(
                    f"longer than {self._max_rows} rows", line=line, advice="split it"
                )
            cells = tuple(raw)
            if not any(cells):
                continue
            padded = cells + ("",) * (len(self.header) - len(cells))
            named = zip(self.header, padded, strict=False)  # cells past the header have no name
            values = {name: value for name, value in named if name}
            yield Row(number=number, line=line, cells=cells, values=values)


def decode_text(data: bytes, *, advice: str = "save it as UTF-8 text") -> str:
    """The bytes as text: UTF-8, with or without the byte-order mark Excel writes. A NUL
    character is refused: no text field holds one, and PostgreSQL refuses to store it."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise UnreadableFile(
            f"not UTF-8 text (byte {exc.start + 1})", line=line, advice=advice
        ) from exc
    nul = text.find("\x00")
    if nul >= 0:
        raise UnreadableFile(
            f"not plain text: it holds a NUL character (character {nul + 1})",
            line=text.count("\n", 0, nul) + 1,
            advice=advice,
        )
    return text


# A JSON string, so that brackets inside one are not counted as nesting.
_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")


def json_depth(text: str) -> int:
    """How deeply the JSON text nests its arrays and objects, counted without parsing
    (so without recursion): brackets outside strings, opening minus closing."""
    brackets = _NOT_BRACKET.sub("", _JSON_STRING.sub("", text))
    steps = (1 if b in "[{" else -1 for b in brackets)
    return max(itertools.accumulate(steps, initial=0))


def read_json(data: bytes, *, max_depth: int = MAX_JSON_DEPTH) -> Any:
    """The bytes as a JSON value. Refused (UnreadableFile): text that is not UTF-8 or
    holds a NUL (also written as \\u0000), nesting deeper than `max_depth`, and bad JSON,
    named by line and column."""
    text = decode_text(data)
    depth = json_depth(text)
    if depth > max_depth:
        raise UnreadableFile(f"nested {depth} levels deep, deeper than {max_depth}")
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise UnreadableFile(
            f"not valid JSON: {exc.msg} (column {exc.colno})", line=exc.lineno
        ) from exc
    except RecursionError as exc:  # json_depth is exact; this is a second guard
        raise UnreadableFile(f"nested deeper than {max_depth}") from exc
    if _holds_nul(value):
        raise UnreadableFile("not plain text: it holds a NUL character (\\u0000)")
    return value


def _holds_nul(value: Any) -> bool:
    stack = [value]  # no recursion, although the depth is bounded already
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if "\x00" in item:
                return True
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


def cell_problem(text: str) -> str:
    """What is wrong with one cell's text, or "": longer than a spreadsheet cell holds."""
    if len(text) > MAX_CELL:
        return f"a cell longer than {MAX_CELL} characters ({len(text)})"
    return ""


def read_table(
    *,
    data: bytes,
    filename: str = "",
    max_rows: int = DEFAULT_MAX_ROWS,
    excel: bool = False,
    casefold: bool = False,
) -> Table:
    """The file as a table: CSV (UTF-8), or, when `excel` allows it and the name ends .xlsx
    (or the bytes are a zip), the first sheet of an Excel workbook. The header is the first
    row; `casefold` makes its names compare without case. Raises UnreadableFile, also for
    a row wider than MAX_COLUMNS or a cell longer than MAX_CELL."""
    if excel and (filename.lower().endswith(".xlsx") or data[:2] == b"PK"):
        rows = _xlsx_rows(data)
    else:
        advice = "save it as CSV UTF-8" + (" or as .xlsx" if excel else "")
        rows = _csv_rows(decode_text(data, advice=advice))
    first = next(rows, None)
    header = [name.casefold() if casefold else name for name in first[2]] if first else []
    return Table(header, rows, max_rows=max_rows)


def _checked(record: list[str], line: int) -> list[str]:
    """The row's cells, trimmed; too wide a row or too long a cell is refused."""
    if len(record) > MAX_COLUMNS and any(record[MAX_COLUMNS:]):
        raise UnreadableFile(f"wider than {MAX_COLUMNS} columns", line=line)
    cells = [cell.strip() for cell in record[:MAX_COLUMNS]]
    for column, cell in enumerate(cells, start=1):
        problem = cell_problem(cell)
        if problem:
            raise UnreadableFile(f"not importable: {problem} in column {column}", line=line)
    return cells


def _csv_rows(text: str) -> Iterator[tuple[int, int, list[str]]]:
    # strict: a quote left open at the end of the file is an error, not a last cell
    # that swallows the rest of the file.
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    end = 0  # the last line of the previous row
    number = 0
    while True:
        try:
            record = next(reader, None)
        except csv.Error as exc:
            if "field larger than field limit" in str(exc):
                reason = f"not importable: a cell longer than {MAX_CELL} characters"
            else:
                reason = f"not valid CSV: {exc}"
            raise UnreadableFile(reason, line=end + 1) from exc
        if record is None:
            return
        number += 1
        yield number, end + 1, _checked(record, end + 1)
        end = reader.line_num


def _xlsx_rows(data: bytes) -> Iterator[tuple[int, int, list[str]]]:
    from openpyxl import load_workbook  # slow to import; only Excel files need it

    unreadable = "not a readable Excel workbook (.xlsx)"
    try:
        unpacked = sum(info.file_size for info in zipfile.ZipFile(io.BytesIO(data)).infolist())
    except _WORKBOOK_ERRORS as exc:
        raise UnreadableFile(unreadable) from exc
    if unpacked > MAX_UNPACKED_BYTES:
        raise UnreadableFile(
            f"a workbook that unpacks to more than {MAX_UNPACKED_BYTES // 2**20} MB",
            advice="save it as CSV UTF-8, or split it",
        )
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        sheet = book.worksheets[0]
    except _WORKBOOK_ERRORS as exc:
        raise UnreadableFile(unreadable) from exc
    number = 0
    try:
        # The sheet's declared size (<dimension ref="A1:XFD1048576"/>) is the file's word,
        # and openpyxl would pad every row, and the rows after the last, to it: forget it,
        # so that a row is as wide as its last cell and the sheet ends at its last row.
        # Missing rows still come back empty, so the count is the sheet's row number,
        # and Table stops at the limit however many of them are empty.
        sheet.reset_dimensions()
        for values in sheet.iter_rows(values_only=True):
            number += 1
            yield number, number, _checked([cell_text(v) for v in values], number)
    except _WORKBOOK_ERRORS as exc:
        raise UnreadableFile(unreadable, line=number + 1) from exc
    finally:
        book.close()


def cell_text(value: object) -> str:
    """A spreadsheet cell as the text a CSV file would hold: a date (or a date-time, which
    is how spreadsheets keep dates) as YYYY-MM-DD, a whole number without ".0"."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()
