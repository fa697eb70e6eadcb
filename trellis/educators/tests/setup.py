"""Helpers for the educators' tests: educators with self-assessments, shared or not."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from trellis.assessments.models import Assessment
from trellis.educators.selectors import cem_subcompetencies
from trellis.educators.services import self_assessment_submit
from trellis.frameworks.models import Item
from trellis.people.models import Department, Role, User
from trellis.plans.models import ShareScope
from trellis.plans.services import share_grant
from trellis.testing import People, add_member, make_user


def items() -> list[Item]:
    return cem_subcompetencies()


def assess(
    person: User, people: People, level: str = "2.5", day: dt.date | None = None
) -> Assessment:
    return self_assessment_submit(
        educator=person,
        program=people.fd_program,
        levels={i: Decimal(level) for i in items()[:3]},
        observed_on=day or dt.date(2026, 1, 10),
        acting_user=person,
    )


def sharers(people: People, n: int, *, department: str = "Medicine") -> list[User]:
    """n more educators, each with a self-assessment shared with the office."""
    dept, _ = Department.objects.get_or_create(institution=people.institution, name=department)
    out = []
    start = User.objects.filter(department=dept).count()  # a second call adds more
    for k in range(start, start + n):
        u = make_user(f"ed{department}{k}@riverside.test", "Ed", f"{department}{k}")
        u.department = dept
        u.save()
        add_member(u, people.fd_program, Role.EDUCATOR)
        assess(u, people, level=str(1 + k % 5))
        share_grant(
            owner=u, scope=ShareScope.SELF_ASSESSMENTS, office=people.fd_program, acting_user=u
        )
        out.append(u)
    return out
