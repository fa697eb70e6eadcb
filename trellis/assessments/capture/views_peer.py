"""Peer feedback: a learner rates a fellow learner of their program on the program's peer
form (`access.peer_form`), signed in, as a peer. The learners they worked beside lately
come first. The form itself is the capture flow's (`views._capture`)."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from trellis.assessments import access
from trellis.assessments.capture.views import _capture
from trellis.people.access import get_program_for, viewer
from trellis.people.models import Role, User
from trellis.people.selectors import learners_of
from trellis.scheduling.models import Assignment

RECENT_DAYS = 90


def _worked_beside(user: User, program_id: int, today: dt.date) -> set[int]:
    """Learners on the same rotation at the same time as `user`, in the last RECENT_DAYS."""
    mine = Assignment.objects.filter(
        learner=user,
        rotation__program_id=program_id,
        end_date__gte=today - dt.timedelta(days=RECENT_DAYS),
        start_date__lte=today,
    ).values_list("rotation_id", "start_date", "end_date")
    near = Q()
    for rotation, start, end in mine:
        near |= Q(rotation_id=rotation, start_date__lte=end, end_date__gte=start)
    if not near:
        return set()
    return set(
        Assignment.objects.filter(near).exclude(learner=user).values_list("learner_id", flat=True)
    )


@login_required
@require_GET
def peers(request: HttpRequest, slug: str) -> HttpResponse:
    user = viewer(request)
    program_access = get_program_for(user, slug)
    if Role.LEARNER not in program_access.roles:
        raise PermissionDenied("Peer feedback is given by the program's learners")
    program = program_access.program
    members = (
        learners_of(program=program)
        .exclude(person=user)
        .select_related("person")
        .order_by("person__last_name", "person__first_name")
    )
    beside = _worked_beside(user, program.pk, timezone.localdate())
    rows = [(m, m.person_id in beside) for m in members]
    rows.sort(key=lambda r: not r[1])
    return render(
        request,
        "assessments/peers.html",
        {"program": program, "rows": rows, "form": access.peer_form(program=program)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def rate_peer(request: HttpRequest, slug: str, learner_id: int) -> HttpResponse:
    ra = access.get_peer_rating_for(viewer(request), slug, learner_id)
    form = access.peer_form(program=ra.program)
    if form is None:
        raise Http404("This program has no peer form")
    return _capture(request, ra, form, forms=[form])
