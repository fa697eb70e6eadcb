"""Downloads: the learner milestone report (PDF) and the program summary (Excel, PDF)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from trellis.people.access import viewer
from trellis.records.access import get_learner_for, get_records_for
from trellis.records.program import program_overview
from trellis.reports.learner import learner_report_pdf
from trellis.reports.program import program_pdf as render_program_pdf
from trellis.reports.program import program_workbook

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _download(data: bytes, content_type: str, name: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
@require_GET
def learner_pdf(request: HttpRequest, slug: str, learner_id: int) -> HttpResponse:
    access = get_records_for(viewer(request), slug)
    person = get_learner_for(access, learner_id)
    data = learner_report_pdf(
        program=access.program, learner=person, full=access.sees_decisions(person)
    )
    return _download(data, "application/pdf", f"{slug}-learner-{person.pk}.pdf")


@login_required
@require_GET
def program_xlsx(request: HttpRequest, slug: str) -> HttpResponse:
    access = get_records_for(viewer(request), slug)
    access.require_program_view()
    data = program_workbook(program_overview(program=access.program))
    return _download(data, XLSX, f"{slug}-records.xlsx")


@login_required
@require_GET
def program_pdf(request: HttpRequest, slug: str) -> HttpResponse:
    access = get_records_for(viewer(request), slug)
    access.require_program_view()
    data = render_program_pdf(program_overview(program=access.program))
    return _download(data, "application/pdf", f"{slug}-records.pdf")
