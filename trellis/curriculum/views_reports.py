"""The grid editor, the gap and overlap analysis, and the files made from them."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from trellis.curriculum.access import (
    can_edit_curriculum,
    get_curriculum_for,
    get_map_framework_for,
    require_curriculum_editor,
)
from trellis.curriculum.ci_export import CurriculumInventoryError, curriculum_inventory_xml
from trellis.curriculum.ci_verification import (
    VerificationTables,
    verification_tables,
    verification_workbook,
)
from trellis.curriculum.grid import grid_build
from trellis.curriculum.reports import LEGEND, gaps_pdf, gaps_workbook, heatmap_png
from trellis.curriculum.selectors import GapReport, curriculum_frameworks, curriculum_gaps
from trellis.curriculum.services import mapping_grid_save
from trellis.frameworks.models import Framework
from trellis.people.access import ProgramAccess, viewer

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _chosen(request: HttpRequest, slug: str) -> tuple[ProgramAccess, Framework | None]:
    access = get_curriculum_for(viewer(request), slug)
    framework = get_map_framework_for(access, request.GET.get("framework"))
    return access, framework


def _context(access: ProgramAccess, framework: Framework | None) -> dict[str, Any]:
    return {
        "access": access,
        "program": access.program,
        "can_edit": can_edit_curriculum(access),
        "frameworks": curriculum_frameworks(program=access.program),
        "framework": framework,
        "legend": LEGEND,
    }


def _report(request: HttpRequest, slug: str) -> GapReport:
    access, framework = _chosen(request, slug)
    if framework is None:
        raise Http404("The program has adopted no framework")
    return curriculum_gaps(program=access.program, framework=framework)


def _filename(report: GapReport, ext: str) -> str:
    return f"{report.program.slug}-{report.framework.slug}-curriculum-gaps.{ext}"


@login_required
@require_http_methods(["GET", "POST"])
def grid(request: HttpRequest, slug: str) -> HttpResponse:
    """The whole map against one framework as a grid of text inputs, saved in one POST."""
    access, framework = _chosen(request, slug)
    if request.method == "POST":
        require_curriculum_editor(access)
    ctx = _context(access, framework)
    if framework is None:
        return render(request, "curriculum/grid.html", ctx)
    data = request.POST if request.method == "POST" else None
    the_grid = grid_build(program=access.program, framework=framework, data=data)
    ctx["grid"] = the_grid
    if request.method == "POST":
        if the_grid.is_valid:
            try:
                changes = mapping_grid_save(
                    program=access.program,
                    framework=framework,
                    cells=the_grid.parsed,
                    acting_user=viewer(request),
                )
            except ValidationError as exc:
                ctx["problems"] = exc.messages
            else:
                n = len(changes)
                messages.success(request, f"Saved: {n} cell{'s' if n != 1 else ''} changed.")
                url = reverse("curriculum:grid", args=[slug]) + f"?framework={framework.slug}"
                return redirect(url)
        return render(request, "curriculum/grid.html", ctx, status=400)
    return render(request, "curriculum/grid.html", ctx)


@login_required
@require_GET
def gaps(request: HttpRequest, slug: str) -> HttpResponse:
    access, framework = _chosen(request, slug)
    ctx = _context(access, framework)
    if framework is not None:
        ctx["report"] = curriculum_gaps(program=access.program, framework=framework)
    return render(request, "curriculum/gaps.html", ctx)


@login_required
@require_GET
def gaps_heatmap(request: HttpRequest, slug: str) -> HttpResponse:
    response = HttpResponse(heatmap_png(_report(request, slug)), content_type="image/png")
    response["Cache-Control"] = "private, no-cache"
    return response


@login_required
@require_GET
def gaps_xlsx(request: HttpRequest, slug: str) -> HttpResponse:
    report = _report(request, slug)
    response = HttpResponse(gaps_workbook(report), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{_filename(report, "xlsx")}"'
    return response


@login_required
@require_GET
def gaps_pdf_view(request: HttpRequest, slug: str) -> HttpResponse:
    report = _report(request, slug)
    response = HttpResponse(gaps_pdf(report), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{_filename(report, "pdf")}"'
    return response


@login_required
@require_GET
def curriculum_inventory(request: HttpRequest, slug: str) -> HttpResponse:
    access = get_curriculum_for(viewer(request), slug)
    try:
        xml = curriculum_inventory_xml(program=access.program)
    except CurriculumInventoryError as exc:
        messages.error(request, f"No Curriculum Inventory yet: {exc}.")
        return redirect("curriculum:map", slug)
    response = HttpResponse(xml, content_type="application/xml")
    stamp = timezone.localdate().isoformat()
    name = f"{access.program.slug}-curriculum-inventory-{stamp}.xml"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _tables(request: HttpRequest, slug: str) -> tuple[ProgramAccess, VerificationTables | None]:
    access = get_curriculum_for(viewer(request), slug)
    try:
        return access, verification_tables(program=access.program)
    except CurriculumInventoryError as exc:
        messages.error(request, f"No Curriculum Inventory yet: {exc}.")
        return access, None


@login_required
@require_GET
def verification(request: HttpRequest, slug: str) -> HttpResponse:
    """The AAMC verification report's tables for the map as the export reports it."""
    access, tables = _tables(request, slug)
    if tables is None:
        return redirect("curriculum:map", slug)
    return render(
        request, "curriculum/verification.html", {"program": access.program, "tables": tables}
    )


@login_required
@require_GET
def verification_xlsx(request: HttpRequest, slug: str) -> HttpResponse:
    access, tables = _tables(request, slug)
    if tables is None:
        return redirect("curriculum:map", slug)
    response = HttpResponse(verification_workbook(tables), content_type=XLSX)
    name = f"{access.program.slug}-ci-verification.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
