"""Who may use a program's requests, compliance, logs and exam pages.

Outsiders get 404 from `get_program_for`; members without the right get 403. Program
managers (coordinators, directors, administrators) run requests and compliance, keep the
log catalogue and import exam scores; program staff also read log progress; faculty
see the requests addressed to them and the log entries awaiting their verification;
learners keep their own logs. Whose logs one sees is `trellis.people.visibility`
(audience LOGS).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest

from trellis.people import visibility
from trellis.people.access import MemberAccess, get_program_for, viewer
from trellis.people.models import Role, User
from trellis.scheduling.visibility import get_visible_learner, learner_visible_to


@dataclass(frozen=True)
class AssessAccess(MemberAccess):
    @property
    def can_manage(self) -> bool:
        return self.access.can_manage

    @property
    def can_read_logs(self) -> bool:
        return visibility.is_staff_for(self.roles, visibility.LOGS)

    @property
    def is_learner(self) -> bool:
        return Role.LEARNER in self.roles

    @property
    def is_supervisor(self) -> bool:
        return self.holds(visibility.LOGS.supervisors)

    def require_manage(self) -> None:
        self.require(self.can_manage, "This page is for the program's coordinators and directors")

    def require_read_logs(self) -> None:
        self.require(self.can_read_logs, "Log progress is for program staff")

    def require_learner(self) -> None:
        self.require(self.is_learner, "Logs are kept by the program's learners")

    def require_supervisor(self) -> None:
        self.require(self.is_supervisor, "Verification is for the program's faculty")

    def can_see_learner_logs(self, learner: User) -> bool:
        return learner_visible_to(
            access=self.access, viewer=self.user, learner=learner, audience=visibility.LOGS
        )


def get_assess_for(request: HttpRequest, slug: str) -> AssessAccess:
    user = viewer(request)
    return AssessAccess(access=get_program_for(user, slug), user=user)


def get_learner_logs_for(access: AssessAccess, learner_id: int) -> User:
    """A learner of the program whose logs this user may see: 404 if never a learner of the
    program, 403 if not theirs to see."""
    return get_visible_learner(
        access=access.access, viewer=access.user, learner_id=learner_id, audience=visibility.LOGS
    )
