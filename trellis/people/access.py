"""Who may see a program. Outsiders get 404, so existence is not revealed."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest

from trellis.people.models import PROGRAM_MANAGERS, Membership, Program, Role, User
from trellis.people.selectors import program_roles, was_learner_of


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

    def can_grant(self, role: Role) -> bool:
        """Give or take away `role` on the People page: a manager gives any program role,
        except that only a director or an institution admin makes a program director (a
        coordinator cannot raise anyone, themselves included, to the audit trail)."""
        if not self.can_manage or role == Role.ADMIN:
            return False
        return role != Role.DIRECTOR or bool(self.roles & {Role.DIRECTOR, Role.ADMIN})


@dataclass(frozen=True)
class MemberAccess:
    """A program as one signed-in member may use it; each app's access module extends it
    with the rights of its own pages."""

    access: ProgramAccess
    user: User

    @property
    def program(self) -> Program:
        return self.access.program

    @property
    def roles(self) -> frozenset[Role]:
        return self.access.roles

    def holds(self, roles: frozenset[Role]) -> bool:
        return not self.access.roles.isdisjoint(roles)

    def require(self, allowed: bool, message: str) -> None:
        """403 with `message` unless `allowed` (the member is in, so 404 would mislead)."""
        if not allowed:
            raise PermissionDenied(message)


def get_program_learner(program: Program, learner_id: int) -> User:
    """Someone who is or was a learner of the program; 404 otherwise."""
    learner = User.objects.filter(
        pk=learner_id, pk__in=was_learner_of(program=program).values("person_id")
    ).first()
    if learner is None:
        raise Http404("No such learner")
    return learner


def get_program_for(user: User, slug: str) -> ProgramAccess:
    program = Program.objects.select_related("institution").filter(slug=slug).first()
    if program is None or not user.is_authenticated:
        raise Http404("No such program")
    roles = program_roles(person=user, program=program)
    if not roles:
        raise Http404("No such program")
    return ProgramAccess(program=program, roles=frozenset(roles))


class _SignedIn(Protocol):
    user: Any


def viewer(request: HttpRequest | _SignedIn) -> User:
    """The signed-in person, typed as our User: the one way a view, an API endpoint or a
    page helper gets who is asking (behind login_required or IsAuthenticated)."""
    user = request.user
    if not isinstance(user, User):
        raise PermissionDenied("Sign in first")
    return user


def get_program_managed_by(user: User, slug: str) -> ProgramAccess:
    """The program for the pages that run its people: its managers and the institution's
    admins. Anyone else, members included, gets 404, as an outsider would."""
    access = get_program_for(user, slug)
    if not access.can_manage:
        raise Http404("No such program")
    return access


def get_program_membership(access: ProgramAccess, membership_id: int) -> Membership:
    """One of the program's memberships (ended ones included); 404 otherwise."""
    membership = (
        Membership.objects.select_related("person", "program")
        .filter(pk=membership_id, program=access.program)
        .first()
    )
    if membership is None:
        raise Http404("No such membership")
    return membership
