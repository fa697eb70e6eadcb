"""Framework pages: browse, import and export, and a program's adopted frameworks with
their expected levels. Thin: access helper, then a selector or a service, then render."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from trellis.frameworks import services
from trellis.frameworks.access import get_framework_for, institutions_importable_by
from trellis.frameworks.browse import (
    adoption_summaries,
    framework_tree,
    frameworks_listed,
    item_page,
    learner_targets,
)
from trellis.frameworks.crosswalk import adoptions_replaced
from trellis.frameworks.forms import AdoptForm, ExpectedLevelsForm, ImportForm
from trellis.frameworks.io.errors import FrameworkImportError, ImportProblem
from trellis.frameworks.selectors import frameworks_visible
from trellis.people.access import ProgramAccess, get_program_for, viewer


@require_GET
@login_required
def framework_list(request: HttpRequest) -> HttpResponse:
    frameworks = list(frameworks_listed(user=viewer(request)))
    return render(
        request,
        "frameworks/framework_list.html",
        {
            "catalogue": [f for f in frameworks if f.institution_id is None],
            "own": [f for f in frameworks if f.institution_id is not None],
            "can_import": bool(institutions_importable_by(viewer(request))),
        },
    )


@require_GET
@login_required
def framework_detail(request: HttpRequest, slug: str) -> HttpResponse:
    framework = get_framework_for(viewer(request), slug)
    return render(
        request,
        "frameworks/framework_detail.html",
        {"framework": framework, "tree": framework_tree(framework=framework, user=viewer(request))},
    )


@require_GET
@login_required
def framework_item(request: HttpRequest, slug: str, identifier: str) -> HttpResponse:
    framework = get_framework_for(viewer(request), slug)
    page = item_page(framework=framework, identifier=identifier, user=viewer(request))
    targets = learner_targets(user=viewer(request), framework=framework, item=page.item)
    return render(
        request,
        "frameworks/item_detail.html",
        {
            "framework": framework,
            "page": page,
            "targets": targets,
            "target_levels": {t.level for t in targets},
        },
    )


@require_GET
@login_required
def framework_export_csv(request: HttpRequest, slug: str) -> HttpResponse:
    framework = get_framework_for(viewer(request), slug)
    content = services.framework_export(framework=framework, format="csv")
    return _download(content, "text/csv; charset=utf-8", f"{framework.slug}.csv")


@require_GET
@login_required
def framework_export_case(request: HttpRequest, slug: str) -> HttpResponse:
    framework = get_framework_for(viewer(request), slug)
    content = services.framework_export(framework=framework, format="case")
    return _download(content, "application/json", f"{framework.slug}.case.json")


@require_GET
@login_required
def framework_export_medbiq(request: HttpRequest, slug: str) -> HttpResponse:
    framework = get_framework_for(viewer(request), slug)
    content = services.framework_export(framework=framework, format="medbiq")
    return _download(content, "application/xml", f"{framework.slug}.medbiq.xml")


def _download(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_http_methods(["GET", "POST"])
@login_required
def framework_import(request: HttpRequest) -> HttpResponse:
    institutions = institutions_importable_by(viewer(request))
    if not institutions:
        raise PermissionDenied("Only program managers and admins import frameworks")
    form = ImportForm(*_posted(request), institutions=institutions)
    problems: list[ImportProblem] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            framework = services.framework_import(
                content=upload.read(),
                filename=upload.name or "",
                institution=form.cleaned_data["institution"],
                acting_user=viewer(request),
                format=None,
            )
        except FrameworkImportError as exc:
            problems = exc.problems
        else:
            messages.success(request, f"Imported {framework}.")
            return redirect("framework-detail", framework.slug)
    return render(
        request,
        "frameworks/import.html",
        {"form": form, "problems": problems, "filename": request.FILES.get("file")},
    )


def _posted(request: HttpRequest) -> tuple[Any, ...]:
    """A form's data and files: bound on POST, even an empty one; unbound otherwise."""
    return (request.POST, request.FILES) if request.method == "POST" else (None, None)


def _managed_program(request: HttpRequest, slug: str) -> ProgramAccess:
    """A program the person may set up. Members without the right learn only that they may
    not (403): they already know the program exists. Outsiders get 404."""
    access = get_program_for(viewer(request), slug)
    if not access.can_manage:
        raise PermissionDenied("Only the program's managers set up its frameworks")
    return access


@require_http_methods(["GET", "POST"])
@login_required
def program_frameworks(request: HttpRequest, slug: str) -> HttpResponse:
    access = _managed_program(request, slug)
    program = access.program
    available = (
        frameworks_visible(user=viewer(request))
        .exclude(adoptions__program=program)
        .order_by("title", "version")
    )
    form = AdoptForm(*_posted(request)[:1], frameworks=available)
    if request.method == "POST" and form.is_valid():
        adoption = services.framework_adopt(
            program=program,
            framework=form.cleaned_data["framework"],
            graduation_level=form.cleaned_data["graduation_level"],
            acting_user=viewer(request),
        )
        messages.success(
            request,
            f"{program.name} now uses {adoption.framework}. "
            "Set its expected levels, or keep the defaults.",
        )
        return redirect("program-framework-levels", program.slug, adoption.framework.slug)
    return render(
        request,
        "frameworks/program_frameworks.html",
        {
            "access": access,
            "program": program,
            "adoptions": adoption_summaries(programs=[program]).get(program.pk, []),
            "replaced": adoptions_replaced(program=program),
            "form": form,
        },
    )


@require_http_methods(["GET", "POST"])
@login_required
def program_framework_levels(request: HttpRequest, slug: str, framework_slug: str) -> HttpResponse:
    access = _managed_program(request, slug)
    program = access.program
    summaries = adoption_summaries(programs=[program]).get(program.pk, [])
    summary = next((s for s in summaries if s.framework.slug == framework_slug), None)
    if summary is None:
        raise Http404("The program has not adopted this framework")
    form = ExpectedLevelsForm(*_posted(request)[:1], summary=summary)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                for year, level in form.changes():
                    services.expected_level_set(
                        adoption=summary.adoption,
                        training_year=year,
                        level=level,
                        acting_user=viewer(request),
                    )
        except ValueError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"Saved the expected levels for {summary.framework}.")
            return redirect("program-frameworks", program.slug)
    return render(
        request,
        "frameworks/program_framework_levels.html",
        {"access": access, "program": program, "summary": summary, "form": form},
    )
