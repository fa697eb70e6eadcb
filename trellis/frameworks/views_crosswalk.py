"""Crosswalk pages: propose one from a framework to another version, review and edit its
links, mark it reviewed, apply it to a program. Members of the crosswalk's institution
read it; its managers change it (403 for other members); anyone else gets 404."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from trellis.frameworks import crosswalk as xw
from trellis.frameworks.access import (
    CrosswalkAccess,
    crosswalks_visible,
    get_crosswalk_for,
    get_framework_for,
    institutions_importable_by,
    programs_movable_by,
)
from trellis.frameworks.forms import CrosswalkApplyForm, CrosswalkLinkForm, CrosswalkProposeForm
from trellis.frameworks.selectors import frameworks_visible
from trellis.people.access import get_program_for, viewer


@require_http_methods(["GET", "POST"])
@login_required
def framework_crosswalks(request: HttpRequest, slug: str) -> HttpResponse:
    framework = get_framework_for(viewer(request), slug)
    institutions = institutions_importable_by(viewer(request))
    targets = frameworks_visible(user=viewer(request)).exclude(pk=framework.pk)
    form = CrosswalkProposeForm(
        request.POST if request.method == "POST" else None,
        targets=targets.order_by("title", "version"),
        institutions=institutions,
    )
    if request.method == "POST":
        if not institutions:
            raise PermissionDenied("Only program managers and admins make crosswalks")
        if form.is_valid():
            try:
                made = xw.crosswalk_propose(
                    source=framework,
                    target=form.cleaned_data["target"],
                    institution=form.cleaned_data["institution"],
                    acting_user=viewer(request),
                )
            except xw.CrosswalkError as exc:
                form.add_error(None, str(exc))
            else:
                return redirect("framework-crosswalk", made.pk)
    crosswalks = (
        crosswalks_visible(user=viewer(request))
        .filter(source=framework)
        .select_related("target", "institution")
    )
    return render(
        request,
        "frameworks/crosswalks.html",
        {"framework": framework, "crosswalks": crosswalks, "form": form, "can_make": institutions},
        status=400 if form.errors else 200,
    )


def _page(
    request: HttpRequest,
    access: CrosswalkAccess,
    link_form: CrosswalkLinkForm | None = None,
    apply_form: CrosswalkApplyForm | None = None,
    status: int = 200,
) -> HttpResponse:
    crosswalk = access.crosswalk
    programs = programs_movable_by(viewer(request), crosswalk) if access.can_edit else []
    return render(
        request,
        "frameworks/crosswalk_review.html",
        {
            "crosswalk": crosswalk,
            "can_edit": access.can_edit,
            "changes": xw.item_changes(crosswalk=crosswalk),
            "applied": list(xw.crosswalk_applied_programs(crosswalk=crosswalk)),
            "link_form": link_form or CrosswalkLinkForm(crosswalk=crosswalk),
            "apply_form": apply_form or CrosswalkApplyForm(programs=programs),
            "programs": programs,
        },
        status=status,
    )


@require_http_methods(["GET"])
@login_required
def crosswalk_review(request: HttpRequest, pk: int) -> HttpResponse:
    return _page(request, get_crosswalk_for(viewer(request), pk))


def _editable(request: HttpRequest, pk: int) -> CrosswalkAccess:
    access = get_crosswalk_for(viewer(request), pk)
    if not access.can_edit:
        raise PermissionDenied("Only the institution's program managers change a crosswalk")
    return access


@require_POST
@login_required
def crosswalk_link_add(request: HttpRequest, pk: int) -> HttpResponse:
    access = _editable(request, pk)
    form = CrosswalkLinkForm(request.POST, crosswalk=access.crosswalk)
    if form.is_valid():
        try:
            xw.crosswalk_link_add(
                crosswalk=access.crosswalk,
                source_item=form.cleaned_data["source_item"],
                target_item=form.cleaned_data["target_item"],
                acting_user=viewer(request),
            )
        except xw.CrosswalkError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "Link added.")
            return redirect("framework-crosswalk", pk)
    return _page(request, access, link_form=form, status=400)


@require_POST
@login_required
def crosswalk_link_remove(request: HttpRequest, pk: int, link_pk: int) -> HttpResponse:
    access = _editable(request, pk)
    link = access.crosswalk.links.filter(pk=link_pk).first()
    if link is None:  # already removed (a second press): nothing left to do
        return redirect("framework-crosswalk", pk)
    try:
        xw.crosswalk_link_remove(link=link, acting_user=viewer(request))
    except xw.CrosswalkError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "Link removed.")
    return redirect("framework-crosswalk", pk)


@require_POST
@login_required
def crosswalk_mark_reviewed(request: HttpRequest, pk: int) -> HttpResponse:
    access = _editable(request, pk)
    xw.crosswalk_mark_reviewed(crosswalk=access.crosswalk, acting_user=viewer(request))
    messages.success(request, "Marked reviewed: the crosswalk may now be applied to a program.")
    return redirect("framework-crosswalk", pk)


@require_POST
@login_required
def crosswalk_apply(request: HttpRequest, pk: int) -> HttpResponse:
    access = _editable(request, pk)
    programs = programs_movable_by(viewer(request), access.crosswalk)
    form = CrosswalkApplyForm(request.POST, programs=programs)
    if form.is_valid():
        program = form.cleaned_data["program"]
        if not get_program_for(viewer(request), program.slug).can_manage:
            raise Http404("No such program")
        try:
            xw.crosswalk_apply(
                program=program, crosswalk=access.crosswalk, acting_user=viewer(request)
            )
        except xw.CrosswalkError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                f"{program.name} now uses {access.crosswalk.target}; its history on "
                f"{access.crosswalk.source} is read through this crosswalk.",
            )
            return redirect("program-frameworks", program.slug)
    return _page(request, access, apply_form=form, status=400)
