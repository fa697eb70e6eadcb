"""Who may see and change a program's schedule.

Outsiders get 404 from `get_program_for`; members without the right get 403. A learner
sees their own year; faculty see the learners they supervise; program staff (coordinators,
directors, committee members, administrators) see every learner of the program; managers
(`ProgramAccess.can_manage`) change the schedule.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.http import Http404

from trellis.people.access import ProgramAccess, get_program_for
from trellis.people.models import Membership, Program, Role, User
from trellis.scheduling.selectors import supervises

# Roles that see every learner's schedule in their program.
SCHEDULE_STAFF = frozenset(
    {Role.COORDINATOR, Role.DIRECTOR, Role.COMMITTEE, Role.FD_LEAD, Role.ADMIN}
)


@dataclass(frozen=True)
class ScheduleAccess:
    access: ProgramAccess
    user: User

    @property
    def program(self) -> Program:
        return self.access.program

    @property
    def can_edit(self) -> bool:
        return self.access.can_manage

    @property
    def can_see_all(self) -> bool:
        return bool(self.access.roles & SCHEDULE_STAFF)

    @property
    def is_faculty(self) -> bool:
        return Role.FACULTY in self.access.roles

    @property
    def can_see_rosters(self) -> bool:
        return self.can_see_all or self.is_faculty

    def require_edit(self) -> None:
        if not self.can_edit:
            raise PermissionDenied("Only coordinators and directors change the schedule")

    def require_see_all(self) -> None:
        if not self.can_see_all:
            raise PermissionDenied("The program schedule is for program staff")

    def require_rosters(self) -> None:
        if not self.can_see_rosters:
            raise PermissionDenied("Rotation rosters are for faculty and program staff")

    def can_see_learner(self, learner: User) -> bool:
        if learner.pk == self.user.pk or self.can_see_all:
            return True
        return self.is_faculty and supervises(
            faculty=self.user, learner=learner, program=self.program
        )


def get_schedule_for(user: User, slug: str) -> ScheduleAccess:
    """The program's schedule as this user may use it; 404 for outsiders."""
    return ScheduleAccess(access=get_program_for(user, slug), user=user)


def get_learner_for(schedule: ScheduleAccess, learner_id: int) -> User:
    """A learner of the program whose schedule this user may see: 404 if the person was never
    a learner of the program, 403 if they were but are not this user's to see."""
    learner = User.objects.filter(
        pk=learner_id,
        pk__in=Membership.objects.filter(program=schedule.program, role=Role.LEARNER).values(
            "person_id"
        ),
    ).first()
    if learner is None:
        raise Http404("No such learner")
    if not schedule.can_see_learner(learner):
        raise PermissionDenied("You may not see this learner's schedule")
    return learner
