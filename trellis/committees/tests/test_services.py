from __future__ import annotations

import datetime as dt

import pytest

from trellis.audit.models import AuditEvent
from trellis.committees.models import CommitteeLevel, CycleStatus, Decision, ReviewCycle
from trellis.committees.proposals import level_propose
from trellis.committees.rules import CommitteeError, review_items
from trellis.committees.selectors import (
    committee_levels_for,
    current_levels,
    previous_levels,
)
from trellis.committees.services import (
    DecisionInput,
    LevelInput,
    committee_level_record,
    correction_record,
    cycle_create,
    cycle_sign_off,
    decision_record,
    entrustment_record,
)
from trellis.committees.tests.factories import L, decide_all_and_sign, make_committee
from trellis.plans.models import Plan
from trellis.testing import People


def test_it_opens_a_review_for_every_current_learner(people: People) -> None:
    c = make_committee(people)
    assert {r.learner for r in c.cycle.reviews.all()} == {people.learner, people.learner2}
    assert c.review.training_year == 1
    assert AuditEvent.objects.filter(action="committee.cycle_create").count() == 1


def test_it_never_reviews_developmental_items(people: People) -> None:
    c = make_committee(people)
    items = list(review_items(program=people.program))
    assert c.pc1 in items
    assert all(not it.framework.developmental for it in items)


def test_it_keeps_level_changes_as_rows(people: People) -> None:
    c = make_committee(people)
    first = committee_level_record(
        review=c.review, item=c.pc1, level=L("2.5"), acting_user=people.committee
    )
    assert first is not None
    same = committee_level_record(
        review=c.review, item=c.pc1, level=L("2.5"), acting_user=people.committee
    )
    assert same is None
    second = committee_level_record(
        review=c.review,
        item=c.pc1,
        level=None,
        not_yet_assessable=True,
        acting_user=people.committee,
    )
    assert second is not None and second.supersedes == first
    assert current_levels(review=c.review)[c.pc1.pk] == second
    assert CommitteeLevel.objects.filter(review=c.review).count() == 2


def test_it_refuses_a_level_off_the_scale(people: People) -> None:
    c = make_committee(people)
    with pytest.raises(CommitteeError, match="not a level"):
        committee_level_record(
            review=c.review, item=c.pc1, level=L("2.25"), acting_user=people.committee
        )
    with pytest.raises(CommitteeError, match="required"):
        committee_level_record(
            review=c.review, item=c.pc1, level=None, acting_user=people.committee
        )


def test_it_refuses_to_record_after_sign_off(people: People) -> None:
    c = make_committee(people)
    decide_all_and_sign(c)
    assert c.cycle.status == CycleStatus.SIGNED_OFF
    with pytest.raises(CommitteeError, match="signed off"):
        committee_level_record(
            review=c.review, item=c.pc1, level=L("2"), acting_user=people.committee
        )
    with pytest.raises(CommitteeError, match="signed off"):
        decision_record(
            review=c.review, outcome="advance", rationale="x", acting_user=people.director
        )
    with pytest.raises(CommitteeError, match="signed off"):
        level_propose(review=c.review, item=c.pc1, level=L("2"), acting_user=people.committee)
    with pytest.raises(CommitteeError, match="signed off"):
        entrustment_record(review=c.review, item=c.epa1, level=L("3"), acting_user=people.director)


def test_it_signs_off_only_when_everyone_is_decided_and_only_by_the_director(
    people: People,
) -> None:
    c = make_committee(people)
    decision_record(
        review=c.review, outcome="advance", rationale="Fine.", acting_user=people.committee
    )
    with pytest.raises(CommitteeError, match="Luis Alvarez"):
        cycle_sign_off(cycle=c.cycle, acting_user=people.director)
    decision_record(
        review=c.review2, outcome="advance", rationale="Fine.", acting_user=people.committee
    )
    with pytest.raises(CommitteeError, match="may not sign off"):
        cycle_sign_off(cycle=c.cycle, acting_user=people.committee)
    cycle_sign_off(cycle=c.cycle, acting_user=people.director)


