from __future__ import annotations

import datetime as dt

from trellis.assessments.comment_quality import level_text_mismatches
from trellis.assessments.evaluations import evaluation_results, period_containing
from trellis.assessments.evidence import learner_evidence, learner_self_levels
from trellis.assessments.models import Assessment, AssessorRole, FormKind
from trellis.committees.acgme import acgme_rows
from trellis.committees.models import CommitteeLevel, Decision, Outcome, ProposedLevel, ReviewCycle
from trellis.demo.generator import DemoSize, generate_demo
from trellis.plans.models import Plan


def test_the_demo_runs_a_full_signed_off_cycle(db: None) -> None:
    size = DemoSize(
        learners_per_year=2, years=3, faculty=12, committee=3, students_per_year=1, educators=2
    )
    demo = generate_demo(size=size, today=dt.date(2026, 1, 20), password=None)
    # generate_demo runs trellis.demo.committees.generate_review_cycle itself.
    cycles = ReviewCycle.objects.filter(program=demo.programs.residency)
    assert cycles.count() == 2
    cycle = next(c for c in cycles if c.is_locked)
    assert cycle.is_locked
    assert cycle.reviews.count() == 6
    assert CommitteeLevel.objects.filter(review__cycle=cycle).exists()
    outcomes = set(Decision.objects.filter(review__cycle=cycle).values_list("outcome", flat=True))
    assert Outcome.ADVANCE_WITH_PLAN in outcomes
    assert Plan.objects.filter(program=demo.programs.residency).exists()
    # Its ACGME upload can be made: the program and every resident carry ADS's identifiers.
    rows = acgme_rows(cycle=cycle)
    assert {row[0] for row in rows[1:]} == {"1409900001"}
    assert len({row[4] for row in rows[1:]}) == 6 and all(row[4] for row in rows[1:])
    # and this half's review, open, ready to pre-review: every learner has a pre-reviewer,
    # nothing is proposed yet, and the meeting is ahead
    current = next(c for c in cycles if not c.is_locked)
    assert current.meeting_date > demo.today >= current.period_end > cycle.period_end
    assert current.reviews.count() == 6
    assert not current.reviews.filter(pre_reviewer__isnull=True).exists()
    assert not CommitteeLevel.objects.filter(review__cycle=current).exists()
    assert not ProposedLevel.objects.filter(review__cycle=current).exists()
    # Residents placed themselves on the milestones, twice each, beside (not in) the evidence.
    featured = demo.people.logins["resident"]
    said = learner_self_levels(program=demo.programs.residency, learner=featured)
    assert len(said) >= 8
    own = Assessment.objects.filter(subject=featured, assessor_role=AssessorRole.SELF)
    assert own.count() == 2
    evidence = learner_evidence(program=demo.programs.residency, learner=featured)
    assert not {p.assessment_id for e in evidence.items for p in e.points} & {a.pk for a in own}
    # Learners evaluated their rotations: the program evaluation has released results.
    period = period_containing(program=demo.programs.residency, day=demo.today)
    rotations = evaluation_results(
        program=demo.programs.residency, kind=FormKind.ROTATION, period=period
    )
    assert rotations.responses and rotations.mean is not None
    # A rater's slip shows what the words-and-levels check finds.
    since = demo.today - dt.timedelta(days=90)
    assert level_text_mismatches(program=demo.programs.residency, since=since)
