"""Who may do what in the educators' pages. Anyone without a right gets 404, so not even
the existence of another person's developmental data is revealed."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import Http404

from trellis.curriculum.models import Activity, ActivityKind
from trellis.educators.models import PeerInvitation
from trellis.educators.selectors import educator_programs
from trellis.people.access import get_program_for
from trellis.people.models import Program, ProgramKind, Role, User
from trellis.plans.models import ShareScope
from trellis.plans.selectors import plans_shared_with, shared_scopes


@dataclass(frozen=True)
class Practice:
    person: User
    program: Program


def get_practice_for(user: User) -> Practice:
    """The signed-in educator's own practice, in their faculty-development program."""
    if not user.is_authenticated:
        raise Http404("No practice")
    programs = educator_programs(person=user)
    if not programs:
        raise Http404("No practice")
    return Practice(person=user, program=programs[0])


@dataclass(frozen=True)
class SharedView:
    owner: User
    scopes: frozenset[str]
    has_plans: bool


def get_shared_for(viewer: User, owner_pk: int) -> SharedView:
    """What `owner` shares with `viewer` now; 404 when nothing (or only to oneself)."""
    if not viewer.is_authenticated or viewer.pk == owner_pk:
        raise Http404("Nothing shared")
    owner = User.objects.filter(pk=owner_pk).first()
    if owner is None:
        raise Http404("Nothing shared")
    scopes = set(shared_scopes(owner=owner, viewer=viewer))
    if ShareScope.PORTFOLIO in scopes:
        scopes.add("teaching")  # learners' evaluations, already in groups of three or more
    has_plans = plans_shared_with(owner=owner, viewer=viewer).exists()
    if not scopes and not has_plans:
        raise Http404("Nothing shared")
    return SharedView(owner=owner, scopes=frozenset(scopes), has_plans=has_plans)


def get_office_for(user: User, slug: str) -> Program:
    """A faculty-development office, for its lead (or an institution admin)."""
    access = get_program_for(user, slug)
    if access.program.kind != ProgramKind.FACULTY_DEVELOPMENT or not (
        access.roles & {Role.FD_LEAD, Role.ADMIN}
    ):
        raise Http404("No such office")
    return access.program


def get_peer_invitation_for(user: User, token: str) -> PeerInvitation:
    """The invitation, for the colleague it was sent to only."""
    if not user.is_authenticated:
        raise Http404("No such invitation")
    invitation = (
        PeerInvitation.objects.select_related("educator", "program")
        .filter(token=token, colleague=user)
        .first()
    )
    if invitation is None:
        raise Http404("No such invitation")
    return invitation


def get_workshop_for(user: User, pk: int) -> tuple[Practice, Activity]:
    """A workshop or module of the participant's own faculty-development program."""
    practice = get_practice_for(user)
    programs = [p.pk for p in educator_programs(person=user)]
    activity = (
        Activity.objects.filter(
            pk=pk,
            program_id__in=programs,
            kind__in=[ActivityKind.WORKSHOP, ActivityKind.MODULE],
        )
        .select_related("program")
        .first()
    )
    if activity is None:
        raise Http404("No such workshop")
    return practice, activity
