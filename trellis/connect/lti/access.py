"""Who may run a registration: the admins of its institution. Anyone else, program
managers included, gets 404, as an outsider would."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from trellis.connect.models import LtiPlatform
from trellis.people.models import Institution, Role, User
from trellis.people.selectors import memberships_current


def institutions_administered(user: User) -> QuerySet[Institution]:
    ids = memberships_current(person=user).filter(role=Role.ADMIN).values("institution_id")
    return Institution.objects.filter(pk__in=ids).order_by("name")


def require_lti_admin(user: User) -> QuerySet[Institution]:
    """The institutions whose LMS registrations the user runs; 404 for none."""
    institutions = institutions_administered(user)
    if not institutions.exists():
        raise Http404("No such page")
    return institutions


def get_platform_for(user: User, pk: int) -> LtiPlatform:
    platform = (
        LtiPlatform.objects.select_related("institution", "program")
        .filter(pk=pk, institution__in=institutions_administered(user))
        .first()
    )
    if platform is None:
        raise Http404("No such platform")
    return platform
