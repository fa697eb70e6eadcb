from __future__ import annotations

import io

from openpyxl import load_workbook

from trellis.curriculum.reports import (
    gaps_pdf,
    gaps_pdf_html,
    gaps_text,
    gaps_workbook,
    heatmap_png,
)
from trellis.curriculum.selectors import curriculum_gaps
from trellis.curriculum.tests.factories import CraftedMap
from trellis.testing import People


def pdf_text(html: str) -> tuple[int, str]:
    """Page count and the text laid out on the pages."""
    from weasyprint import HTML

    document = HTML(string=html).render()
    words: list[str] = []
    for page in document.pages:
        for box in page._page_box.descendants():
            if hasattr(box, "text"):
                words.append(box.text)
    return len(document.pages), " ".join(words)


def test_the_workbook_has_the_matrix_and_the_gap_rows(crafted: CraftedMap, people: People):
    report = curriculum_gaps(program=people.program, framework=crafted.framework)
    wb = load_workbook(io.BytesIO(gaps_workbook(report)))
    assert wb.sheetnames == ["Map", "Coverage", "Gaps"]
    matrix = [list(r) for r in wb["Map"].iter_rows(values_only=True)]
    assert matrix[0][:4] == ["Activity", "Title", "PC1", "PC2"]
    wards = next(r for r in matrix if r[0] == "WARDS")
    assert wards[2] == "IRA" and wards[3] == "I"
    gaps = [r for r in wb["Gaps"].iter_rows(values_only=True)][1:]
    assert ("Not mapped at all", "PROF1", "Subcompetency PROF1", 0) in gaps
    assert ("Only introduced", "PC2", "Subcompetency PC2", 1) in gaps
    taught = [r[1] for r in gaps if r[0].startswith("Taught in 3")]
    assert taught == ["ICS1"]
    coverage = {r[0]: r for r in wb["Coverage"].iter_rows(values_only=True)}
    assert coverage["PC1"][5] == "WARDS" and coverage["PC1"][6] == "Direct observation"


def test_the_pdf_has_the_gap_lists_and_the_heat_map(crafted: CraftedMap, people: People):
    report = curriculum_gaps(program=people.program, framework=crafted.framework)
    pdf = gaps_pdf(report)
    assert pdf.startswith(b"%PDF") and len(pdf) > 5000
    html = gaps_pdf_html(report)
    assert 'src="data:image/png;base64,' in html
    pages, text = pdf_text(html)
    assert pages >= 2
    assert "Not mapped at all (1)" in text
    assert "Subcompetency PROF1" in text
    assert "Taught in 3 or more places but assessed in none (1)" in text


def test_the_heat_map_is_a_png_sized_to_the_map(crafted: CraftedMap, people: People) -> None:
    from PIL import Image

    report = curriculum_gaps(program=people.program, framework=crafted.framework)
    image = Image.open(io.BytesIO(heatmap_png(report)))
    assert image.format == "PNG"
    assert image.width > 400 and image.height > 200


def test_the_text_report(crafted: CraftedMap, people: People) -> None:
    text = gaps_text(curriculum_gaps(program=people.program, framework=crafted.framework))
    assert "Not mapped at all (1):\n  PROF1" in text
    assert "PC1      I: WARDS; R: WARDS, ICU; A: WARDS" in text
