"""Home and program pages. Thin: access helper, then a selector, then render."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from trellis.frameworks.browse import adoption_summaries
from trellis.people.access import get_program_for
from trellis.people.home import home_panels, members_by_role
from trellis.people.http import AuthenticatedRequest
from trellis.people.models import Role
from trellis.people.selectors import program_members


@require_GET
@login_required
def home(request: AuthenticatedRequest) -> HttpResponse:
    panels = home_panels(user=request.user)
    return render(request, "people/home.html", {"panels": panels})


@require_GET
@login_required
def program_detail(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    access = get_program_for(request.user, slug)
    program = access.program
    groups = (
        members_by_role(program=program, memberships=list(program_members(program=program)))
        if access.can_see_members
        else []
    )
    return render(
        request,
        "people/program_detail.html",
        {
            "access": access,
            "program": program,
            "groups": groups,
            "adoptions": adoption_summaries(programs=[program]).get(program.pk, []),
            "my_roles": [r for r in Role if r in access.roles],
        },
    )
