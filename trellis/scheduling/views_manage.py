"""Pages that change the schedule: set-up, assignments, import and export. Coordinators and
directors only (`ProgramAccess.can_manage`); other members get 403, outsiders 404."""

from __future__ import annotations

import re
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from trellis.people.access import viewer
from trellis.scheduling.access import ScheduleAccess, get_schedule_for
from trellis.scheduling.forms import (
    AcademicYearForm,
    AssignmentForm,
    ImportForm,
    RotationForm,
    SiteForm,
)
from trellis.scheduling.importer import schedule_export_csv, schedule_import
from trellis.scheduling.models import AcademicYear, Assignment, Rotation, Site
from trellis.scheduling.selectors import academic_year_pick
from trellis.scheduling.services import (
    ScheduleConflict,
    ScheduleError,
    academic_year_create,
    assignment_create,
    assignment_delete,
    assignment_evidence,
    assignment_update,
    blocks_generate,
    evidence_words,
    rotation_create,
    site_create,
)
from trellis.scheduling.views import year_from


def _managing(request: HttpRequest, slug: str) -> ScheduleAccess:
    schedule = get_schedule_for(viewer(request), slug)
    schedule.require_edit()
    return schedule


def _need_year(request: HttpRequest, schedule: ScheduleAccess) -> AcademicYear:
    year = year_from(request, schedule.program)
    if year is None:
        raise Http404("The program has no academic year yet")
    return year


def _overview(schedule: ScheduleAccess, year: AcademicYear | None = None) -> str:
    url = reverse("schedule:overview", args=[schedule.program.slug])
    return f"{url}?year={year.name}" if year else url


# --- set-up -----------------------------------------------------------------------------


def _setup_context(schedule: ScheduleAccess, **forms: Any) -> dict[str, Any]:
    program = schedule.program
    return {
        "schedule": schedule,
        "program": program,
        "years": AcademicYear.objects.filter(program=program).prefetch_related("blocks"),
        "sites": Site.objects.filter(institution_id=program.institution_id),
        "rotations": Rotation.objects.filter(program=program).select_related("activity"),
        "year_form": forms.get("year_form") or AcademicYearForm(),
        "site_form": forms.get("site_form") or SiteForm(),
        "rotation_form": forms.get("rotation_form") or RotationForm(program=program),
    }


@login_required
@require_GET
def setup(request: HttpRequest, slug: str) -> HttpResponse:
    schedule = _managing(request, slug)
    return render(request, "scheduling/setup.html", _setup_context(schedule))


def _setup_invalid(request: HttpRequest, schedule: ScheduleAccess, **forms: Any) -> HttpResponse:
    return render(request, "scheduling/setup.html", _setup_context(schedule, **forms), status=400)


@login_required
@require_POST
def year_new(request: HttpRequest, slug: str) -> HttpResponse:
    schedule = _managing(request, slug)
    form = AcademicYearForm(request.POST)
    if form.is_valid():
        try:
            year = academic_year_create(
                program=schedule.program,
                name=form.cleaned_data["name"],
                start_date=form.cleaned_data["start_date"],
                end_date=form.cleaned_data["end_date"],
                acting_user=viewer(request),
            )
            if form.cleaned_data["generate_blocks"]:
                blocks_generate(academic_year=year, acting_user=viewer(request))
        except ScheduleError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"Academic year {year.name} added.")
            return redirect("schedule:setup", slug=slug)
    return _setup_invalid(request, schedule, year_form=form)


@login_required
@require_POST
def blocks_new(request: HttpRequest, slug: str, year_id: int) -> HttpResponse:
    schedule = _managing(request, slug)
    year = get_object_or_404(AcademicYear, pk=year_id, program=schedule.program)
    try:
        blocks_generate(academic_year=year, acting_user=viewer(request))
    except ScheduleError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"{year.name} cut into 13 four-week blocks.")
    return redirect("schedule:setup", slug=slug)


@login_required
@require_POST
def site_new(request: HttpRequest, slug: str) -> HttpResponse:
    schedule = _managing(request, slug)
    form = SiteForm(request.POST)
    if form.is_valid():
        try:
            site = site_create(
                institution=schedule.program.institution,
                code=form.cleaned_data["code"],
                name=form.cleaned_data["name"],
                acting_user=viewer(request),
            )
        except ScheduleError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"Site {site.name} added.")
            return redirect("schedule:setup", slug=slug)
    return _setup_invalid(request, schedule, site_form=form)


@login_required
@require_POST
def rotation_new(request: HttpRequest, slug: str) -> HttpResponse:
    schedule = _managing(request, slug)
    form = RotationForm(request.POST, program=schedule.program)
    if form.is_valid():
        try:
            rotation = rotation_create(
                program=schedule.program,
                activity=form.cleaned_data["activity"],
                code=form.cleaned_data["code"] or "",
                title=form.cleaned_data["title"] or "",
                capacity=form.cleaned_data["capacity"],
                acting_user=viewer(request),
            )
        except ScheduleError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"Rotation {rotation} added.")
            return redirect("schedule:setup", slug=slug)
    return _setup_invalid(request, schedule, rotation_form=form)


