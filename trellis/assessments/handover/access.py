"""Who may start an observation on their own phone for a faculty member to confirm.

A learner of the program, about themself, for a faculty member who supervises them now
(a named supervisor on an assignment in force, `scheduling.supervision_in_force`) and who
may rate them (`assessments.access.get_rating_for`, asked as that faculty member). Anyone
else: a member who is not a learner gets 403, an outsider or a faculty member who is not
theirs 404.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone

from trellis.assessments import access
from trellis.people.access import get_program_for
from trellis.people.models import Program, Role, User
from trellis.people.selectors import memberships_current, memberships_in_force
from trellis.scheduling.models import Assignment
from trellis.scheduling.selectors import supervision_in_force


def handover_programs(*, learner: User) -> list[Program]:
    ids = memberships_current(person=learner).filter(role=Role.LEARNER).values("program_id")
    return list(Program.objects.filter(id__in=ids).order_by("name"))


def handover_faculty(*, learner: User, program: Program) -> list[User]:
    """The learner's supervisors in force in `program` who rate there."""
    assignments = Assignment.objects.filter(
        supervision_in_force(today=timezone.localdate()),
        learner=learner,
        rotation__program=program,
    )
    raters = memberships_in_force(program=program).filter(role__in=access.RATERS)
    return list(
        User.objects.filter(pk__in=assignments.values("supervisors"), is_active=True)
        .filter(pk__in=raters.values("person_id"))
        .exclude(pk=learner.pk)
        .order_by("last_name", "first_name")
    )


def get_handover_for(learner: User, slug: str, faculty_id: int) -> access.RateAccess:
    """The faculty member's right to rate this learner, for the learner's phone."""
    program_access = get_program_for(learner, slug)
    if Role.LEARNER not in program_access.roles:
        raise PermissionDenied("Observations to confirm are started by learners")
    faculty = next(
        (
            f
            for f in handover_faculty(learner=learner, program=program_access.program)
            if f.pk == faculty_id
        ),
        None,
    )
    if faculty is None:
        raise Http404("No such supervisor")
    try:
        return access.get_rating_for(faculty, slug, learner.pk)
    except PermissionDenied as refused:
        raise Http404("No such supervisor") from refused
