"""Pages that show the schedule. Changing it lives in `views_manage.py`."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from trellis.people.access import viewer
from trellis.people.models import Program, Role
from trellis.people.selectors import memberships_current
from trellis.scheduling.access import get_learner_for, get_schedule_for
from trellis.scheduling.models import AcademicYear, Rotation
from trellis.scheduling.selectors import (
    academic_year_pick,
    learner_rotation_on,
    learner_year,
    learner_year_assignments,
    program_grid,
    rotation_colours,
    rotation_roster,
    supervised_learners_on,
    supervised_learners_upcoming,
    unassigned_weeks,
)


def year_from(
    request: HttpRequest, program: Program, name: str | None = None
) -> AcademicYear | None:
    """The year named (by default by ?year=), else the current one; 404 for an unknown name."""
    name = (name if name is not None else request.GET.get("year", "")).strip()
    year = academic_year_pick(program=program, name=name or None)
    if name and year is None:
        raise Http404("No such academic year")
    return year


def _years(program: Program) -> list[AcademicYear]:
    return list(AcademicYear.objects.filter(program=program).order_by("start_date"))


@login_required
@require_GET
def overview(request: HttpRequest, slug: str) -> HttpResponse:
    schedule = get_schedule_for(viewer(request), slug)
    schedule.require_see_all()
    year = year_from(request, schedule.program)
    grid = program_grid(year=year) if year else None
    return render(
        request,
        "scheduling/overview.html",
        {
            "schedule": schedule,
            "program": schedule.program,
            "year": year,
            "years": _years(schedule.program),
            "grid": grid,
            "colours": rotation_colours(program=schedule.program),
            "rotations": Rotation.objects.filter(program=schedule.program).select_related(
                "activity"
            ),
            "gaps": unassigned_weeks(year=year) if year else [],
            "today": timezone.localdate(),
        },
    )


@login_required
@require_GET
def learner(request: HttpRequest, slug: str, learner_id: int) -> HttpResponse:
    schedule = get_schedule_for(viewer(request), slug)
    person = get_learner_for(schedule, learner_id)
    year = year_from(request, schedule.program)
    return render(
        request,
        "scheduling/learner.html",
        {
            "schedule": schedule,
            "program": schedule.program,
            "person": person,
            "is_self": person.pk == request.user.pk,
            "year": year,
            "years": _years(schedule.program),
            "cells": learner_year(learner=person, year=year) if year else [],
            "assignments": learner_year_assignments(learner=person, year=year) if year else [],
            "gaps": unassigned_weeks(year=year, learners=[person]) if year else [],
            "colours": rotation_colours(program=schedule.program),
            "today": timezone.localdate(),
        },
    )


@login_required
@require_GET
def rotation(request: HttpRequest, slug: str, rotation_id: int) -> HttpResponse:
    schedule = get_schedule_for(viewer(request), slug)
    schedule.require_rosters()
    rot = get_object_or_404(
        Rotation.objects.select_related("activity"), pk=rotation_id, program=schedule.program
    )
    year = year_from(request, schedule.program)
    return render(
        request,
        "scheduling/rotation.html",
        {
            "schedule": schedule,
            "program": schedule.program,
            "rotation": rot,
            "year": year,
            "years": _years(schedule.program),
            "cells": rotation_roster(rotation=rot, year=year) if year else [],
            "colours": rotation_colours(program=schedule.program),
        },
    )


# --- person-centred pages (/schedule/) ---------------------------------------------------


@login_required
@require_GET
def mine(request: HttpRequest) -> HttpResponse:
    """The signed-in learner's year in each program they learn in."""
    user = viewer(request)
    today = timezone.localdate()
    programs = []
    for m in memberships_current(person=user).filter(role=Role.LEARNER, program__isnull=False):
        assert m.program is not None
        year = academic_year_pick(program=m.program, day=today)
        programs.append(
            {
                "program": m.program,
                "year": year,
                "cells": learner_year(learner=user, year=year) if year else [],
                "colours": rotation_colours(program=m.program),
            }
        )
    return render(
        request,
        "scheduling/mine.html",
        {"programs": programs, "now": learner_rotation_on(learner=user, day=today), "today": today},
    )


@login_required
@require_GET
def learners_now(request: HttpRequest) -> HttpResponse:
    """Whom the signed-in faculty member supervises today, and who is coming next."""
    user = viewer(request)
    today = timezone.localdate()
    return render(
        request,
        "scheduling/learners_now.html",
        {
            "today": today,
            "current": supervised_learners_on(faculty=user, day=today),
            "upcoming": supervised_learners_upcoming(faculty=user, day=today),
        },
    )
