"""Who may read a framework. The shipped catalogue (institution null) is open to every
signed-in person; an institution's own frameworks to its members. Outsiders get 404."""

from __future__ import annotations

from django.http import Http404

from trellis.frameworks.models import Framework
from trellis.frameworks.selectors import frameworks_visible
from trellis.people.models import PROGRAM_MANAGERS, Institution, Role, User
from trellis.people.selectors import memberships_current


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
