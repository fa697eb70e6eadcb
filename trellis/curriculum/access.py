"""Who may see and change a program's curriculum map.

Everyone in the program reads the map, learners included; its managers (coordinators,
directors, faculty-development leads) and institution admins change it. Outsiders get
404, so existence is not revealed; a member without the right gets 403.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404

from trellis.curriculum.models import Activity, Objective
from trellis.curriculum.selectors import curriculum_frameworks
from trellis.frameworks.models import Framework
from trellis.people.access import ProgramAccess, get_program_for
from trellis.people.models import User


def get_curriculum_for(user: User, slug: str) -> ProgramAccess:
    return get_program_for(user, slug)


def can_edit_curriculum(access: ProgramAccess) -> bool:
    return access.can_manage


def require_curriculum_editor(access: ProgramAccess) -> None:
    if not can_edit_curriculum(access):
        raise PermissionDenied("Only the program's coordinators and directors change the map")


def get_activity_for(user: User, slug: str, pk: int) -> tuple[ProgramAccess, Activity]:
    access = get_program_for(user, slug)
    activity = (
        Activity.objects.filter(program=access.program, pk=pk).select_related("parent").first()
    )
    if activity is None:
        raise Http404("No such activity")
    return access, activity


def get_objective_for(user: User, slug: str, pk: int) -> tuple[ProgramAccess, Objective]:
    access = get_program_for(user, slug)
    objective = (
        Objective.objects.filter(activity__program=access.program, pk=pk)
        .select_related("activity")
        .first()
    )
    if objective is None:
        raise Http404("No such objective")
    return access, objective


def get_map_framework_for(access: ProgramAccess, slug: str | None) -> Framework | None:
    """The adopted framework the map is shown against: the one named, else the first the
    program adopted (None when it has adopted none). A framework the program has not
    adopted is a 404."""
    frameworks = curriculum_frameworks(program=access.program)
    if not slug:
        return frameworks[0] if frameworks else None
    for framework in frameworks:
        if framework.slug == slug:
            return framework
    raise Http404("The program has not adopted this framework")
