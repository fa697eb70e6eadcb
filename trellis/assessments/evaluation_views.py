"""Program evaluation pages: rotation and teaching evaluation results by academic year.

Who reads what (outsiders get 404 from `get_program_for`, other members 403):
- the program's coordinators, directors and administrators: every rotation's results and
  every teacher's completion counts;
- each teacher's results: the program director (for the annual faculty evaluation) and
  the teacher themselves (`/assess/teaching/` leads there).
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from trellis.assessments.access_program import AssessAccess, get_assess_for
from trellis.assessments.evaluations import (
    COMMENT_MINIMUM,
    EvaluationResults,
    Period,
    evaluation_results,
    period_for,
    teacher_programs,
)
from trellis.assessments.evidence import ANONYMITY_MINIMUM
from trellis.assessments.models import FormKind
from trellis.people.access import viewer
from trellis.people.models import Membership, Role, User
from trellis.scheduling.models import Rotation

TEACHING_RESULT_READERS = frozenset({Role.DIRECTOR})


def _context(access: AssessAccess, period: Period, periods: list[Period]) -> dict[str, object]:
    return {
        "program": access.program,
        "period": period,
        "periods": periods,
        "minimum": ANONYMITY_MINIMUM,
        "comment_minimum": COMMENT_MINIMUM,
    }


@login_required
@require_GET
def evaluations(request: HttpRequest, slug: str) -> HttpResponse:
    access = get_assess_for(request, slug)
    access.require_manage()
    period, periods = period_for(program=access.program, key=request.GET.get("period"))
    return render(
        request,
        "assessments/evaluations/overview.html",
        {
            **_context(access, period, periods),
            "rotations": evaluation_results(
                program=access.program, kind=FormKind.ROTATION, period=period
            ),
            "teaching": evaluation_results(
                program=access.program, kind=FormKind.TEACHING, period=period
            ),
            "sees_teaching": access.holds(TEACHING_RESULT_READERS),
        },
    )


def _one(results: EvaluationResults) -> object:
    return results.groups[0] if results.groups else None


@login_required
@require_GET
def rotation(request: HttpRequest, slug: str, rotation_id: int) -> HttpResponse:
    access = get_assess_for(request, slug)
    found = Rotation.objects.filter(pk=rotation_id, program=access.program).first()
    if found is None:
        raise Http404("No such rotation")
    access.require_manage()
    period, periods = period_for(program=access.program, key=request.GET.get("period"))
    results = evaluation_results(
        program=access.program, kind=FormKind.ROTATION, period=period, only=found.pk
    )
    return render(
        request,
        "assessments/evaluations/group.html",
        {
            **_context(access, period, periods),
            "title": found.activity.title,
            "what": "rotation",
            "group": _one(results),
        },
    )


@login_required
@require_GET
def teacher(request: HttpRequest, slug: str, teacher_id: int) -> HttpResponse:
    access = get_assess_for(request, slug)
    person = User.objects.filter(
        pk=teacher_id,
        pk__in=Membership.objects.filter(program=access.program).values("person_id"),
    ).first()
    if person is None:
        raise Http404("No such teacher")
    access.require(
        person.pk == access.user.pk or access.holds(TEACHING_RESULT_READERS),
        "A teacher's evaluations are theirs and the program director's",
    )
    period, periods = period_for(program=access.program, key=request.GET.get("period"))
    results = evaluation_results(
        program=access.program, kind=FormKind.TEACHING, period=period, only=person.pk
    )
    return render(
        request,
        "assessments/evaluations/group.html",
        {
            **_context(access, period, periods),
            "title": person.get_full_name() or person.email,
            "what": "teacher",
            "own": person.pk == access.user.pk,
            "group": _one(results),
        },
    )


@login_required
@require_GET
def my_teaching(request: HttpRequest) -> HttpResponse:
    """The programs whose learners evaluated your teaching: each leads to your results."""
    user = viewer(request)
    return render(
        request,
        "assessments/teaching.html",
        {"programs": teacher_programs(teacher=user), "minimum": ANONYMITY_MINIMUM},
    )
