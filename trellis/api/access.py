"""Who may act on a token, and into which institution someone may import a framework.
Someone else's token, or an institution one has nothing to do with, is a 404."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404

from trellis.api.models import ApiToken
from trellis.frameworks.access import institutions_importable_by
from trellis.people.models import Institution, User
from trellis.people.selectors import institutions_of


def get_api_token_for(user: User, prefix: str) -> ApiToken:
    token = ApiToken.objects.filter(user_id=user.pk, prefix=prefix).first()
    if token is None:
        raise Http404("No such token")
    return token


def get_import_institution_for(user: User, slug: str | None = None) -> Institution:
    """The institution `user` may import frameworks into (see institutions_importable_by).
    `slug` picks one; without it, managing programs of several is a ValueError."""
    importable = {i.slug: i for i in institutions_importable_by(user)}
    if slug:
        if slug in importable:
            return importable[slug]
        if institutions_of(person=user).filter(slug=slug).exists():
            raise PermissionDenied("You do not manage a program of this institution")
        raise Http404("No such institution")
    if not importable:
        raise PermissionDenied("Only coordinators, directors and admins may import frameworks")
    if len(importable) > 1:
        raise ValueError("You manage programs of several institutions: say which one")
    return next(iter(importable.values()))
