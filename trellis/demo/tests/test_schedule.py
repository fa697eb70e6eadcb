"""The demo schedule: a full year for every learner, capacities respected, 1-2 supervisors."""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter

from trellis.curriculum.models import Activity, ActivityKind
from trellis.demo.schedule import generate_schedule
from trellis.people.models import Role
from trellis.scheduling.models import Assignment, Rotation
from trellis.scheduling.selectors import supervised_learners_on, unassigned_weeks
from trellis.testing import People, add_member, make_user

START = dt.date(2030, 7, 1)


def residents(people: People, per_year: int = 6) -> None:
    for year in (1, 2, 3):
        for i in range(per_year):
            person = make_user(f"r{year}{i}@riverside.test", "R", f"Y{year}N{i}")
            add_member(person, people.program, Role.LEARNER, training_year=year)


def test_it_schedules_every_learner_for_the_whole_year_within_capacity(people: People) -> None:
    residents(people)
    today = START + dt.timedelta(days=100)
    demo = generate_schedule(
        program=people.program,
        year_start=START,
        rng=random.Random(7),
        featured_faculty=people.faculty,
        today=today,
    )
    assert demo.year.blocks.count() == 13
    assert {s.name for s in demo.sites} == {
        "University Hospital",
        "VA Medical Center",
        "Community Clinic",
    }
    assert demo.unassigned_blocks == 0
    learners = 2 + 18
    assert Assignment.objects.count() == learners * 13
    assert unassigned_weeks(year=demo.year) == []
    per_block: Counter[tuple[int, int]] = Counter()
    for a in Assignment.objects.select_related("rotation"):
        per_block[(a.rotation_id, a.start_date.toordinal())] += 1
        assert 1 <= a.supervisors.count() <= 2
    capacities = dict(Rotation.objects.values_list("pk", "capacity"))
    assert all(count <= (capacities[pk] or 999) for (pk, _), count in per_block.items())
    assert len(supervised_learners_on(faculty=people.faculty, day=today)) >= 1
    # Interns do more wards than seniors.
    wards = Counter(
        a.learner.memberships.get(role=Role.LEARNER).training_year
        for a in Assignment.objects.filter(rotation__activity__code="WARDS")
    )
    assert wards[1] > wards[3]


def test_it_uses_the_programs_clinical_experiences_when_there_are_some(people: People) -> None:
    for i, (code, title) in enumerate(
        [
            ("IM-IN", "Inpatient Medicine"),
            ("IM-AMB", "Ambulatory Clinic"),
            ("IM-CCU", "Cardiac Care"),
        ]
    ):
        Activity.objects.create(
            program=people.program,
            kind=ActivityKind.CLINICAL_EXPERIENCE,
            code=code,
            title=title,
            position=i,
        )
    demo = generate_schedule(program=people.program, year_start=START, rng=random.Random(1))
    assert {r.code for r in demo.rotations} == {"IM-IN", "IM-AMB", "IM-CCU"}
    clinic = Assignment.objects.filter(rotation__activity__code="IM-AMB").first()
    assert clinic is not None and clinic.site.code == "CC"
    assert Assignment.objects.count() == 2 * 13
