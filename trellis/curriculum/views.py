"""The curriculum map pages: the map, activities, objectives and single mappings.

The grid, the gap analysis and the exports are in views_reports.py."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from trellis.curriculum.access import (
    can_edit_curriculum,
    get_activity_for,
    get_curriculum_for,
    get_objective_for,
    require_curriculum_editor,
)
from trellis.curriculum.forms import ActivityForm, MappingForm, ObjectiveForm
from trellis.curriculum.selectors import (
    activity_mapped_cells,
    activity_rows,
    curriculum_frameworks,
)
from trellis.curriculum.services import (
    activity_create,
    activity_delete,
    activity_update,
    mapping_set_cell,
    objective_create,
    objective_delete,
    objective_update,
)
from trellis.people.access import ProgramAccess, viewer


def _context(access: ProgramAccess) -> dict[str, Any]:
    return {"access": access, "program": access.program, "can_edit": can_edit_curriculum(access)}


def _activity_url(slug: str, pk: int) -> str:
    return reverse("curriculum:activity", args=[slug, pk])


@login_required
@require_GET
def curriculum_map(request: HttpRequest, slug: str) -> HttpResponse:
    access = get_curriculum_for(viewer(request), slug)
    ctx = _context(access)
    ctx["rows"] = activity_rows(program=access.program)
    ctx["frameworks"] = curriculum_frameworks(program=access.program)
    return render(request, "curriculum/map.html", ctx)


@login_required
@require_http_methods(["GET", "POST"])
def activity_new(request: HttpRequest, slug: str) -> HttpResponse:
    access = get_curriculum_for(viewer(request), slug)
    require_curriculum_editor(access)
    form = ActivityForm(request.POST or None, program=access.program)
    if request.method == "POST" and form.is_valid():
        try:
            activity = activity_create(
                program=access.program, data=form.to_data(), acting_user=viewer(request)
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"Added {activity.code} {activity.title}.")
            return redirect(_activity_url(slug, activity.pk))
    return render(request, "curriculum/activity_form.html", _context(access) | {"form": form})


@login_required
@require_GET
def activity_detail(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    access, activity = get_activity_for(viewer(request), slug, pk)
    ctx = _context(access) | {"activity": activity}
    ctx["objectives"] = list(activity.objectives.all())
    ctx["cells"] = activity_mapped_cells(activity=activity)
    ctx["sessions"] = list(activity.children.all())
    if ctx["can_edit"]:
        frameworks = curriculum_frameworks(program=access.program)
        ctx["mapping_form"] = MappingForm(activity=activity, frameworks=frameworks)
        ctx["objective_form"] = ObjectiveForm()
    return render(request, "curriculum/activity_detail.html", ctx)


@login_required
@require_http_methods(["GET", "POST"])
def activity_edit(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    access, activity = get_activity_for(viewer(request), slug, pk)
    require_curriculum_editor(access)
    form = ActivityForm(
        request.POST or None,
        program=access.program,
        activity=activity,
        initial=ActivityForm.initial_for(activity),
    )
    if request.method == "POST" and form.is_valid():
        try:
            activity_update(activity=activity, data=form.to_data(), acting_user=viewer(request))
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "Saved.")
            return redirect(_activity_url(slug, activity.pk))
    ctx = _context(access) | {"form": form, "activity": activity}
    return render(request, "curriculum/activity_form.html", ctx)


@login_required
@require_http_methods(["GET", "POST"])
def activity_remove(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    access, activity = get_activity_for(viewer(request), slug, pk)
    require_curriculum_editor(access)
    error = ""
    if request.method == "POST":
        try:
            activity_delete(activity=activity, acting_user=viewer(request))
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(request, f"Deleted {activity.code} {activity.title}.")
            return redirect("curriculum:map", slug)
    ctx = _context(access) | {"activity": activity, "error": error}
    ctx["sessions"] = list(activity.children.all())
    return render(request, "curriculum/activity_delete.html", ctx, status=400 if error else 200)


@login_required
@require_http_methods(["GET", "POST"])
def objective_new(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    access, activity = get_activity_for(viewer(request), slug, pk)
    require_curriculum_editor(access)
    form = ObjectiveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            objective_create(
                activity=activity,
                code=form.cleaned_data["code"],
                text=form.cleaned_data["text"],
                acting_user=viewer(request),
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "Objective added.")
            return redirect(_activity_url(slug, activity.pk) + "#objectives")
    ctx = _context(access) | {"form": form, "activity": activity}
    return render(request, "curriculum/objective_form.html", ctx)


@login_required
@require_http_methods(["GET", "POST"])
def objective_edit(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    access, objective = get_objective_for(viewer(request), slug, pk)
    require_curriculum_editor(access)
    initial = {"code": objective.code, "text": objective.text}
    form = ObjectiveForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            objective_update(
                objective=objective,
                code=form.cleaned_data["code"],
                text=form.cleaned_data["text"],
                acting_user=viewer(request),
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "Objective saved.")
            return redirect(_activity_url(slug, objective.activity_id) + "#objectives")
    ctx = _context(access) | {"form": form, "activity": objective.activity, "objective": objective}
    return render(request, "curriculum/objective_form.html", ctx)


@login_required
@require_POST
def objective_remove(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    access, objective = get_objective_for(viewer(request), slug, pk)
    require_curriculum_editor(access)
    activity_id = objective.activity_id
    objective_delete(objective=objective, acting_user=viewer(request))
    messages.success(request, "Objective deleted.")
    return redirect(_activity_url(slug, activity_id) + "#objectives")


@login_required
@require_POST
def mapping_set(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    access, activity = get_activity_for(viewer(request), slug, pk)
    require_curriculum_editor(access)
    frameworks = curriculum_frameworks(program=access.program)
    form = MappingForm(request.POST, activity=activity, frameworks=frameworks)
    if form.is_valid():
        try:
            change = mapping_set_cell(
                activity=activity,
                objective=form.cleaned_data["objective"],
                item=form.cleaned_data["item"],
                emphases=form.cleaned_data["emphases"],
                assessment_method=form.cleaned_data["assessment_method"],
                acting_user=viewer(request),
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            item = form.cleaned_data["item"]
            if change is None:
                messages.info(request, f"{item.code}: nothing changed.")
            else:
                shown = change.after or "removed"
                messages.success(request, f"{item.code}: {shown}.")
            return redirect(_activity_url(slug, activity.pk) + "#mappings")
    ctx = _context(access) | {"activity": activity, "mapping_form": form}
    ctx["objectives"] = list(activity.objectives.all())
    ctx["cells"] = activity_mapped_cells(activity=activity)
    ctx["sessions"] = list(activity.children.all())
    ctx["objective_form"] = ObjectiveForm()
    return render(request, "curriculum/activity_detail.html", ctx, status=400)
