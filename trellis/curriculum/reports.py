"""The gap report rendered: a heat-map picture, an Excel workbook, a PDF and plain text.
All four draw on one `GapReport`, so the page, the files and the terminal agree."""

from __future__ import annotations

import base64
import io

from django.template.loader import render_to_string
from django.utils import timezone
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import ListedColormap
from matplotlib.patches import Patch
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from trellis.curriculum.emphasis import strongest
from trellis.curriculum.selectors import GapReport, ItemCoverage
from trellis.lib.cells import safe_workbook
from trellis.lib.plotting import Figure

# One palette for the page (curriculum.css), the picture and the workbook: a light to dark
# teal by strength of emphasis. Letters are printed in every cell, so colour is never the
# only carrier of meaning.
COLOURS = {"": "#ffffff", "I": "#d7ece9", "R": "#7fbfb6", "A": "#0b6b66"}
TEXT_COLOURS = {"": "#1b2a32", "I": "#1b2a32", "R": "#1b2a32", "A": "#ffffff"}
LEVEL = {"": 0, "I": 1, "R": 2, "A": 3}
LEGEND = (("I", "Introduced"), ("R", "Reinforced"), ("A", "Assessed"))


def heatmap_png(report: GapReport) -> bytes:
    """Activities (rows) by items (columns), each cell coloured by its strongest emphasis
    and labelled with its letters."""
    rows, cols = len(report.activities), len(report.items)
    width = min(4.0 + 0.42 * max(cols, 1), 40.0)
    height = min(2.2 + 0.32 * max(rows, 1), 40.0)
    fig = Figure(figsize=(width, height), dpi=110)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    matrix = [
        [LEVEL[strongest(report.cells.get((a.pk, i.pk), ()))] for i in report.items]
        for a in report.activities
    ] or [[0] * max(cols, 1)]
    cmap = ListedColormap([COLOURS[k] for k in ("", "I", "R", "A")])
    ax.imshow(matrix, cmap=cmap, vmin=-0.5, vmax=3.5, aspect="auto", interpolation="nearest")
    for r, activity in enumerate(report.activities):
        for c, item in enumerate(report.items):
            text = report.cell(activity, item)
            if text:
                colour = TEXT_COLOURS[strongest(text)]
                ax.text(c, r, text, ha="center", va="center", fontsize=7, color=colour)
    ax.set_xticks(range(cols), [i.code or i.name[:12] for i in report.items], rotation=90)
    ax.set_yticks(
        range(rows), [f"{a.code} {a.title}"[:40] for a in report.activities] or [], fontsize=8
    )
    ax.tick_params(axis="x", labelsize=8, top=True, labeltop=True, bottom=False, labelbottom=False)
    ax.set_xticks([x - 0.5 for x in range(1, cols)], minor=True)
    ax.set_yticks([y - 0.5 for y in range(1, rows)], minor=True)
    ax.grid(which="minor", color="#d5dde1", linewidth=0.6)
    ax.tick_params(which="minor", length=0)
    for spine in ax.spines.values():
        spine.set_color("#d5dde1")
    ax.legend(
        handles=[
            Patch(facecolor=COLOURS[k], edgecolor="#6b7a83", label=f"{k}  {label}")
            for k, label in LEGEND
        ],
        loc="upper left",
        bbox_to_anchor=(0, -0.02),
        ncol=3,
        frameon=False,
        fontsize=8,
    )
    ax.set_title(f"{report.program.name}: map against {report.framework}", fontsize=10, pad=12)
    fig.tight_layout()
    out = io.BytesIO()
    fig.savefig(out, format="png")
    return out.getvalue()


def heatmap_data_uri(report: GapReport) -> str:
    return "data:image/png;base64," + base64.b64encode(heatmap_png(report)).decode("ascii")


def _codes(activities: tuple[object, ...]) -> str:
    return ", ".join(str(getattr(a, "code", a)) for a in activities)


def _fill(colour: str) -> PatternFill:
    return PatternFill("solid", start_color=colour.lstrip("#"), end_color=colour.lstrip("#"))


