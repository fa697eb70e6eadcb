"""The backend a launch signs a person in with: it authenticates no one itself (the launch
view has checked the platform's signed id_token), and loads the signed-in person on each
later request as Django's own does, refusing an account switched off since."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest

from trellis.people.models import User

LTI_BACKEND = "trellis.connect.lti.backend.LTIBackend"


class LTIBackend(ModelBackend):
    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> User | None:
        return None
