"""Reading assessments: one assessment, yours, about you, and a program's."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from trellis.assessments import access
from trellis.assessments.capture.selectors import (
    anonymous_summary,
    assessments_about,
    assessments_by,
    assessments_of_program,
)
from trellis.assessments.evidence import ANONYMITY_MINIMUM
from trellis.assessments.models import Assessment, Concern
from trellis.people.access import get_program_for, viewer


@login_required
@require_GET
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = viewer(request)
    a = access.get_assessment_for(user, pk)
    prompts = {p.key: p.text for p in a.form_version.prompts.all()}
    editable = (
        a.assessor_id == user.pk
        and a.editable_until is not None
        and timezone.now() <= a.editable_until
    )
    return render(
        request,
        "assessments/detail.html",
        {
            "a": a,
            "ratings": a.ratings.select_related("item"),
            "comments": [(prompts.get(c.prompt_key, "Comment"), c.text) for c in a.comments.all()],
            "editable": editable,
            "is_draft": a.status == "draft",
            "concerns": [Concern(c).label for c in a.concerns or []],
        },
    )


def _page(request: HttpRequest, qs: QuerySet[Assessment]) -> object:
    return Paginator(qs, 50).get_page(request.GET.get("page"))


@login_required
@require_GET
def mine(request: HttpRequest) -> HttpResponse:
    user = viewer(request)
    return render(
        request,
        "assessments/list.html",
        {
            "title": "Assessments of you",
            "page": _page(request, assessments_about(subject=user)),
            "show": "assessor",
            "anonymous": anonymous_summary(subject=user),
            "minimum": ANONYMITY_MINIMUM,
        },
    )


@login_required
@require_GET
def given(request: HttpRequest) -> HttpResponse:
    user = viewer(request)
    return render(
        request,
        "assessments/list.html",
        {
            "title": "Assessments you wrote",
            "page": _page(request, assessments_by(assessor=user)),
            "show": "subject",
        },
    )


@login_required
@require_GET
def program_list(request: HttpRequest, slug: str) -> HttpResponse:
    program_access = get_program_for(viewer(request), slug)
    if not program_access.roles & access.STAFF:
        raise PermissionDenied("A program's assessments are for its staff")
    qs = assessments_of_program(program=program_access.program).exclude(
        form_version__form__anonymous=True
    )
    return render(
        request,
        "assessments/list.html",
        {
            "title": f"Assessments in {program_access.program.name}",
            "program": program_access.program,
            "page": _page(request, qs),
            "show": "both",
        },
    )
