"""Who may read a framework. The shipped catalogue (institution null) is open to every
signed-in person; an institution's own frameworks to its members. Outsiders get 404."""

from __future__ import annotations

from django.http import Http404

from trellis.frameworks.models import Framework
from trellis.frameworks.selectors import frameworks_visible
from trellis.people.models import User


def get_framework_for(user: User, slug: str) -> Framework:
    framework = frameworks_visible(user=user).filter(slug=slug).select_related("scale").first()
    if framework is None:
        raise Http404("No such framework")
    return framework
