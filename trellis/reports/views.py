"""Downloads: the learner milestone report (PDF) and the program summary (Excel, PDF);
the accreditation evidence package as a page, a workbook and a PDF; the Annual Program
Evaluation (Excel, PDF)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from trellis.assessments.access_program import get_assess_for
from trellis.assessments.evaluations import period_for
from trellis.people.access import viewer
from trellis.records.access import RecordsAccess, get_learner_for, get_records_for
from trellis.records.program import program_overview
from trellis.reports.accreditation import EvidencePackage, evidence_package
from trellis.reports.forms import PeriodForm
from trellis.reports.learner import learner_report_pdf
from trellis.reports.program import program_pdf as render_program_pdf
from trellis.reports.program import program_workbook

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FILE_TYPES = {"xlsx": XLSX, "pdf": "application/pdf"}


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


def _package(
    request: HttpRequest, slug: str
) -> tuple[RecordsAccess, PeriodForm, EvidencePackage | None]:
    """The evidence package for the period asked (the last 365 days by default): for
    those who see the whole program; None with the form's errors for a bad period."""
    access = get_records_for(viewer(request), slug)
    access.require_program_view()
    form = PeriodForm(request.GET)
    if not form.is_valid():
        return access, form, None
    start, end = form.period()
    return access, form, evidence_package(program=access.program, start=start, end=end)


@login_required
@require_GET
def evidence(request: HttpRequest, slug: str) -> HttpResponse:
    access, form, pkg = _package(request, slug)
    context = {
        "program": access.program,
        "form": form,
        "pkg": pkg,
        "query": request.GET.urlencode(),
    }
    return render(request, "reports/evidence.html", context, status=400 if pkg is None else 200)


def _evidence_file(request: HttpRequest, slug: str, kind: str) -> HttpResponse:
    from trellis.reports.accreditation_files import evidence_file

    _, form, pkg = _package(request, slug)
    if pkg is None:
        return HttpResponse(form.errors.as_text(), status=400, content_type="text/plain")
    name = f"{slug}-evidence-{pkg.end:%Y%m%d}.{kind}"
    return _download(evidence_file(pkg, kind=kind), FILE_TYPES[kind], name)


@login_required
@require_GET
def evidence_xlsx(request: HttpRequest, slug: str) -> HttpResponse:
    return _evidence_file(request, slug, "xlsx")


@login_required
@require_GET
def evidence_pdf(request: HttpRequest, slug: str) -> HttpResponse:
    return _evidence_file(request, slug, "pdf")


def _program_evaluation_file(request: HttpRequest, slug: str, kind: str) -> HttpResponse:
    """For those who run the program's evaluations (coordinators, directors, admins), as
    the program evaluation page they download it from."""
    from trellis.reports.program_evaluation import annual_program_evaluation, ape_file

    access = get_assess_for(request, slug)
    access.require_manage()
    period, _ = period_for(program=access.program, key=request.GET.get("period"))
    ape = annual_program_evaluation(program=access.program, period=period)
    name = f"{slug}-program-evaluation-{period.label}.{kind}"
    return _download(ape_file(ape, kind=kind), FILE_TYPES[kind], name)


@login_required
@require_GET
def program_evaluation_xlsx(request: HttpRequest, slug: str) -> HttpResponse:
    return _program_evaluation_file(request, slug, "xlsx")


@login_required
@require_GET
def program_evaluation_pdf(request: HttpRequest, slug: str) -> HttpResponse:
    return _program_evaluation_file(request, slug, "pdf")
