"""Home and program pages. Thin: access helper, then a selector, then render."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from trellis.frameworks.browse import adoption_summaries
from trellis.people.access import get_program_for, viewer
from trellis.people.models import Role
from trellis.people.selectors import program_members
from trellis.records.home import home_panels, members_by_role


@require_GET
@login_required
def home(request: HttpRequest) -> HttpResponse:
    panels = home_panels(user=viewer(request))
    return render(request, "records/home.html", {"panels": panels})


@require_GET
@login_required
def program_detail(request: HttpRequest, slug: str) -> HttpResponse:
    access = get_program_for(viewer(request), slug)
    program = access.program
    groups = (
        members_by_role(program=program, memberships=list(program_members(program=program)))
        if access.can_see_members
        else []
    )
    return render(
        request,
        "records/program_detail.html",
        {
            "access": access,
            "program": program,
            "groups": groups,
            "adoptions": adoption_summaries(programs=[program]).get(program.pk, []),
            "my_roles": [r for r in Role if r in access.roles],
        },
    )
