"""Who may see a program. Outsiders get 404, so existence is not revealed."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest

from trellis.people.models import PROGRAM_MANAGERS, Program, Role, User
from trellis.people.selectors import program_roles


@dataclass(frozen=True)
class ProgramAccess:
    program: Program
    roles: frozenset[Role]

    @property
    def can_manage(self) -> bool:
        """Change the program's set-up: adopted frameworks, expected levels, imports."""
        return bool(self.roles & (PROGRAM_MANAGERS | {Role.ADMIN}))

    @property
    def can_see_audit(self) -> bool:
        return bool(self.roles & {Role.DIRECTOR, Role.ADMIN})

    @property
    def can_see_members(self) -> bool:
        return bool(self.roles - {Role.LEARNER})


def get_program_for(user: User, slug: str) -> ProgramAccess:
    program = Program.objects.select_related("institution").filter(slug=slug).first()
    if program is None or not user.is_authenticated:
        raise Http404("No such program")
    roles = program_roles(person=user, program=program)
    if not roles:
        raise Http404("No such program")
    return ProgramAccess(program=program, roles=frozenset(roles))


def viewer(request: HttpRequest) -> User:
    """The signed-in person, typed as our User (views call it behind login_required)."""
    if not isinstance(request.user, User):
        raise PermissionDenied("Sign in first")
    return request.user