def test_it_corrects_after_lock_with_a_superseding_row_and_audit(people: People) -> None:
    c = make_committee(people)
    original = committee_level_record(
        review=c.review, item=c.pc1, level=L("2"), acting_user=people.committee
    )
    decide_all_and_sign(c)
    with pytest.raises(CommitteeError, match="reason"):
        correction_record(
            review=c.review,
            change=LevelInput(c.pc1, L("2.5")),
            reason=" ",
            acting_user=people.director,
        )
    row = correction_record(
        review=c.review,
        change=LevelInput(c.pc1, L("2.5")),
        reason="Typo in the meeting",
        acting_user=people.director,
    )
    assert isinstance(row, CommitteeLevel)
    assert row.supersedes == original and row.reason == "Typo in the meeting"
    original.refresh_from_db()
    assert original.level == L("2")  # never updated
    event = AuditEvent.objects.get(action="committee.level_correct")
    assert event.before is not None and event.after is not None
    assert event.before["level"] == "2.0" or float(event.before["level"]) == 2.0
    assert float(event.after["level"]) == 2.5 and event.after["reason"] == "Typo in the meeting"
    history = committee_levels_for(learner=people.learner, program=people.program)
    assert history[0].levels[c.pc1.pk] == row


def test_it_corrects_a_decision(people: People) -> None:
    c = make_committee(people)
    decide_all_and_sign(c)
    with pytest.raises(CommitteeError, match="may not"):
        correction_record(
            review=c.review,
            change=DecisionInput("extension", "More time"),
            reason="r",
            acting_user=people.committee,
        )
    row = correction_record(
        review=c.review,
        change=DecisionInput("extension", "More time"),
        reason="Appeal upheld",
        acting_user=people.director,
    )
    assert isinstance(row, Decision) and row.supersedes is not None
    assert Decision.objects.filter(review=c.review).count() == 2


def test_it_refuses_a_correction_before_sign_off(people: People) -> None:
    c = make_committee(people)
    with pytest.raises(CommitteeError, match="not signed off"):
        correction_record(
            review=c.review,
            change=LevelInput(c.pc1, L("2")),
            reason="r",
            acting_user=people.director,
        )


def test_it_opens_a_plan_when_advancing_with_a_plan(people: People) -> None:
    from trellis.committees.services import PlanInput

    c = make_committee(people)
    with pytest.raises(CommitteeError, match="needs the plan"):
        decision_record(
            review=c.review,
            outcome="advance_with_plan",
            rationale="x",
            acting_user=people.committee,
        )
    decision = decision_record(
        review=c.review,
        outcome="advance_with_plan",
        rationale="Progressing; PC1 behind.",
        plan=PlanInput(c.pc1, L("2.5"), "Two extra ward weeks with direct observation"),
        acting_user=people.committee,
    )
    plan = Plan.objects.get(owner=people.learner)
    assert plan.item == c.pc1
    assert (plan.opened_by_type, plan.opened_by_id) == ("committees.decision", str(decision.pk))


def test_it_shows_the_previous_cycle_level(people: People) -> None:
    import datetime as dt

    from trellis.committees.services import cycle_create

    c = make_committee(people)
    committee_level_record(
        review=c.review, item=c.pc1, level=L("1.5"), acting_user=people.committee
    )
    decide_all_and_sign(c)
    later = cycle_create(
        program=people.program,
        name="2026 Fall",
        period_start=dt.date(2026, 1, 1),
        period_end=dt.date(2026, 6, 30),
        meeting_date=dt.date(2026, 7, 10),
        acting_user=people.coordinator,
    )
    review = later.reviews.get(learner=people.learner)
    assert previous_levels(review=review)[c.pc1.pk].level == L("1.5")


def test_a_cycle_with_an_implausible_date_is_refused(people: People) -> None:
    with pytest.raises(CommitteeError, match="meeting date 0001-01-01 is before 1990-01-01"):
        cycle_create(
            program=people.program,
            name="Typo",
            period_start=dt.date(2025, 7, 1),
            period_end=dt.date(2025, 12, 31),
            meeting_date=dt.date(1, 1, 1),
            acting_user=people.coordinator,
        )
    assert not ReviewCycle.objects.filter(name="Typo").exists()
