"""A program's LMS assignments, under /programs/<slug>/lti/: the courses launched from, the
assignments mapped to framework items, mapping one, reading its scores. For the program's
managers and the institution's admins (`get_program_managed_by`); anyone else gets 404."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from trellis.connect.lti.grades import (
    AvailableLineItem,
    GradesUnavailable,
    grades_offered,
    line_item_map,
    line_item_scores_import,
    line_items_available,
)
from trellis.connect.models import LtiCourse, LtiLineItem
from trellis.frameworks.models import Item
from trellis.people.access import ProgramAccess, get_program_managed_by, viewer
from trellis.people.models import Program


def _managing(request: HttpRequest, slug: str) -> ProgramAccess:
    return get_program_managed_by(viewer(request), slug)


def _courses_of(program: Program) -> QuerySet[LtiCourse]:
    """The courses whose launches land in the program (their own choice, else their
    registration's)."""
    return LtiCourse.objects.filter(
        Q(program=program) | Q(program__isnull=True, platform__program=program)
    ).select_related("platform__program", "program")


def _course(access: ProgramAccess, course_id: int) -> LtiCourse:
    course = _courses_of(access.program).filter(pk=course_id).first()
    if course is None:
        raise Http404("No such course")
    return course


class LineItemForm(forms.Form):
    line_item = forms.ChoiceField(label="Assignment")
    items = forms.ModelMultipleChoiceField(
        queryset=Item.objects.none(),
        label="Framework items",
        help_text="What the assignment's scores are evidence of.",
    )
    taken_on = forms.DateField(label="Date", help_text="The exam's date in Trellis.")

    def __init__(
        self, *args: Any, available: list[AvailableLineItem], program: Program, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.available = {a.url: a for a in available}
        self.fields["line_item"].choices = [(a.url, a.label) for a in available]  # type: ignore[attr-defined]
        items = Item.objects.filter(framework__adoptions__program=program).select_related(
            "framework"
        )
        self.fields["items"].queryset = items.order_by("framework__title", "position")  # type: ignore[attr-defined]
        self.fields["taken_on"].initial = timezone.localdate()


@login_required
@require_GET
def courses(request: HttpRequest, slug: str) -> HttpResponse:
    access = _managing(request, slug)
    found = _courses_of(access.program).prefetch_related("line_items")
    listed = [{"course": c, "grades": grades_offered(c)} for c in found]
    return render(
        request, "connect/lti/courses.html", {"program": access.program, "courses": listed}
    )


@login_required
@require_http_methods(["GET", "POST"])
def line_item_new(request: HttpRequest, slug: str, course_id: int) -> HttpResponse:
    access = _managing(request, slug)
    course = _course(access, course_id)
    try:
        mapped = set(course.line_items.values_list("url", flat=True))
        available = [a for a in line_items_available(course=course) if a.url not in mapped]
    except GradesUnavailable as exc:
        context = {"program": access.program, "course": course, "unavailable": str(exc)}
        return render(request, "connect/lti/line_item_new.html", context, status=502)
    form = LineItemForm(request.POST or None, available=available, program=access.program)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            line_item_map(
                course=course,
                line_item=form.available[data["line_item"]],
                items=list(data["items"]),
                taken_on=data["taken_on"],
                acting_user=viewer(request),
            )
        except GradesUnavailable as exc:
            form.add_error(None, str(exc))
        else:
            return redirect("lti-grades:courses", slug=access.program.slug)
    context = {"program": access.program, "course": course, "form": form}
    return render(request, "connect/lti/line_item_new.html", context)


@login_required
@require_POST
def line_item_import(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    access = _managing(request, slug)
    line_item = (
        LtiLineItem.objects.select_related("course__platform__program", "course__program")
        .filter(pk=pk, course__in=_courses_of(access.program))
        .first()
    )
    if line_item is None:
        raise Http404("No such assignment")
    context: dict[str, Any] = {"program": access.program, "line_item": line_item}
    try:
        context["outcome"] = line_item_scores_import(
            line_item=line_item, acting_user=viewer(request)
        )
    except GradesUnavailable as exc:
        context["unavailable"] = str(exc)
        return render(request, "connect/lti/line_item_imported.html", context, status=502)
    status = 200 if context["outcome"].result.ok else 422
    return render(request, "connect/lti/line_item_imported.html", context, status=status)