def gaps_workbook(report: GapReport) -> bytes:
    """Three sheets: Map (the matrix), Coverage (where each item is taught and assessed)
    and Gaps (one row per item on each gap list)."""
    wb = Workbook()
    bold = Font(bold=True)
    sheet = wb.active
    assert sheet is not None
    sheet.title = "Map"
    sheet.append(["Activity", "Title", *[i.code or i.name for i in report.items]])
    sheet.append(["", "", *[i.name for i in report.items]])
    for activity in report.activities:
        sheet.append(
            [activity.code, activity.title, *[report.cell(activity, i) for i in report.items]]
        )
        row = sheet.max_row
        for col, item in enumerate(report.items, start=3):
            text = report.cell(activity, item)
            if text:
                cell = sheet.cell(row=row, column=col)
                cell.fill = _fill(COLOURS[strongest(text)])
                cell.font = Font(color=TEXT_COLOURS[strongest(text)].lstrip("#"), bold=True)
                cell.alignment = Alignment(horizontal="center")
    for cell in sheet[1] + sheet[2]:
        cell.font = bold
    for cell in sheet[2]:
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "C3"
    sheet.column_dimensions["A"].width = 12
    sheet.column_dimensions["B"].width = 34
    for col in range(3, len(report.items) + 3):
        sheet.column_dimensions[get_column_letter(col)].width = 9

    coverage = wb.create_sheet("Coverage")
    coverage.append(
        [
            "Item",
            "Name",
            "Kind",
            "Introduced in",
            "Reinforced in",
            "Assessed in",
            "Assessment methods",
            "Taught in (activities)",
        ]
    )
    for c in report.coverage:
        coverage.append(
            [
                c.item.code,
                c.item.name,
                c.item.get_kind_display(),
                _codes(c.introduced),
                _codes(c.reinforced),
                _codes(c.assessed),
                ", ".join(c.methods),
                c.taught_in,
            ]
        )
    for cell in coverage[1]:
        cell.font = bold
    coverage.freeze_panes = "B2"

    gaps = wb.create_sheet("Gaps")
    gaps.append(["List", "Item", "Name", "Taught in (activities)"])
    for _, heading, entries in report.gap_lists():
        for c in entries:
            gaps.append([heading, c.item.code, c.item.name, c.taught_in])
        if not entries:
            gaps.append([heading, "", "(none)", ""])
    for cell in gaps[1]:
        cell.font = bold
    for name, width in (("A", 52), ("B", 10), ("C", 48)):
        gaps.column_dimensions[name].width = width
        coverage.column_dimensions[name].width = width if name != "A" else 10
    out = io.BytesIO()
    safe_workbook(wb).save(out)
    return out.getvalue()


def gaps_pdf_html(report: GapReport) -> str:
    """The HTML the PDF is printed from: the gap lists, the coverage table and the same
    heat-map picture the page serves, embedded as a data URI."""
    return render_to_string(
        "curriculum/gaps_pdf.html",
        {"report": report, "heatmap": heatmap_data_uri(report), "generated": timezone.now()},
    )


def gaps_pdf(report: GapReport) -> bytes:
    from weasyprint import HTML  # imported late: it is slow to load and only PDFs need it

    return bytes(HTML(string=gaps_pdf_html(report)).write_pdf())


def _line(c: ItemCoverage) -> str:
    return f"  {c.item.code:<8} {c.item.name}"


def gaps_text(report: GapReport) -> str:
    """The report for a terminal: coverage counts, then each gap list."""
    lines = [
        f"{report.program.name} — curriculum map against {report.framework}",
        f"{len(report.activities)} activities, {len(report.items)} items; "
        f"{report.mapped_count} mapped, {report.assessed_count} assessed.",
        "",
    ]
    for _, heading, entries in report.gap_lists():
        lines.append(f"{heading} ({len(entries)}):")
        lines.extend(_line(c) for c in entries)
        if not entries:
            lines.append("  (none)")
        lines.append("")
    lines.append("Where each item is introduced (I), reinforced (R) and assessed (A):")
    for c in report.coverage:
        lines.append(
            f"  {c.item.code:<8} I: {_codes(c.introduced) or '-'}; "
            f"R: {_codes(c.reinforced) or '-'}; A: {_codes(c.assessed) or '-'}"
        )
    return "\n".join(lines) + "\n"
