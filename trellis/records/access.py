"""Who may read which record. Outsiders get 404 (via get_program_for); members who may
not see a record get 403; a learner who was never in the program is a 404. The rule
itself is `trellis.people.visibility` (audience RECORD)."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied

from trellis.people import visibility
from trellis.people.access import MemberAccess, get_program_for, get_program_learner
from trellis.people.models import Role, User
from trellis.plans.coaching import coaches_learner
from trellis.scheduling.visibility import get_visible_learner, learner_visible_to

ANALYTICS_READERS = frozenset({Role.DIRECTOR, Role.COMMITTEE})


@dataclass(frozen=True)
class RecordsAccess(MemberAccess):
    @property
    def sees_all(self) -> bool:
        return visibility.is_staff_for(self.roles, visibility.RECORD)

    def may_see(self, learner: User) -> bool:
        return learner_visible_to(
            access=self.access, viewer=self.user, learner=learner, audience=visibility.RECORD
        )

    def sees_decisions(self, learner: User) -> bool:
        """Committee levels, exam scores and plans: the learner, program staff and the
        learner's coach. A supervisor sees what they need to teach and rate (the
        observations and logs)."""
        return self.sees_all or learner.pk == self.user.pk or self.coaches(learner)

    def coaches(self, learner: User) -> bool:
        return coaches_learner(program=self.program, coach=self.user, learner=learner)

    def sees_private_plans(self, learner: User) -> bool:
        """The learner's own plans not opened to the program: theirs and their coach's."""
        return learner.pk == self.user.pk or self.coaches(learner)

    @property
    def sees_analytics(self) -> bool:
        """The program's analytics page: the director and the committee."""
        return self.holds(ANALYTICS_READERS)

    @property
    def sees_raters(self) -> bool:
        """Named raters' patterns: the program director alone."""
        return self.holds(frozenset({Role.DIRECTOR}))

    @property
    def rates(self) -> bool:
        return self.holds(visibility.SUPERVISORS)

    def require_program_view(self) -> None:
        self.require(
            self.sees_all, "The program view is for coordinators, directors and the committee"
        )


def get_records_for(user: User, slug: str) -> RecordsAccess:
    return RecordsAccess(user=user, access=get_program_for(user, slug))


def get_learner_for(access: RecordsAccess, learner_id: int) -> User:
    """A learner of the program whose record this user may read: whom the record's
    audience may see (`visibility.RECORD`), or whom they coach."""
    try:
        return get_visible_learner(
            access=access.access,
            viewer=access.user,
            learner_id=learner_id,
            audience=visibility.RECORD,
        )
    except PermissionDenied:
        learner = get_program_learner(access.program, learner_id)
        if not access.coaches(learner):
            raise
        return learner
