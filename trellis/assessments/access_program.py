"""Who may use a program's requests, compliance, logs and exam pages.

Outsiders get 404 from `get_program_for`; members without the right get 403. Program
managers (coordinators, directors, administrators) run requests and compliance, keep the
log catalogue and import exam scores; committee members also read log progress; faculty
see the requests addressed to them and the log entries awaiting their verification;
learners keep their own logs.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest

from trellis.people.access import ProgramAccess, get_program_for, viewer
from trellis.people.models import Membership, Program, Role, User
from trellis.scheduling.selectors import supervises

# Roles that read every learner's log progress (the committee weighs it as evidence).
LOG_READERS = frozenset({Role.COORDINATOR, Role.DIRECTOR, Role.COMMITTEE, Role.ADMIN})
# Roles that may be asked to verify a log entry.
SUPERVISING = frozenset({Role.FACULTY, Role.DIRECTOR, Role.COMMITTEE})


@dataclass(frozen=True)
class AssessAccess:
    access: ProgramAccess
    user: User

    @property
    def program(self) -> Program:
        return self.access.program

    @property
    def can_manage(self) -> bool:
        return self.access.can_manage

    @property
    def can_read_logs(self) -> bool:
        return bool(self.access.roles & LOG_READERS)

    @property
    def is_learner(self) -> bool:
        return Role.LEARNER in self.access.roles

    @property
    def is_supervisor(self) -> bool:
        return bool(self.access.roles & SUPERVISING)

    def require_manage(self) -> None:
        if not self.can_manage:
            raise PermissionDenied("This page is for the program's coordinators and directors")

    def require_read_logs(self) -> None:
        if not self.can_read_logs:
            raise PermissionDenied("Log progress is for program staff")

    def require_learner(self) -> None:
        if not self.is_learner:
            raise PermissionDenied("Logs are kept by the program's learners")

    def require_supervisor(self) -> None:
        if not self.is_supervisor:
            raise PermissionDenied("Verification is for the program's faculty")

    def can_see_learner_logs(self, learner: User) -> bool:
        if learner.pk == self.user.pk or self.can_read_logs:
            return True
        return self.is_supervisor and supervises(
            faculty=self.user, learner=learner, program=self.program
        )


def get_assess_for(request: HttpRequest, slug: str) -> AssessAccess:
    user = viewer(request)
    return AssessAccess(access=get_program_for(user, slug), user=user)


def get_learner_logs_for(access: AssessAccess, learner_id: int) -> User:
    """A learner of the program whose logs this user may see: 404 if never a learner of the
    program, 403 if not theirs to see."""
    learner = User.objects.filter(
        pk=learner_id,
        pk__in=Membership.objects.filter(program=access.program, role=Role.LEARNER).values(
            "person_id"
        ),
    ).first()
    if learner is None:
        raise Http404("No such learner")
    if not access.can_see_learner_logs(learner):
        raise PermissionDenied("You may not see this learner's logs")
    return learner
