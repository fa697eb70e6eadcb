"""Who may see and change a program's schedule.

Outsiders get 404 from `get_program_for`; members without the right get 403. Who sees a
learner's year is `trellis.people.visibility` (audience SCHEDULE: the learner, program
staff and the faculty-development lead, supervising faculty); managers
(`ProgramAccess.can_manage`) change the schedule.
"""

from __future__ import annotations

from dataclasses import dataclass

from trellis.people import visibility
from trellis.people.access import MemberAccess, get_program_for
from trellis.people.models import Role, User
from trellis.scheduling.visibility import get_visible_learner, learner_visible_to


@dataclass(frozen=True)
class ScheduleAccess(MemberAccess):
    @property
    def can_edit(self) -> bool:
        return self.access.can_manage

    @property
    def can_see_all(self) -> bool:
        return visibility.is_staff_for(self.roles, visibility.SCHEDULE)

    @property
    def is_faculty(self) -> bool:
        return Role.FACULTY in self.roles

    @property
    def can_see_rosters(self) -> bool:
        return self.can_see_all or self.is_faculty

    def require_edit(self) -> None:
        self.require(self.can_edit, "Only coordinators and directors change the schedule")

    def require_see_all(self) -> None:
        self.require(self.can_see_all, "The program schedule is for program staff")

    def require_rosters(self) -> None:
        self.require(self.can_see_rosters, "Rotation rosters are for faculty and program staff")

    def can_see_learner(self, learner: User) -> bool:
        return learner_visible_to(
            access=self.access, viewer=self.user, learner=learner, audience=visibility.SCHEDULE
        )


def get_schedule_for(user: User, slug: str) -> ScheduleAccess:
    """The program's schedule as this user may use it; 404 for outsiders."""
    return ScheduleAccess(access=get_program_for(user, slug), user=user)


def get_learner_for(schedule: ScheduleAccess, learner_id: int) -> User:
    """A learner of the program whose schedule this user may see: 404 if the person was never
    a learner of the program, 403 if they were but are not this user's to see."""
    return get_visible_learner(
        access=schedule.access,
        viewer=schedule.user,
        learner_id=learner_id,
        audience=visibility.SCHEDULE,
    )
