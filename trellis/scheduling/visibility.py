"""The learner-visibility policy of `trellis.people.visibility`, with the supervision fact
this app holds (a named supervisor on one of the learner's assignments in the program).
Every access module that shows a learner's data asks here."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from trellis.people.access import ProgramAccess, get_program_learner
from trellis.people.models import User
from trellis.people.visibility import Audience, may_see_learner
from trellis.scheduling.selectors import supervises


def learner_visible_to(
    *, access: ProgramAccess, viewer: User, learner: User, audience: Audience
) -> bool:
    """Whether `viewer` (a member of `access.program`) may see this kind of `learner`'s data."""
    return may_see_learner(
        viewer=viewer,
        learner=learner,
        roles=access.roles,
        audience=audience,
        supervises=lambda: supervises(faculty=viewer, learner=learner, program=access.program),
    )


def get_visible_learner(
    *, access: ProgramAccess, viewer: User, learner_id: int, audience: Audience
) -> User:
    """A learner of the program whose data of this kind `viewer` may see: 404 if the person
    was never a learner of the program, 403 if they were but are not this viewer's to see."""
    learner = get_program_learner(access.program, learner_id)
    if not learner_visible_to(access=access, viewer=viewer, learner=learner, audience=audience):
        raise PermissionDenied(f"You may not see this learner's {audience.name}")
    return learner
