"""The accreditation evidence package as a workbook and as a PDF: what
`reports.accreditation.evidence_package` selects, with every item's row linking back to
Trellis (under SITE_URL)."""

from __future__ import annotations

import io

from django.template.loader import render_to_string
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from trellis.assessments.requests.selectors import ComplianceReport
from trellis.curriculum.selectors import GapReport
from trellis.lib.cells import safe_workbook
from trellis.lib.urls import absolute_url
from trellis.reports.accreditation import EvidencePackage

ITEM_HEAD = [
    "Framework",
    "Code",
    "Item",
    "Kind",
    "Taught in (I introduced, R reinforced, A assessed)",
    "Assessment methods (curriculum map)",
    "Assessed by (form: observations)",
    "Observations",
    "Raters",
    "Observations by assessor role",
    "Committee levels reached, by training year",
    "Decisions resting on it",
    "Decisions by outcome",
    "In Trellis",
]
WIDTHS = [22, 8, 36, 14, 50, 30, 40, 12, 8, 30, 40, 10, 40, 40]


def sheet_head(ws: Worksheet, head: list[str], widths: list[int] | None = None) -> None:
    ws.append(head)
    for cell in ws[ws.max_row]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    ws.freeze_panes = f"A{ws.max_row + 1}"
    for i, width in enumerate(widths or [], start=1):
        ws.column_dimensions[get_column_letter(i)].width = width


def _items(ws: Worksheet, pkg: EvidencePackage) -> None:
    ws.title = "Items"
    sheet_head(ws, ITEM_HEAD, WIDTHS)
    for row in pkg.rows:
        link = absolute_url(row.link)
        ws.append(
            [
                row.item.framework.title,
                row.item.code,
                row.item.name,
                row.item.get_kind_display(),
                row.taught,
                row.methods,
                row.assessed_by,
                row.observations,
                row.raters,
                "; ".join(f"{role}: {n}" for role, n in row.roles),
                row.reached_text,
                row.decisions,
                row.decided,
                link,
            ]
        )
        ws.cell(row=ws.max_row, column=len(ITEM_HEAD)).hyperlink = link


def completion_sheet(ws: Worksheet, report: ComplianceReport) -> None:
    """Completion of requests for the program, each rotation and each assessor (here and
    in the Annual Program Evaluation)."""
    sheet_head(ws, ["Scope", "Name", "Completed", "Expired", "Overdue", "Completion (%)"], [12, 36])
    scoped = [("Program", report.program)]
    scoped += [("Rotation", c) for c in report.by_rotation]
    scoped += [("Assessor", c) for c in report.by_faculty]
    for scope, c in scoped:
        ws.append([scope, c.label, c.completed, c.expired, c.overdue, c.percent])


def gaps_sheet(ws: Worksheet, gaps: list[GapReport]) -> None:
    """Each adopted framework's curriculum gaps, one item a row."""
    sheet_head(ws, ["Framework", "Gap", "Code", "Item"], [30, 40, 10, 50])
    for report in gaps:
        for _, heading, coverages in report.gap_lists():
            for c in coverages:
                ws.append([report.framework.title, heading, c.item.code, c.item.name])


def _evaluations(ws: Worksheet, pkg: EvidencePackage) -> None:
    sheet_head(ws, ["Rotation", "Responses", "Mean rating (1-5)"], [40, 12, 18])
    for r in pkg.rotations:
        ws.append([r.rotation, r.responses, float(r.mean) if r.mean is not None else None])
    ws.append([])
    ws.append(["Teaching evaluations (responses)", pkg.teaching_responses])
    ws.append(["Faculty members evaluated", pkg.teachers_evaluated])
    ws.append(
        [
            f"A rotation's mean is shown from {pkg.anonymity_minimum} responses up; "
            "each faculty member's teaching summary is theirs (not in this package)."
        ]
    )


def _about(ws: Worksheet, pkg: EvidencePackage) -> None:
    ws.column_dimensions["A"].width = 34
    ws.column_dimensions["B"].width = 70
    cycle = pkg.cycle
    for label, value in (
        ("Program", pkg.program.name),
        ("Observations and requests", f"{pkg.start:%Y-%m-%d} to {pkg.end:%Y-%m-%d}"),
        (
            "Committee levels and decisions",
            f"{cycle.name} (signed off)" if cycle else "No signed-off review cycle yet",
        ),
        ("Prepared", f"{pkg.generated:%Y-%m-%d %H:%M} UTC"),
        ("Items without observations", ", ".join(r.item.code for r in pkg.unassessed) or "none"),
    ):
        ws.append([label, value])
        ws.cell(row=ws.max_row, column=1).font = Font(bold=True)


def evidence_workbook(pkg: EvidencePackage) -> bytes:
    wb = Workbook()
    first = wb.active
    assert first is not None
    _items(first, pkg)
    completion_sheet(wb.create_sheet("Completion"), pkg.completion)
    _evaluations(wb.create_sheet("Evaluations"), pkg)
    gaps_sheet(wb.create_sheet("Curriculum gaps"), pkg.gaps)
    _about(wb.create_sheet("About"), pkg)
    out = io.BytesIO()
    safe_workbook(wb).save(out)
    return out.getvalue()


def evidence_html(pkg: EvidencePackage) -> str:
    return render_to_string(
        "reports/evidence_pdf.html",
        {"pkg": pkg, "items": [(r, absolute_url(r.link)) for r in pkg.rows]},
    )


def evidence_pdf(pkg: EvidencePackage) -> bytes:
    from weasyprint import HTML  # imported late: slow to load, only PDFs need it

    return bytes(HTML(string=evidence_html(pkg)).write_pdf())


def evidence_file(pkg: EvidencePackage, *, kind: str) -> bytes:
    """The package as `kind`: "xlsx" or "pdf" (the page's downloads and the command)."""
    if kind == "xlsx":
        return evidence_workbook(pkg)
    if kind == "pdf":
        return evidence_pdf(pkg)
    raise ValueError(f"unknown kind {kind!r}; expected xlsx or pdf")