# --- assignments ------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def assignment_new(request: HttpRequest, slug: str) -> HttpResponse:
    schedule = _managing(request, slug)
    year = _need_year(request, schedule)
    initial = {"learner": request.GET.get("learner")} if request.GET.get("learner") else None
    form = AssignmentForm(
        request.POST or None, initial=initial, program=schedule.program, year=year
    )
    if request.method == "POST" and form.is_valid():
        try:
            assignment_create(
                program=schedule.program,
                year=year,
                acting_user=viewer(request),
                **_assignment_fields(form),
            )
        except ScheduleConflict as conflict:
            form.add_problems(conflict.problems)
        else:
            messages.success(request, "Assignment added.")
            return redirect(_overview(schedule, year))
    status = 400 if request.method == "POST" else 200
    context = {"schedule": schedule, "program": schedule.program, "year": year, "form": form}
    return render(request, "scheduling/assignment_form.html", context, status=status)


def _assignment_fields(form: AssignmentForm) -> dict[str, Any]:
    data = form.cleaned_data
    return {
        "learner": data["learner"],
        "rotation": data["rotation"],
        "site": data["site"],
        "start_date": data["start_date"],
        "end_date": data["end_date"],
        "supervisors": list(data["supervisors"]),
    }


def _assignment(schedule: ScheduleAccess, pk: int) -> Assignment:
    return get_object_or_404(
        Assignment.objects.select_related(
            "learner", "rotation__activity", "rotation__program", "site"
        ),
        pk=pk,
        rotation__program=schedule.program,
    )


def _year_of(schedule: ScheduleAccess, assignment: Assignment) -> AcademicYear:
    year = academic_year_pick(program=schedule.program, day=assignment.start_date)
    if year is None:
        raise Http404("The program has no academic year")
    return year


@login_required
@require_http_methods(["GET", "POST"])
def assignment_edit(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    schedule = _managing(request, slug)
    assignment = _assignment(schedule, pk)
    year = _year_of(schedule, assignment)
    initial = {
        "learner": assignment.learner,
        "rotation": assignment.rotation,
        "site": assignment.site,
        "start_date": assignment.start_date,
        "end_date": assignment.end_date,
        "supervisors": list(assignment.supervisors.all()),
    }
    form = AssignmentForm(
        request.POST or None, initial=initial, program=schedule.program, year=year
    )
    if request.method == "POST" and form.is_valid():
        try:
            assignment_update(
                assignment=assignment,
                year=year,
                acting_user=viewer(request),
                **_assignment_fields(form),
            )
        except ScheduleConflict as conflict:
            form.add_problems(conflict.problems)
        else:
            messages.success(request, "Assignment changed.")
            return redirect(_overview(schedule, year))
    status = 400 if request.method == "POST" else 200
    context = {
        "schedule": schedule,
        "program": schedule.program,
        "year": year,
        "form": form,
        "assignment": assignment,
    }
    return render(request, "scheduling/assignment_form.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def assignment_remove(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    schedule = _managing(request, slug)
    assignment = _assignment(schedule, pk)
    year = _year_of(schedule, assignment)
    evidence = evidence_words(assignment_evidence(assignment))
    if request.method == "POST" and not evidence:
        assignment_delete(assignment=assignment, acting_user=viewer(request))
        messages.success(request, "Assignment removed.")
        return redirect(_overview(schedule, year))
    context = {
        "schedule": schedule,
        "program": schedule.program,
        "assignment": assignment,
        "evidence": evidence,
    }
    status = 409 if request.method == "POST" else 200
    return render(request, "scheduling/assignment_delete.html", context, status=status)


# --- import and export ------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def import_file(request: HttpRequest, slug: str) -> HttpResponse:
    schedule = _managing(request, slug)
    year = year_from(request, schedule.program, request.POST.get("year"))
    form = ImportForm(request.POST or None, request.FILES or None)
    result = None
    status = 200
    if request.method == "POST":
        if year is None:
            raise Http404("The program has no academic year yet")
        if form.is_valid():
            upload = form.cleaned_data["file"]
            result = schedule_import(
                program=schedule.program,
                year=year,
                filename=upload.name,
                data=upload.read(),
                acting_user=viewer(request),
                dry_run=form.cleaned_data["dry_run"],
            )
        status = 200 if result is not None and result.ok else 400
    context = {
        "schedule": schedule,
        "program": schedule.program,
        "year": year,
        "years": AcademicYear.objects.filter(program=schedule.program),
        "form": form,
        "result": result,
    }
    return render(request, "scheduling/import.html", context, status=status)


@login_required
@require_GET
def export_file(request: HttpRequest, slug: str) -> HttpResponse:
    schedule = _managing(request, slug)
    year = _need_year(request, schedule)
    response = HttpResponse(schedule_export_csv(year=year), content_type="text/csv; charset=utf-8")
    filename = re.sub(r"[^A-Za-z0-9._-]", "_", f"schedule-{schedule.program.slug}-{year.name}.csv")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
