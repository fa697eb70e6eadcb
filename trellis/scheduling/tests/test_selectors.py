"""The schedule's public reads, and the grids behind its pages."""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext

from trellis.curriculum.models import Emphasis, Mapping
from trellis.frameworks.models import Framework, Item, Scale
from trellis.people.models import Role
from trellis.scheduling.selectors import (
    academic_year_pick,
    learner_rotation_on,
    learner_year,
    program_grid,
    rotation_expected_items,
    rotation_roster,
    supervised_learners_on,
    supervises,
    unassigned_weeks,
)
from trellis.scheduling.services import assignment_create
from trellis.scheduling.tests.factories import Sched
from trellis.testing import add_member, make_user


def test_learner_rotation_on_gives_the_assignment_with_supervisors(sched: Sched) -> None:
    now = sched.block_now()
    a = learner_rotation_on(learner=sched.people.learner, day=now.start_date)
    assert a == sched.first
    assert a is not None
    with CaptureQueriesContext(connection) as queries:
        assert [s.email for s in a.supervisors.all()] == ["faculty@riverside.test"]
        assert a.rotation.activity.title == "General Medicine Wards"
        assert a.site.name == "University Hospital"
    assert len(queries) == 0
    assert (
        learner_rotation_on(learner=sched.people.learner, day=now.end_date + dt.timedelta(days=1))
        is None
    )
    assert learner_rotation_on(learner=sched.people.learner2, day=now.start_date) is None


def test_supervised_learners_on_lists_todays_assignments(sched: Sched) -> None:
    now = sched.block_now()
    assert supervised_learners_on(faculty=sched.people.faculty, day=now.start_date) == [sched.first]
    assert supervised_learners_on(faculty=sched.people.committee, day=now.start_date) == []
    assert (
        supervised_learners_on(
            faculty=sched.people.faculty, day=now.end_date + dt.timedelta(days=1)
        )
        == []
    )


def test_supervises_on_a_day_or_ever(sched: Sched) -> None:
    now = sched.block_now()
    p = sched.people
    assert supervises(faculty=p.faculty, learner=p.learner)
    assert supervises(faculty=p.faculty, learner=p.learner, day=now.end_date)
    assert not supervises(
        faculty=p.faculty, learner=p.learner, day=now.end_date + dt.timedelta(days=1)
    )
    assert not supervises(faculty=p.faculty, learner=p.learner2)
    assert not supervises(faculty=p.committee, learner=p.learner)
    assert not supervises(faculty=p.faculty, learner=p.learner, program=p.other_program)


def test_rotation_expected_items_are_the_assessed_mappings(sched: Sched) -> None:
    scale = Scale.objects.create(slug="s", name="S", kind="milestone")
    fw = Framework.objects.create(slug="im", identifier="im", title="IM", version="1", scale=scale)
    other = Framework.objects.create(slug="o", identifier="o", title="O", version="1", scale=scale)

    def item(framework: Framework, code: str, position: int) -> Item:
        return Item.objects.create(
            framework=framework,
            identifier=f"{framework.slug}-{code}",
            kind="subcompetency",
            code=code,
            name=code,
            statement=code,
            position=position,
        )

    pc1, pc2, mk1, o1 = (
        item(fw, "PC1", 1),
        item(fw, "PC2", 2),
        item(fw, "MK1", 3),
        item(other, "O1", 1),
    )
    activity = sched.wards.activity
    Mapping.objects.create(activity=activity, item=pc2, emphasis=Emphasis.ASSESSED)
    Mapping.objects.create(activity=activity, item=pc1, emphasis=Emphasis.ASSESSED)
    Mapping.objects.create(activity=activity, item=pc1, emphasis=Emphasis.INTRODUCED)
    Mapping.objects.create(activity=activity, item=mk1, emphasis=Emphasis.REINFORCED)
    Mapping.objects.create(activity=activity, item=o1, emphasis=Emphasis.ASSESSED)
    Mapping.objects.create(activity=sched.card.activity, item=mk1, emphasis=Emphasis.ASSESSED)
    assert list(rotation_expected_items(rotation=sched.wards, framework=fw)) == [pc1, pc2]
    assert set(rotation_expected_items(rotation=sched.wards)) == {pc1, pc2, o1}
    assert list(rotation_expected_items(rotation=sched.icu)) == []


def test_academic_year_pick_prefers_the_named_then_the_current(sched: Sched) -> None:
    program = sched.people.program
    assert academic_year_pick(program=program) == sched.year
    assert academic_year_pick(program=program, name=sched.year.name) == sched.year
    assert academic_year_pick(program=program, name="1999-2000") is None
    later = sched.year.end_date + dt.timedelta(days=400)
    assert academic_year_pick(program=program, day=later) == sched.year  # the latest
    earlier = sched.year.start_date - dt.timedelta(days=1)
    assert academic_year_pick(program=program, day=earlier) == sched.year  # the next


def test_learner_year_puts_assignments_in_their_blocks(sched: Sched) -> None:
    cells = learner_year(learner=sched.people.learner, year=sched.year)
    assert len(cells) == 13
    filled = [c for c in cells if c.assignments]
    assert len(filled) == 1 and filled[0].block == sched.block_now()


def test_program_grid_and_roster_use_few_queries(sched: Sched) -> None:
    for i in range(8):
        person = make_user(f"r{i}@riverside.test", "R", f"Resident{i:02d}")
        add_member(person, sched.people.program, Role.LEARNER, training_year=1 + i % 3)
        assignment_create(
            program=sched.people.program,
            year=sched.year,
            learner=person,
            rotation=sched.wards,
            site=sched.uh,
            start_date=sched.blocks[i].start_date,
            end_date=sched.blocks[i].end_date,
            supervisors=[sched.people.faculty],
            acting_user=None,
        )
    with CaptureQueriesContext(connection) as queries:
        grid = program_grid(year=sched.year)
    assert len(queries) <= 5
    assert len(grid.rows) == 10
    assert [r.training_year for r in grid.rows] == sorted(r.training_year or 99 for r in grid.rows)
    roster = rotation_roster(rotation=sched.wards, year=sched.year)
    assert sum(len(c.assignments) for c in roster) == 9


def test_unassigned_weeks_lists_gaps_as_ranges(sched: Sched) -> None:
    report = {g.learner.email: g for g in unassigned_weeks(year=sched.year)}
    assert report["learner2@riverside.test"].weeks == 53
    assert len(report["learner2@riverside.test"].ranges) == 1
    lena = report["learner@riverside.test"]
    assert lena.weeks == 53 - 4 or lena.weeks == 53 - 5  # the block spans 4 or 5 weeks
    assert all(r.start <= r.end for r in lena.ranges)
