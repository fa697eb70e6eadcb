"""Committee levels on the record: only signed-off cycles, the newest row per item."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from trellis.records.record import learner_record
from trellis.records.tests.factories import make_record
from trellis.testing import People

pytestmark = pytest.mark.django_db


def test_it_shows_signed_off_committee_levels_per_period(people: People) -> None:
    from trellis.committees.models import CommitteeLevel, CycleStatus, Review, ReviewCycle

    rec = make_record(people)
    today = dt.date.today()
    signed = ReviewCycle.objects.create(
        program=people.program, name="Spring", period_start=today - dt.timedelta(days=180),
        period_end=today - dt.timedelta(days=1), meeting_date=today,
        status=CycleStatus.SIGNED_OFF,
    )  # fmt: skip
    open_cycle = ReviewCycle.objects.create(
        program=people.program, name="Next", period_start=today, period_end=today,
        meeting_date=today,
    )  # fmt: skip
    for cycle, level in ((signed, "1.5"), (open_cycle, "3")):
        review = Review.objects.create(cycle=cycle, learner=people.learner, training_year=1)
        CommitteeLevel.objects.create(
            review=review, item=rec.pc1, level=Decimal(level), recorded_by=people.committee
        )
    record = learner_record(program=people.program, learner=people.learner)
    assert record.committee is not None
    assert [p.label for p in record.committee.periods] == ["Spring"]
    row = next(r for r in record.subcompetency_rows if r[0].item.pk == rec.pc1.pk)
    assert row[1] == [Decimal("1.5")]
