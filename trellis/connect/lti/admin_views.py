"""The registration pages, under /lti/platforms/: the LMS platforms of the institutions a
person administers, adding one, and one platform with the values to give the LMS. Anyone
who administers no institution gets 404."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from trellis.connect.lti.access import get_platform_for, require_lti_admin
from trellis.connect.lti.forms import PlatformForm
from trellis.connect.lti.services import RegistrationError, platform_register
from trellis.connect.lti.urls_info import tool_urls
from trellis.connect.models import LtiPlatform
from trellis.people.access import viewer


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
    return render(
        request, "connect/lti/platform.html", {"platform": found, "tool": tool_urls(request)}
    )
