from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from trellis.assessments.evidence import learner_evidence, trend_per_month
from trellis.records.tests.factories import make_record, rate
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


def test_it_uses_a_fixed_number_of_queries(people: People, django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
    make_record(people)
    with django_assert_num_queries(10):
        ev = learner_evidence(program=people.program, learner=people.learner)
    assert len(ev.items) > 20


def test_it_reads_the_comment_tags_in_a_query_that_does_not_grow_with_the_comments(
    people: People,
) -> None:
    rec = make_record(people)

    def queries() -> list[str]:
        with CaptureQueriesContext(connection) as ctx:
            learner_evidence(program=people.program, learner=people.learner)
        return [q["sql"] for q in ctx.captured_queries]

    few = queries()
    for n in range(40):
        rate(
            rec,
            subject=people.learner,
            day=dt.date.today() - dt.timedelta(days=n),
            levels={rec.pc1: Decimal("2.0")},
            comment=f"Comment {n}",
        )
    many = queries()
    # The same statements whatever the number of comments: no comment id is a parameter.
    assert [len(q) for q in many] == [len(q) for q in few]
    pc1 = learner_evidence(program=people.program, learner=people.learner).for_item(rec.pc1.pk)
    assert pc1 is not None and len(pc1.comments) == 41


def test_it_leaves_comments_out_when_not_asked_for_them(
    people: People, django_assert_num_queries
) -> None:  # type: ignore[no-untyped-def]
    rec = make_record(people)
    with django_assert_num_queries(8):
        ev = learner_evidence(program=people.program, learner=people.learner, with_comments=False)
    assert all(e.comments == [] for e in ev.items)
    pc1 = ev.for_item(rec.pc1.pk)
    assert pc1 is not None and pc1.count == 3  # the rest of the evidence is all there
    with django_assert_num_queries(10):
        learner_evidence(program=people.program, learner=people.learner)


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


def test_an_assessments_ratings_are_read_from_one_index_that_carries_them(db: None) -> None:
    with connection.cursor() as cursor:
        indexes = {
            name: c
            for name, c in connection.introspection.get_constraints(
                cursor, "assessments_rating"
            ).items()
            if c["index"] and not c["unique"] and not c["primary_key"]
        }
    assert indexes["rating_by_assessment"]["columns"][0] == "assessment_id"
    # The plain index on the assessment went: this one leads with it.
    assert [n for n, c in indexes.items() if c["columns"] == ["assessment_id"]] in (
        [],
        ["rating_by_assessment"],
    )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT indexdef FROM pg_indexes WHERE indexname = 'rating_by_assessment'"
            )
            assert "INCLUDE (item_id, level, not_observed)" in cursor.fetchone()[0]
