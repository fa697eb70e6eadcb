"""A demo program's committee (the residency's, and the school's student progress
committee), built through the services (so it is audited like real
data): last semiannual review, signed off (pre-reviewers assigned, levels proposed from
each learner's evidence, the committee's levels, decisions, one "advance with a learning
plan", the final year "ready to graduate", and the chair's sign-off); and this half's
review, open and ready to pre-review, its meeting two weeks ahead.

`generate_demo` calls `generate_review_cycle` after the assessments exist."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from trellis.assessments.evidence import learner_evidence
from trellis.committees.models import Outcome, ReviewCycle
from trellis.committees.proposals import ProposalInput, proposals_record
from trellis.committees.rules import nearest_level, review_items, suggested_level
from trellis.committees.services import (
    LevelInput,
    PlanInput,
    committee_levels_record,
    cycle_create,
    cycle_meeting_start,
    cycle_sign_off,
    decision_record,
    entrustment_record,
    reviewers_assign,
)
from trellis.frameworks.models import Item, ItemKind
from trellis.people.models import Program, User

if TYPE_CHECKING:
    from trellis.demo.generator import Demo


NOTES = (
    "Consistent across rotations; narrative comments agree with the ratings.",
    "Few direct observations this period; level rests mostly on end-of-rotation forms.",
    "Strong growth since the last review.",
    "Comments point to the same gap on two rotations.",
)


def cycle_name(day: dt.date) -> str:
    return f"{day.year} {'Spring' if day.month <= 6 else 'Fall'}"


# The last review met about six months ago; the next meets in two weeks.
LAST_MEETING_DAYS_AGO = 168
NEXT_MEETING_IN_DAYS = 14


@dataclass(frozen=True)
class CommitteeStaff:
    """Who runs a program's committee: the coordinator sets cycles up, the panel
    pre-reviews, the director records and signs off."""

    coordinator: User
    director: User
    panel: list[User]


def residency_staff(demo: Demo) -> CommitteeStaff:
    people = demo.people
    return CommitteeStaff(
        people.coordinator, people.director, people.committee or [people.director]
    )


def generate_review_cycle(
    *,
    demo: Demo,
    rng: random.Random,
    program: Program | None = None,
    staff: CommitteeStaff | None = None,
) -> ReviewCycle:
    """Both cycles of a program's committee (the residency's unless told); returns the
    signed-off one."""
    program = program or demo.programs.residency
    staff = staff or residency_staff(demo)
    signed_off = generate_signed_off_cycle(demo=demo, rng=rng, program=program, staff=staff)
    generate_open_cycle(demo=demo, after=signed_off, program=program, staff=staff)
    return signed_off


def generate_open_cycle(
    *,
    demo: Demo,
    after: ReviewCycle,
    program: Program | None = None,
    staff: CommitteeStaff | None = None,
) -> ReviewCycle:
    """This half's review: every learner's evidence since the last one, pre-reviewers
    assigned, nothing proposed yet, the meeting two weeks ahead."""
    program = program or demo.programs.residency
    people = staff or residency_staff(demo)
    meeting = demo.today + dt.timedelta(days=NEXT_MEETING_IN_DAYS)
    cycle = cycle_create(
        program=program,
        name=cycle_name(meeting),
        period_start=after.period_end + dt.timedelta(days=1),
        period_end=demo.today,
        meeting_date=meeting,
        acting_user=people.coordinator,
    )
    reviews = list(cycle.reviews.order_by("learner__last_name", "pk"))
    panel = people.panel
    reviewers_assign(
        cycle=cycle,
        assignments={r: panel[i % len(panel)] for i, r in enumerate(reviews)},
        acting_user=people.coordinator,
    )
    return cycle


def generate_signed_off_cycle(
    *,
    demo: Demo,
    rng: random.Random,
    program: Program | None = None,
    staff: CommitteeStaff | None = None,
) -> ReviewCycle:
    program = program or demo.programs.residency
    people = staff or residency_staff(demo)
    meeting = demo.today - dt.timedelta(days=LAST_MEETING_DAYS_AGO)
    cycle = cycle_create(
        program=program,
        name=cycle_name(meeting),
        period_start=meeting - dt.timedelta(days=182),
        period_end=meeting - dt.timedelta(days=1),
        meeting_date=meeting,
        acting_user=people.coordinator,
    )
    reviews = list(cycle.reviews.select_related("learner"))
    panel = people.panel
    reviewers_assign(
        cycle=cycle,
        assignments={r: panel[i % len(panel)] for i, r in enumerate(reviews)},
        acting_user=people.coordinator,
    )
    items = list(review_items(program=program))
    epas = list(review_items(program=program, kind=ItemKind.EPA))
    final_year = program.length_years
    lowest: tuple[Decimal, int, Item] | None = None
    for review in reviews:
        assert review.pre_reviewer is not None
        evidence = learner_evidence(
            program=program,
            learner=review.learner,
            start=cycle.period_start,
            end=cycle.period_end,
        )
        levels: list[LevelInput] = []
        proposals: list[ProposalInput] = []
        for item in items:
            ev = evidence.for_item(item.pk)
            # A committee weighs the period's evidence as the pre-review suggests it.
            base = suggested_level(ev, item) or (ev.expected_level if ev else None)
            if base is None or not (ev and ev.count):
                nya = rng.random() < 0.5
                base = base or Decimal(review.training_year or 1)
            else:
                nya = False
            level = None if nya else nearest_level(Decimal(base), item)
            note = rng.choice(NOTES) if rng.random() < 0.15 else ""
            proposals.append(ProposalInput(item, level, nya, note))
            levels.append(LevelInput(item, level, nya))
            if level is not None and (lowest is None or level < lowest[0]):
                lowest = (level, review.pk, item)
        proposals_record(review=review, proposals=proposals, acting_user=review.pre_reviewer)
        committee_levels_record(review=review, levels=levels, acting_user=people.director)
        for epa in epas:
            allowed = epa.accepted_levels()
            if allowed:
                at = min(len(allowed) - 1, (review.training_year or 1) + rng.randint(-1, 0))
                entrustment_record(
                    review=review, item=epa, level=allowed[max(at, 0)], acting_user=people.director
                )
    if reviews:
        cycle_meeting_start(cycle=cycle, acting_user=people.coordinator)
    plan_review = lowest[1] if lowest else None
    for review in reviews:
        if review.pk == plan_review and lowest is not None:
            level, _, item = lowest
            decision_record(
                review=review,
                outcome=Outcome.ADVANCE_WITH_PLAN,
                rationale=f"Progressing overall; {item.code} is below the expected level.",
                plan=PlanInput(
                    item,
                    nearest_level(level + 1, item),
                    "Direct observation on two more rotations; monthly check-in with the advisor.",
                ),
                acting_user=people.director,
            )
        elif review.training_year == final_year:
            decision_record(
                review=review,
                outcome=Outcome.GRADUATION_READY,
                rationale="Meets the graduation targets across the milestones.",
                acting_user=people.director,
            )
        else:
            decision_record(
                review=review,
                outcome=Outcome.ADVANCE,
                rationale="On the expected trajectory.",
                acting_user=people.director,
            )
    return cycle_sign_off(cycle=cycle, acting_user=people.director)
