from __future__ import annotations

import io

from openpyxl import Workbook, load_workbook

from trellis.lib.cells import SafeCsvWriter, safe_cell, safe_workbook


def test_it_prefixes_text_a_spreadsheet_would_run() -> None:
    for text in ["=cmd|' /C calc'!A0", "+SUM(A1)", "-2+3*cmd", "@SUM(A1)", "\tx", "\rx"]:
        assert safe_cell(text) == "'" + text


def test_it_leaves_numbers_and_plain_text_alone() -> None:
    for value in [-1, -1.5, 0, None, "-1", "+2.5", "Park", "", "a=b"]:
        assert safe_cell(value) == value


def test_the_csv_writer_neutralises_every_cell() -> None:
    out = io.StringIO()
    SafeCsvWriter(out, lineterminator="\n").writerows([["=1+1", "-1", "ok"]])
    assert out.getvalue() == "'=1+1,-1,ok\n"


def test_a_workbook_keeps_no_live_formula() -> None:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["=cmd|' /C calc'!A0", -1, "Park"])
    out = io.BytesIO()
    safe_workbook(wb).save(out)
    cells = [c for c in load_workbook(io.BytesIO(out.getvalue())).active[1]]  # type: ignore[index]
    assert [c.value for c in cells] == ["'=cmd|' /C calc'!A0", -1, "Park"]
    assert cells[0].data_type == "s"
