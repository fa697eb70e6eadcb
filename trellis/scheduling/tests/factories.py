"""`make_schedule` (behind the `sched` fixture): a schedule for the named people. The
current academic year cut into 13 blocks, three sites, three rotations (Cardiology takes
one learner at a time) and one assignment: the learner on Wards now, under faculty@."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from trellis.curriculum.models import Activity, ActivityKind
from trellis.scheduling.models import AcademicYear, Assignment, Block, Rotation, Site
from trellis.scheduling.services import (
    academic_year_create,
    assignment_create,
    blocks_generate,
    rotation_create,
    site_create,
)
from trellis.testing import People


def year_start(today: dt.date) -> dt.date:
    year = today.year if (today.month, today.day) >= (7, 1) else today.year - 1
    return dt.date(year, 7, 1)


@dataclass
class Sched:
    people: People
    year: AcademicYear
    blocks: list[Block]
    uh: Site
    va: Site
    wards: Rotation
    card: Rotation
    icu: Rotation
    first: Assignment  # the learner on Wards in the block that includes today

    def block_now(self) -> Block:
        today = timezone.localdate()
        return next(b for b in self.blocks if b.start_date <= today <= b.end_date)


def make_schedule(people: People) -> Sched:
    start = year_start(timezone.localdate())
    year = academic_year_create(
        program=people.program,
        name=f"{start.year}-{start.year + 1}",
        start_date=start,
        end_date=dt.date(start.year + 1, 6, 30),
        acting_user=people.coordinator,
    )
    blocks = blocks_generate(academic_year=year, acting_user=people.coordinator)
    uh = site_create(
        institution=people.institution, code="UH", name="University Hospital", acting_user=None
    )
    va = site_create(
        institution=people.institution, code="VA", name="VA Medical Center", acting_user=None
    )
    site_create(
        institution=people.institution, code="CC", name="Community Clinic", acting_user=None
    )
    wards = rotation_create(
        program=people.program, code="WARDS", title="General Medicine Wards", acting_user=None
    )
    card = rotation_create(
        program=people.program, code="CARD", title="Cardiology", capacity=1, acting_user=None
    )
    icu_activity = Activity.objects.create(
        program=people.program,
        kind=ActivityKind.CLINICAL_EXPERIENCE,
        code="ICU",
        title="Intensive Care",
    )
    icu = rotation_create(
        program=people.program, activity=icu_activity, capacity=2, acting_user=None
    )
    today = timezone.localdate()
    now = next(b for b in blocks if b.start_date <= today <= b.end_date)
    first = assignment_create(
        program=people.program,
        year=year,
        learner=people.learner,
        rotation=wards,
        site=uh,
        start_date=now.start_date,
        end_date=now.end_date,
        supervisors=[people.faculty],
        acting_user=people.coordinator,
    )
    return Sched(people, year, blocks, uh, va, wards, card, icu, first)
