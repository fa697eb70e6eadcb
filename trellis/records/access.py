"""Who may read which record. Outsiders get 404 (via get_program_for); members who may
not see a record get 403; a learner who was never in the program is a 404."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.http import Http404

from trellis.people.access import ProgramAccess, get_program_for
from trellis.people.models import Membership, Program, Role, User
from trellis.scheduling.selectors import supervises

# Roles that see every learner's record and the program view.
RECORD_READERS = frozenset({Role.COORDINATOR, Role.DIRECTOR, Role.COMMITTEE, Role.ADMIN})


@dataclass(frozen=True)
class RecordsAccess:
    user: User
    access: ProgramAccess

    @property
    def program(self) -> Program:
        return self.access.program

    @property
    def sees_all(self) -> bool:
        return bool(self.access.roles & RECORD_READERS)

    def may_see(self, learner: User) -> bool:
        if learner.pk == self.user.pk or self.sees_all:
            return True
        return Role.FACULTY in self.access.roles and supervises(
            faculty=self.user, learner=learner, program=self.program
        )

    def require_program_view(self) -> None:
        if not self.sees_all:
            raise PermissionDenied(
                "The program view is for coordinators, directors and the committee"
            )


def get_records_for(user: User, slug: str) -> RecordsAccess:
    return RecordsAccess(user=user, access=get_program_for(user, slug))


def get_learner_for(access: RecordsAccess, learner_id: int) -> User:
    """A learner of the program whose record this user may read."""
    learner = User.objects.filter(
        pk=learner_id,
        pk__in=Membership.objects.filter(program=access.program, role=Role.LEARNER).values(
            "person_id"
        ),
    ).first()
    if learner is None:
        raise Http404("No such learner")
    if not access.may_see(learner):
        raise PermissionDenied("You may not see this learner's record")
    return learner
