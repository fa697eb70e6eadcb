from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from trellis.records.record import learner_record
from trellis.records.tests.factories import make_record
from trellis.reports.learner import learner_report_html
from trellis.testing import People

pytestmark = pytest.mark.django_db


def test_the_learner_report_has_the_name_levels_charts_and_comments(people: People) -> None:
    make_record(people)
    html = learner_report_html(learner_record(program=people.program, learner=people.learner))
    assert "Milestone report: Lena Park" in html
    assert html.count("data:image/png;base64,") == 2
    assert "Presents clearly" in html
    assert 'alt="Heat map of latest levels' in html


def test_the_command_writes_the_learner_pdf(people: People, tmp_path: Path) -> None:
    make_record(people)
    out = tmp_path / "lena.pdf"
    call_command(
        "reports", "learner", "--program", people.program.slug,
        "--learner", people.learner.email, "-o", str(out), stdout=io.StringIO(),
    )  # fmt: skip
    assert out.read_bytes().startswith(b"%PDF")


def test_the_command_writes_the_program_workbook_and_pdf(people: People, tmp_path: Path) -> None:
    make_record(people)
    xlsx, pdf = tmp_path / "p.xlsx", tmp_path / "p.pdf"
    for out in (xlsx, pdf):
        call_command(
            "reports", "program", "--program", people.program.slug, "-o", str(out),
            stdout=io.StringIO(),
        )  # fmt: skip
    names = [r[0] for r in load_workbook(xlsx)["Learners"].iter_rows(min_row=2, values_only=True)]
    assert "Lena Park" in names
    assert pdf.read_bytes().startswith(b"%PDF")


def test_the_command_refuses_a_stranger(people: People, tmp_path: Path) -> None:
    make_record(people)
    with pytest.raises(CommandError):
        call_command(
            "reports", "learner", "--program", people.program.slug,
            "--learner", people.outsider.email, "-o", str(tmp_path / "x.pdf"),
        )  # fmt: skip


def test_a_long_url_in_a_comment_wraps_inside_the_pdf_page(people: People) -> None:
    """The finding: long URLs ran off the PDF page. Laid out by WeasyPrint itself, no
    line of the learner report reaches past the page's right edge."""
    from weasyprint import HTML

    from trellis.assessments.models import Comment

    make_record(people)
    url = "https://example.org/records?id=" + "a1b2c3d4e5" * 30  # nowhere to break
    Comment.objects.filter(text__startswith="Presents clearly").update(text=f"See {url} today.")
    html = learner_report_html(learner_record(program=people.program, learner=people.learner))
    assert url in html
    document = HTML(string=html).render()
    page = document.pages[0]
    right = page.width - page._page_box.margin_right

    def widest(box: object) -> float:
        edge = (
            getattr(box, "position_x", 0) + getattr(box, "width", 0) if hasattr(box, "text") else 0
        )
        return max([edge, *(widest(c) for c in getattr(box, "children", []))])

    assert max(widest(p._page_box) for p in document.pages) <= right + 1


def _cjk_font_installed() -> bool:
    import shutil
    import subprocess

    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return False
    fonts = subprocess.run([fc_list, ":lang=zh"], capture_output=True, text=True, check=False)  # noqa: S603
    return bool(fonts.stdout.strip())


@pytest.mark.skipif(
    not _cjk_font_installed(),
    reason="no CJK font on this machine (Debian: apt install fonts-noto-cjk; .ci/run does)",
)
def test_names_and_comments_in_any_script_reach_the_pdf_in_a_font_that_has_them(
    people: People,
) -> None:
    """The finding: names in Chinese, Japanese or Korean came out as empty boxes. The
    learner report embeds a CJK font for them (WeasyPrint falls back glyph by glyph)."""
    from weasyprint import HTML

    from trellis.assessments.models import Comment

    make_record(people)
    people.learner.first_name, people.learner.last_name = "小明", "王"
    people.learner.save()
    Comment.objects.filter(text__startswith="Presents clearly").update(
        text="鑑別診断を絞りましょう. 다음에는 진단을 먼저 말하세요."
    )
    html = learner_report_html(learner_record(program=people.program, learner=people.learner))
    assert "王" in html and "鑑別診断" in html
    document = HTML(string=html).render()
    assert document.write_pdf()
    families = {str(font.family) for font in document.fonts.values()}
    # a subset of Noto Sans CJK (or another CJK face) is embedded beside the Latin one
    assert any("CJK" in family for family in families), families
