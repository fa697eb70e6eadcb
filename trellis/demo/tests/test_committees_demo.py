from __future__ import annotations

import datetime as dt

from trellis.committees.models import CommitteeLevel, Decision, Outcome, ReviewCycle
from trellis.demo.generator import DemoSize, generate_demo
from trellis.plans.models import Plan


def test_the_demo_runs_a_full_signed_off_cycle(db: None) -> None:
    size = DemoSize(
        learners_per_year=2, years=3, faculty=12, committee=3, students_per_year=1, educators=2
    )
    demo = generate_demo(size=size, today=dt.date(2026, 1, 20), password=None)
    # generate_demo runs trellis.demo.committees.generate_review_cycle itself.
    cycle = ReviewCycle.objects.get(program=demo.programs.residency)
    assert cycle.is_locked
    assert cycle.reviews.count() == 6
    assert CommitteeLevel.objects.filter(review__cycle=cycle).exists()
    outcomes = set(Decision.objects.filter(review__cycle=cycle).values_list("outcome", flat=True))
    assert Outcome.ADVANCE_WITH_PLAN in outcomes
    assert Plan.objects.filter(program=demo.programs.residency).exists()
