"""Who may read a framework. The shipped catalogue (institution null) is open to every
signed-in person; an institution's own frameworks to its members. Outsiders get 404.
A crosswalk belongs to an institution: its members read it, its managers change it."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet
from django.http import Http404

from trellis.frameworks.models import Crosswalk, Framework
from trellis.frameworks.selectors import frameworks_visible
from trellis.people.access import ProgramAccess
from trellis.people.models import PROGRAM_MANAGERS, Institution, Program, Role, User
from trellis.people.selectors import institutions_of, memberships_current, program_roles


def get_framework_for(user: User, slug: str) -> Framework:
    framework = frameworks_visible(user=user).filter(slug=slug).select_related("scale").first()
    if framework is None:
        raise Http404("No such framework")
    return framework


def institutions_importable_by(user: User) -> list[Institution]:
    """The institutions a person may import frameworks into: those where they manage a
    program (coordinator, director, faculty-development lead) or are an admin."""
    if not user.is_authenticated:
        return []
    found: dict[int, Institution] = {}
    for m in memberships_current(person=user).filter(role__in=PROGRAM_MANAGERS | {Role.ADMIN}):
        found.setdefault(m.institution_id, m.institution)
    return sorted(found.values(), key=lambda i: i.name)


@dataclass(frozen=True)
class CrosswalkAccess:
    crosswalk: Crosswalk
    can_edit: bool


def crosswalks_visible(*, user: User) -> QuerySet[Crosswalk]:
    """An institution's crosswalks, for its members."""
    if not user.is_authenticated:
        return Crosswalk.objects.none()
    return Crosswalk.objects.filter(institution__in=institutions_of(person=user))


def get_crosswalk_for(user: User, pk: int) -> CrosswalkAccess:
    """A crosswalk of the person's institution; its managers (those who import frameworks
    there) may edit and apply it. Anyone else gets 404."""
    crosswalk = (
        crosswalks_visible(user=user)
        .select_related("source", "target", "institution", "reviewed_by")
        .filter(pk=pk)
        .first()
    )
    if crosswalk is None:
        raise Http404("No such crosswalk")
    editors = {i.pk for i in institutions_importable_by(user)}
    return CrosswalkAccess(crosswalk=crosswalk, can_edit=crosswalk.institution_id in editors)


def programs_movable_by(user: User, crosswalk: Crosswalk) -> list[Program]:
    """The programs this person may move along `crosswalk`: those of its institution that
    use its source version now and that the person manages."""
    candidates = Program.objects.filter(
        institution_id=crosswalk.institution_id,
        adoptions__framework_id=crosswalk.source_id,
        adoptions__replaced_at=None,
    ).order_by("name")
    return [
        p
        for p in candidates
        if ProgramAccess(p, frozenset(program_roles(person=user, program=p))).can_manage
    ]
