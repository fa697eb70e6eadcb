"""The Annual Program Evaluation export: one academic year's rotation evaluation results,
completion of evaluation requests, teaching evaluations in aggregate and the curriculum
gaps, as a workbook and a PDF, for the program evaluation committee.

Every figure is read through the rule that owns it: evaluation results through
`assessments.evaluations` (groups of at least three, comments from five, by academic year,
a program mean over released rotations only), completion through `compliance_report`,
gaps through `curriculum_gaps`. Each teacher's own summary is theirs and the director's:
the export counts teaching evaluations and gives their program-wide mean over the
teachers whose results are released, never a teacher by name.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass

from django.template.loader import render_to_string
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.worksheet.worksheet import Worksheet

from trellis.assessments.evaluations import (
    COMMENT_MINIMUM,
    EvaluationResults,
    Period,
    evaluation_results,
)
from trellis.assessments.evidence import ANONYMITY_MINIMUM, record_adoptions
from trellis.assessments.models import FormKind
from trellis.assessments.requests.selectors import ComplianceReport, compliance_report
from trellis.curriculum.selectors import GapReport, curriculum_gaps
from trellis.lib.cells import safe_workbook
from trellis.people.models import Program
from trellis.reports.accreditation_files import completion_sheet, gaps_sheet, sheet_head


@dataclass
class AnnualProgramEvaluation:
    program: Program
    period: Period
    generated: dt.datetime
    rotations: EvaluationResults
    teaching: EvaluationResults
    completion: ComplianceReport
    gaps: list[GapReport]
    minimum: int = ANONYMITY_MINIMUM
    comment_minimum: int = COMMENT_MINIMUM

    @property
    def teachers_evaluated(self) -> int:
        return sum(1 for g in self.teaching.groups if g.responses)


def annual_program_evaluation(
    *, program: Program, period: Period, today: dt.date | None = None
) -> AnnualProgramEvaluation:
    today = today or timezone.localdate()
    return AnnualProgramEvaluation(
        program=program,
        period=period,
        generated=timezone.now(),
        rotations=evaluation_results(program=program, kind=FormKind.ROTATION, period=period),
        teaching=evaluation_results(program=program, kind=FormKind.TEACHING, period=period),
        completion=compliance_report(
            program=program, start=period.start, end=min(period.end, today), today=today
        ),
        gaps=[
            curriculum_gaps(program=program, framework=a.framework)
            for a in record_adoptions(program=program)
        ],
    )


def _number(value: object) -> float | None:
    return None if value is None else float(str(value))


def _rotations(ws: Worksheet, ape: AnnualProgramEvaluation) -> None:
    ws.title = "Rotations"
    sheet_head(ws, ["Rotation", "Asked", "Completed", "Responses", "Item", "Ratings", "Mean"], [36])
    for g in ape.rotations.groups:
        ws.append([g.label, g.asked, g.completed, g.responses])
        if not g.released:
            ws.append(["", "", "", "", f"withheld: fewer than {ape.minimum} responses"])
        for r in g.items:
            label = f"{r.item.code} {r.item.name}".strip()
            ws.append(["", "", "", "", label, r.ratings, _number(r.mean)])
    ws.append([])
    ws.append(["All rotations shown (mean)", "", "", "", "", "", _number(ape.rotations.mean)])


def _comments(ws: Worksheet, ape: AnnualProgramEvaluation) -> None:
    sheet_head(
        ws, ["Rotation", "Question", "Comment (no order, no names)", "Written by"], [30, 36, 90]
    )
    for g in ape.rotations.groups:
        for block in g.comments:
            for text, n in block.texts:
                ws.append([g.label, block.prompt, text, n])
                ws.cell(row=ws.max_row, column=3).alignment = Alignment(wrap_text=True)


def _completion(ws: Worksheet, ape: AnnualProgramEvaluation) -> None:
    completion_sheet(ws, ape.completion)
    ws.append([])
    t = ape.teaching
    ws.append(["Teaching evaluations", "asked", t.asked, "completed", t.completed])
    ws.append(["", "teachers evaluated", ape.teachers_evaluated, "mean (released)", t.mean])


def _about(ws: Worksheet, ape: AnnualProgramEvaluation) -> None:
    ws.column_dimensions["A"].width = 30
    ws.column_dimensions["B"].width = 80
    for label, value in (
        ("Program", ape.program.name),
        ("Academic year", f"{ape.period.label} ({ape.period.start} to {ape.period.end})"),
        ("Prepared", f"{ape.generated:%Y-%m-%d %H:%M} UTC"),
        (
            "Anonymity",
            f"Ratings shown from {ape.minimum} responses, comments from "
            f"{ape.comment_minimum}; program means over the rotations shown only.",
        ),
    ):
        ws.append([label, value])
        ws.cell(row=ws.max_row, column=1).font = Font(bold=True)


def ape_workbook(ape: AnnualProgramEvaluation) -> bytes:
    wb = Workbook()
    first = wb.active
    assert first is not None
    _rotations(first, ape)
    _comments(wb.create_sheet("Rotation comments"), ape)
    _completion(wb.create_sheet("Completion"), ape)
    gaps_sheet(wb.create_sheet("Curriculum gaps"), ape.gaps)
    _about(wb.create_sheet("About"), ape)
    out = io.BytesIO()
    safe_workbook(wb).save(out)
    return out.getvalue()


def ape_pdf(ape: AnnualProgramEvaluation) -> bytes:
    from weasyprint import HTML  # imported late: slow to load, only PDFs need it

    html = render_to_string("reports/program_evaluation_pdf.html", {"ape": ape})
    return bytes(HTML(string=html).write_pdf())


def ape_file(ape: AnnualProgramEvaluation, *, kind: str) -> bytes:
    """The export as `kind`: "xlsx" or "pdf" (the page's downloads and the command)."""
    if kind == "xlsx":
        return ape_workbook(ape)
    if kind == "pdf":
        return ape_pdf(ape)
    raise ValueError(f"unknown kind {kind!r}; expected xlsx or pdf")
