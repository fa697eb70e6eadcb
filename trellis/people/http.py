"""The request a view gets once `login_required` has let it through."""

from __future__ import annotations

from django.http import HttpRequest

from trellis.people.models import User


class AuthenticatedRequest(HttpRequest):
    """For type checking only: behind `login_required`, `request.user` is a User."""

    user: User  # type: ignore[assignment]
