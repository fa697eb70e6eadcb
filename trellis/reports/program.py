"""The program summary: every learner by every subcompetency with flags, as a workbook
and as a PDF."""

from __future__ import annotations

import io

from django.template.loader import render_to_string
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill

from trellis.lib.cells import safe_workbook
from trellis.records.program import ProgramOverview

BELOW = PatternFill("solid", fgColor="FDE0C5")
MET = PatternFill("solid", fgColor="DEEBF7")


def program_workbook(overview: ProgramOverview) -> bytes:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Learners"
    head = ["Learner", "E-mail", "Year", "Flags", "Enough evidence", "Requested", "Completed"]
    ws.append(head + [it.code for it in overview.items])
    for row in overview.rows:
        ws.append(
            [
                row.learner.display_name,
                row.learner.email,
                row.training_year,
                "; ".join(row.flags),
                row.evidence,
                row.requested,
                row.completed,
            ]
            + [float(c.latest) if c.latest is not None else None for c in row.cells]
        )
        for cell, c in zip(ws[ws.max_row][len(head) :], row.cells, strict=True):
            if c.latest is not None:
                cell.fill = BELOW if c.below else MET
    for cell in ws[1]:
        cell.font = Font(bold=True)
    ws.freeze_panes = "B2"
    ws.column_dimensions["A"].width = 28
    ws.column_dimensions["B"].width = 30
    ws.column_dimensions["D"].width = 40
    items = wb.create_sheet("Subcompetencies")
    items.append(["Code", "Name", "Framework"])
    for it in overview.items:
        items.append([it.code, it.name, str(it.framework)])
    out = io.BytesIO()
    safe_workbook(wb).save(out)
    return out.getvalue()


def program_report_html(overview: ProgramOverview) -> str:
    return render_to_string(
        "reports/program_pdf.html", {"overview": overview, "generated": timezone.now()}
    )


def program_pdf(overview: ProgramOverview) -> bytes:
    from weasyprint import HTML  # imported late: slow to load, only PDFs need it

    return bytes(HTML(string=program_report_html(overview)).write_pdf())
