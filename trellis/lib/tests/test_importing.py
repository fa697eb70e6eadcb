"""The shared import frame: files read as numbered rows, the problems' wording, the
all-or-nothing result and how a command refuses a file."""

from __future__ import annotations

import csv
import datetime as dt
import io
import time
import tracemalloc
import zipfile
from io import StringIO

import pytest
from django.core.management.base import BaseCommand, CommandError
from openpyxl import Workbook

from trellis.lib.commands import exit_if_refused, iso_date
from trellis.lib.importing import (
    MAX_CELL,
    MAX_COLUMNS,
    MAX_UNPACKED_BYTES,
    ImportResult,
    Problem,
    Row,
    UnreadableFile,
    cell_text,
    decode_text,
    read_json,
    read_table,
)


def rows_of(data: bytes, **options: object) -> list[Row]:
    return list(read_table(data=data, **options))  # type: ignore[arg-type]


def workbook(*rows: tuple[object, ...]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_it_reads_csv_with_the_byte_order_mark_excel_writes() -> None:
    table = read_table(data="\ufeffemail , Score\nlena@example.edu, 7 \n".encode())

    assert table.header == ["email", "Score"]
    [row] = list(table)
    assert row.values == {"email": "lena@example.edu", "Score": "7"}
    assert row.cells == ("lena@example.edu", "7")
    assert (row.number, row.line) == (2, 2)


def test_it_folds_the_case_of_the_header_when_asked() -> None:
    table = read_table(data=b"Learner_Email,EXAM\n", casefold=True)

    assert table.header == ["learner_email", "exam"]


def test_it_refuses_text_that_is_not_utf8_naming_the_byte_and_line() -> None:
    with pytest.raises(UnreadableFile) as refused:
        read_table(data="name\nCaf\u00e9\n".encode("latin-1"))

    assert str(refused.value) == "The file is not UTF-8 text (byte 9); save it as CSV UTF-8"
    assert (refused.value.reason, refused.value.line) == ("not UTF-8 text (byte 9)", 2)


def test_it_suggests_excel_where_excel_is_read() -> None:
    with pytest.raises(UnreadableFile, match="save it as CSV UTF-8 or as .xlsx$"):
        read_table(data=b"\xff\xfe\x00bad", excel=True)


def test_decode_text_takes_the_advice_it_is_given() -> None:
    assert decode_text("\ufeff[1]".encode()) == "[1]"
    with pytest.raises(UnreadableFile, match=r"^The file is not UTF-8 text \(byte 1\)$"):
        decode_text(b"\xff", advice="")


def test_rows_are_numbered_as_a_spreadsheet_and_as_file_lines() -> None:
    data = b'code,name\nA,"Two\nlines"\n\n,\nB,Bee\n'

    rows = rows_of(data)

    # The blank line and the row of empty cells are passed over but keep their numbers.
    assert [(r.number, r.line, r.get("code")) for r in rows] == [(2, 2, "A"), (5, 6, "B")]
    assert rows[0].get("name") == "Two\nlines"


def test_a_short_row_reads_blank_and_a_long_one_keeps_its_extra_cells() -> None:
    short, long = rows_of(b"a,b,c\n1\n1,2,3,4\n")

    assert short.values == {"a": "1", "b": "", "c": ""}
    assert long.values == {"a": "1", "b": "2", "c": "3"}
    assert long.cells == ("1", "2", "3", "4")


def test_an_empty_file_has_no_header_and_no_rows() -> None:
    table = read_table(data=b"")

    assert table.header == []
    assert list(table) == []


def test_broken_csv_is_refused_at_its_line() -> None:
    data = b'name\nok\n"a"b\n'
    read: list[str] = []

    with pytest.raises(UnreadableFile) as refused:
        read.extend(row.get("name") for row in read_table(data=data))

    assert read == ["ok"]
    assert refused.value.line == 3
    assert str(refused.value).startswith("The file is not valid CSV: ")


def test_a_quote_left_open_at_the_end_is_refused_not_read_as_a_last_cell() -> None:
    data = b'kind,name\ncompetency,Patient care\ncompetency,"Medical\nknowledge,x\n'

    with pytest.raises(UnreadableFile) as refused:
        rows_of(data)

    assert refused.value.line == 3
    assert "unexpected end of data" in str(refused.value)


def test_a_cell_past_the_csv_module_limit_is_refused_as_too_long() -> None:
    huge = "x" * (csv.field_size_limit() + 1)

    with pytest.raises(UnreadableFile) as refused:
        rows_of(f"name\nok\n{huge}\n".encode())

    assert refused.value.line == 3
    assert str(refused.value) == (
        f"The file is not importable: a cell longer than {MAX_CELL} characters"
    )


def test_a_cell_longer_than_excel_holds_is_refused_naming_its_column() -> None:
    with pytest.raises(UnreadableFile) as refused:
        rows_of(f"a,b\n1,{'x' * (MAX_CELL + 1)}\n".encode())

    assert refused.value.line == 2
    assert str(refused.value) == (
        f"The file is not importable: a cell longer than {MAX_CELL} characters "
        f"({MAX_CELL + 1}) in column 2"
    )
    assert [r.get("b") for r in rows_of(f"a,b\n1,{'x' * MAX_CELL}\n".encode())] == ["x" * MAX_CELL]


def test_a_row_wider_than_the_column_limit_is_refused() -> None:
    wide = ",".join(["v"] * (MAX_COLUMNS + 1))

    with pytest.raises(UnreadableFile, match=f"wider than {MAX_COLUMNS} columns"):
        rows_of(f"a\n{wide}\n".encode())
    # Empty cells past the limit (a spreadsheet's trailing commas) are no value.
    assert len(rows_of(f"a\nv{',' * (MAX_COLUMNS + 50)}\n".encode())[0].cells) == MAX_COLUMNS


def test_text_with_a_nul_character_is_refused_naming_its_line() -> None:
    with pytest.raises(UnreadableFile) as refused:
        rows_of(b"name\nok\nbad\x00name\n")

    assert refused.value.line == 3
    assert "NUL character" in str(refused.value)


def test_it_stops_at_the_row_limit_without_reading_on() -> None:
    # The row after the limit is unreadable: stopping there never reaches it. An empty
    # row counts, as a spreadsheet numbers it, though it is passed over.
    data = b'name\na\n\nb\nc\n"open\n'
    read: list[str] = []

    with pytest.raises(UnreadableFile) as refused:
        read.extend(row.get("name") for row in read_table(data=data, max_rows=3))

    assert read == ["a", "b"]
    assert refused.value.line == 5
    assert str(refused.value) == "The file is longer than 3 rows; split it"


def test_a_file_at_the_limit_is_read_whole() -> None:
    assert [r.get("n") for r in rows_of(b"n\n1\n2\n", max_rows=2)] == ["1", "2"]


def test_it_reads_the_first_sheet_of_a_workbook_with_numbers_and_dates_as_text() -> None:
    data = workbook(
        ("email", "start", "score", "ratio", "when"),
        ("lena@example.edu", dt.date(2026, 7, 1), 3.0, 2.5, dt.datetime(2026, 7, 2, 0, 0)),
        (None, None, None, None, None),
        (" luis@example.edu ", "2026-08-01", 12, None, None),
    )

    table = read_table(data=data, filename="schedule.xlsx", excel=True)

    assert table.header == ["email", "start", "score", "ratio", "when"]
    first, second = list(table)
    assert first.values == {
        "email": "lena@example.edu",
        "start": "2026-07-01",
        "score": "3",
        "ratio": "2.5",
        "when": "2026-07-02",
    }
    assert (first.number, first.line) == (2, 2)
    assert (second.number, second.get("email")) == (4, "luis@example.edu")
    assert second.get("score") == "12"


def test_it_knows_a_workbook_by_its_bytes_and_refuses_a_broken_one() -> None:
    table = read_table(data=workbook(("a",), (1,)), filename="upload", excel=True)
    assert [r.get("a") for r in table] == ["1"]

    with pytest.raises(UnreadableFile) as refused:
        read_table(data=b"PK\x03\x04 not really", filename="s.xlsx", excel=True)
    assert str(refused.value) == "The file is not a readable Excel workbook (.xlsx)"


def test_the_row_limit_holds_for_workbooks_too() -> None:
    data = workbook(("n",), *((i,) for i in range(5)))

    with pytest.raises(UnreadableFile, match="longer than 3 rows"):
        rows_of(data, filename="n.xlsx", excel=True, max_rows=3)


def test_cell_text() -> None:
    assert cell_text(None) == ""
    assert cell_text(dt.datetime(2026, 1, 2, 15, 30)) == "2026-01-02"
    assert cell_text(7.0) == "7"
    assert cell_text(0.25) == "0.25"
    assert cell_text("  padded ") == "padded"


def test_a_problem_says_where_then_what() -> None:
    assert str(Problem(3, "date", "not a date")) == "row 3, date: not a date"
    assert str(Problem(1, "", "missing column(s): exam")) == "row 1: missing column(s): exam"
    assert str(Problem(None, "form", "No form 'x'")) == "form: No form 'x'"
    assert str(Problem(None, "", "The file is empty")) == "The file is empty"
    assert str(Problem(12, "date", "bad", "record")) == "record 12, date: bad"
    assert Problem(3, "date", "x").row == 3


def test_a_result_is_ok_only_without_problems() -> None:
    result = ImportResult(dry_run=True)
    assert result.ok

    result.problems.append(Problem(2, "a", "b"))
    assert not result.ok
    assert result.refusal() == "Nothing imported: 1 problem(s) found"


def test_a_command_prints_every_problem_and_exits_non_zero() -> None:
    err = StringIO()
    command = BaseCommand(stderr=err)
    result = ImportResult(problems=[Problem(2, "date", "bad"), Problem(None, "", "worse")])

    with pytest.raises(CommandError, match="^Nothing imported: 2 problem"):
        exit_if_refused(command, result)

    assert err.getvalue().splitlines() == ["row 2, date: bad", "worse"]
    exit_if_refused(command, ImportResult())  # nothing to refuse


def test_iso_date() -> None:
    assert iso_date("2026-07-01") == dt.date(2026, 7, 1)
    with pytest.raises(CommandError, match="'1/7/2026' is not a date"):
        iso_date("1/7/2026")


# Hostile workbooks, zipped by hand: a few kilobytes that declare a sheet of 16,384
# columns by 1,048,576 rows. Each must be refused in well under a second, in a few MB.

_SHEET_PARTS = {
    "[Content_Types].xml": (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" '
        'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        "</Types>"
    ),
    "_rels/.rels": (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/'
        '2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
    ),
    "xl/workbook.xml": (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
    ),
    "xl/_rels/workbook.xml.rels": (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/'
        '2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
    ),
}


def hostile_workbook(rows: str, dimension: str = "A1:XFD1048576") -> bytes:
    sheet = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f'<dimension ref="{dimension}"/><sheetData>{rows}</sheetData></worksheet>'
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in _SHEET_PARTS.items():
            archive.writestr(name, text)
        archive.writestr("xl/worksheets/sheet1.xml", sheet)
    return out.getvalue()


def inline(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def refused_quickly(data: bytes, **options: object) -> UnreadableFile:
    tracemalloc.start()
    started = time.monotonic()
    try:
        with pytest.raises(UnreadableFile) as refused:
            rows_of(data, filename="s.xlsx", excel=True, **options)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert time.monotonic() - started < 2
    assert peak < 20 * 2**20
    return refused.value


def test_a_workbook_declaring_the_whole_grid_with_one_far_cell_is_refused_quickly() -> None:
    data = hostile_workbook(
        f'<row r="1">{inline("A1", "name")}</row><row r="1048576">{inline("XFD1048576", "x")}</row>'
    )
    assert len(data) < 5000

    refused = refused_quickly(data)

    assert str(refused) == "The file is longer than 20000 rows; split it"
    assert refused.line == 20002


def test_a_workbook_with_a_value_past_the_column_limit_is_refused() -> None:
    data = hostile_workbook(
        f'<row r="1">{inline("A1", "name")}</row><row r="2">{inline("XFD2", "x")}</row>'
    )

    refused = refused_quickly(data)

    assert str(refused) == f"The file is wider than {MAX_COLUMNS} columns"
    assert refused.line == 2


def test_the_declared_dimension_does_not_widen_the_rows_read() -> None:
    data = hostile_workbook(
        f'<row r="1">{inline("A1", "name")}</row><row r="2">{inline("A2", "Lena")}</row>'
    )

    [row] = rows_of(data, filename="s.xlsx", excel=True)

    assert row.cells == ("Lena",)


def test_a_workbook_cell_longer_than_excel_holds_is_refused() -> None:
    data = hostile_workbook(
        f'<row r="1">{inline("A1", "name")}</row>'
        f'<row r="2">{inline("A2", "x" * (MAX_CELL + 1))}</row>'
    )

    refused = refused_quickly(data)

    assert "a cell longer than 32767 characters" in str(refused)


def test_a_workbook_that_unpacks_to_too_much_is_refused_before_it_is_read() -> None:
    filler = "<row/>" * (MAX_UNPACKED_BYTES // 6 + 1)
    data = hostile_workbook(f'<row r="1">{inline("A1", "name")}</row>{filler}')

    refused = refused_quickly(data)

    assert "unpacks to more than 64 MB" in str(refused)


def test_read_json_refuses_deep_nesting_without_recursing() -> None:
    started = time.monotonic()
    with pytest.raises(UnreadableFile) as refused:
        read_json(b"[" * 100_000 + b"]" * 100_000)

    assert time.monotonic() - started < 2
    assert str(refused.value) == "The file is nested 100000 levels deep, deeper than 64"
    # Brackets inside strings are text, not nesting.
    assert read_json(b'{"a": "[[[[[[[[[[[[[[[[[[[[[\\"[[["}', max_depth=1) == {
        "a": '[[[[[[[[[[[[[[[[[[[[["[[['
    }
    assert read_json(b"[[[1]]]", max_depth=3) == [[[1]]]


def test_read_json_refuses_nul_and_names_bad_json_by_line() -> None:
    with pytest.raises(UnreadableFile, match="NUL character"):
        read_json(b'{"a": ["ok", {"b": "x\\u0000y"}]}')
    with pytest.raises(UnreadableFile, match="NUL character"):
        read_json(b'{"a\x00": 1}')
    with pytest.raises(UnreadableFile) as refused:
        read_json(b'{\n"a": 1,,\n}')
    assert refused.value.line == 2
    assert str(refused.value).startswith("The file is not valid JSON: ")
