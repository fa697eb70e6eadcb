from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from trellis.assessments.evidence import learner_evidence, trend_per_month
from trellis.records.tests.factories import make_record
from trellis.testing import People

pytestmark = pytest.mark.django_db


def test_it_gathers_ratings_per_item_excluding_drafts_and_anonymous_forms(people: People) -> None:
    rec = make_record(people)
    ev = learner_evidence(program=people.program, learner=people.learner)
    pc1 = ev.for_item(rec.pc1.pk)
    assert pc1 is not None
    assert [p.level for p in pc1.points] == [Decimal("1.0"), Decimal("1.5"), Decimal("2.0")]
    assert pc1.count == 3
    assert pc1.latest_level == Decimal("2.0")
    assert pc1.distribution == {Decimal("1.0"): 1, Decimal("1.5"): 1, Decimal("2.0"): 1}
    assert pc1.trend_per_month is not None and pc1.trend_per_month > 0
    assert pc1.expected_level == Decimal("2.0")  # year 1 of 3, graduating at 4
    assert {p.assessor_role for p in pc1.points} == {"faculty", "nurse"}
    assert [c[2] for c in pc1.comments] == ["Presents clearly; tighten the differential."]


def test_it_counts_not_observed_as_a_point_but_not_an_observation(people: People) -> None:
    rec = make_record(people)
    pc2 = learner_evidence(program=people.program, learner=people.learner).for_item(rec.pc2.pk)
    assert pc2 is not None
    assert len(pc2.points) == 2 and pc2.count == 1
    assert pc2.latest_level == Decimal("2.0")


def test_it_finds_entrustment_reached_twice(people: People) -> None:
    rec = make_record(people)
    epa1 = learner_evidence(program=people.program, learner=people.learner).for_item(rec.epa1.pk)
    assert epa1 is not None
    assert epa1.entrustment_reached == Decimal("3")


def test_it_limits_to_the_dates_given(people: People) -> None:
    rec = make_record(people)
    start = dt.date.today() - dt.timedelta(days=90)
    pc1 = learner_evidence(program=people.program, learner=people.learner, start=start).for_item(
        rec.pc1.pk
    )
    assert pc1 is not None and pc1.count == 2


def test_it_uses_a_fixed_number_of_queries(people: People, django_assert_max_num_queries) -> None:  # type: ignore[no-untyped-def]
    make_record(people)
    with django_assert_max_num_queries(10):
        ev = learner_evidence(program=people.program, learner=people.learner)
    assert len(ev.items) > 20


def test_it_leaves_out_developmental_frameworks_unless_asked(people: People) -> None:
    from trellis.frameworks.models import Framework
    from trellis.frameworks.services import framework_adopt

    make_record(people)
    dev = Framework.objects.get(slug="clinician-educator-milestones", developmental=True)
    framework_adopt(program=people.program, framework=dev, acting_user=None)
    normal = learner_evidence(program=people.program, learner=people.learner)
    wide = learner_evidence(
        program=people.program, learner=people.learner, include_developmental=True
    )
    assert all(not e.item.framework.developmental for e in normal.items)
    assert any(e.item.framework.developmental for e in wide.items)


def test_trend_is_none_with_one_date() -> None:
    assert trend_per_month([(dt.date(2025, 1, 1), Decimal(2))]) is None
