"""Who may see a learner's data: the one policy every access module uses.

A learner's data (their record, schedule, logs, assessments) is visible to:
- the learner themself;
- the program's staff: the roles of the audience's `staff` set (it differs by what is
  seen: the faculty-development lead sees schedules, not records);
- a member holding one of the audience's `supervisors` roles who supervises the learner
  in the program (the supervision fact lives in scheduling; callers pass it in, lazily,
  so the query runs only when the answer depends on it).

Developmental data (Clinician Educator Milestones) is not a learner's data in this sense:
it stays its owner's, and the callers that read it exclude it (see
`trellis.assessments.evidence`).
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass

from trellis.people.models import Role, User

# Staff who read every learner's record, assessments and logs in their program.
PROGRAM_STAFF = frozenset({Role.COORDINATOR, Role.DIRECTOR, Role.COMMITTEE, Role.ADMIN})
# Roles that supervise and rate learners (directors and committee members also teach).
SUPERVISORS = frozenset({Role.FACULTY, Role.DIRECTOR, Role.COMMITTEE})


@dataclass(frozen=True)
class Audience:
    """Who, besides the learner, sees one kind of a learner's data."""

    name: str
    staff: frozenset[Role]
    supervisors: frozenset[Role]


# The record, its item pages and charts, and the assessments the record links to.
RECORD = Audience("record", staff=PROGRAM_STAFF, supervisors=frozenset({Role.FACULTY}))
# The schedule: the faculty-development lead plans workshops around it.
SCHEDULE = Audience(
    "schedule", staff=PROGRAM_STAFF | {Role.FD_LEAD}, supervisors=frozenset({Role.FACULTY})
)
# Case and procedure logs: whoever may be asked to verify an entry sees the learner's logs.
LOGS = Audience("logs", staff=PROGRAM_STAFF, supervisors=SUPERVISORS)


def is_staff_for(roles: Collection[Role], audience: Audience = RECORD) -> bool:
    """Whether these roles see every learner's data of this kind."""
    return not audience.staff.isdisjoint(roles)


def may_see_learner(
    *,
    viewer: User,
    learner: User,
    roles: Collection[Role],
    audience: Audience,
    supervises: Callable[[], bool],
) -> bool:
    """Whether `viewer`, holding `roles` in the learner's program, may see this kind of the
    learner's data. `supervises` answers whether the viewer supervises the learner in
    that program; it is called only when the answer depends on it."""
    if learner.pk == viewer.pk or is_staff_for(roles, audience):
        return True
    return not audience.supervisors.isdisjoint(roles) and supervises()
