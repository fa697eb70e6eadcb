"""The registration pages, under /lti/platforms/: the LMS platforms of the institutions a
person administers, adding one, and one platform with the values to give the LMS. Anyone
who administers no institution gets 404."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from trellis.connect.lti.access import get_platform_for, require_lti_admin
from trellis.connect.lti.forms import PlatformForm
from trellis.connect.lti.services import (
    RegistrationError,
    course_program_set,
    platform_register,
)
from trellis.connect.lti.urls_info import tool_urls
from trellis.connect.models import LtiCourse, LtiPlatform
from trellis.people.access import viewer
from trellis.people.models import Program


@login_required
@require_GET
def platforms(request: HttpRequest) -> HttpResponse:
    institutions = require_lti_admin(viewer(request))
    found = LtiPlatform.objects.filter(institution__in=institutions).select_related(
        "institution", "program"
    )
    return render(
        request,
        "connect/lti/platforms.html",
        {"platforms": found, "tool": tool_urls(request)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def platform_new(request: HttpRequest) -> HttpResponse:
    user = viewer(request)
    institutions = require_lti_admin(user)
    form = PlatformForm(request.POST or None, institutions=institutions)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            platform = platform_register(
                institution=data["program"].institution,
                name=data["name"],
                issuer=data["issuer"],
                client_id=data["client_id"],
                auth_login_url=data["auth_login_url"],
                auth_token_url=data["auth_token_url"],
                key_set_url=data["key_set_url"],
                deployment_ids=data["deployment_ids"],
                program=data["program"],
                add_members=data["add_members"],
                acting_user=user,
            )
        except RegistrationError as exc:
            form.add_error(None, str(exc))
        else:
            return redirect("lti:platform", pk=platform.pk)
    return render(request, "connect/lti/platform_new.html", {"form": form})


@login_required
@require_GET
def platform(request: HttpRequest, pk: int) -> HttpResponse:
    found = get_platform_for(viewer(request), pk)
    context = {
        "platform": found,
        "tool": tool_urls(request),
        "courses": found.courses.select_related("program"),
        "programs": found.institution.programs.order_by("name"),
    }
    return render(request, "connect/lti/platform.html", context)


@login_required
@require_POST
def course_program(request: HttpRequest, pk: int, course_id: int) -> HttpResponse:
    """The program one course's launches land in (empty: the registration's)."""
    user = viewer(request)
    found = get_platform_for(user, pk)
    course = get_object_or_404(LtiCourse, pk=course_id, platform=found)
    chosen = request.POST.get("program") or ""
    program = None
    if chosen:
        program = get_object_or_404(Program, pk=int(chosen) if chosen.isdigit() else 0)
    try:
        course_program_set(course=course, program=program, acting_user=user)
    except RegistrationError as exc:
        messages.error(request, str(exc))
    return redirect("lti:platform", pk=found.pk)
