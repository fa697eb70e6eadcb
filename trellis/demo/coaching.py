"""Coaching in the demo: the featured resident's coach is the featured faculty member;
they wrote to each other, the resident wrote a plan of their own that the coach reviewed,
and shared one note with the committee. Every other first-year resident has a coach."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from trellis.assessments.evidence import record_adoptions, record_items
from trellis.frameworks.models import ItemKind
from trellis.plans.coaching import (
    coaching_assign,
    may_coach,
    note_add,
    note_share,
    plan_review,
)
from trellis.plans.services import plan_create

if TYPE_CHECKING:
    from trellis.demo.generator import Demo


def generate_coaching(*, demo: Demo) -> int:
    """The number of coachings made."""
    program = demo.programs.residency
    people = demo.people
    resident, coach = people.logins.get("resident"), people.logins.get("faculty")
    coordinator = people.coordinator
    if resident is None or coach is None:
        return 0
    coaching = coaching_assign(
        program=program, learner=resident, coach=coach, acting_user=coordinator
    )
    made = 1
    coaches = [c for c in may_coach(program=program) if c.pk != coach.pk]
    for n, learner in enumerate(people.residents.get(1, [])):
        if learner.pk != resident.pk and coaches:
            coaching_assign(
                program=program,
                learner=learner,
                coach=coaches[n % len(coaches)],
                acting_user=coordinator,
            )
            made += 1
    first = note_add(
        coaching=coaching,
        text="My presentations run long on busy call nights. I'd like a plan for that.",
        acting_user=resident,
    )
    note_add(
        coaching=coaching,
        text="Let's try a 60-second structure: one-liner, overnight events, plan by problem. "
        "Ask your senior to time you twice this week.",
        acting_user=coach,
    )
    note_share(note=first, shared=True, acting_user=resident)
    items = [
        i
        for i in record_items(adoptions=record_adoptions(program=program))
        if i.kind == ItemKind.SUBCOMPETENCY and i.code.startswith("ICS")
    ]
    if items:
        plan = plan_create(
            owner=resident,
            program=program,
            item=items[0],
            current_level=Decimal(2),
            target_level=Decimal(3),
            actions="Present each new admission in 60 seconds; ask my senior to time two a week.",
            evidence="Two observations on presentations at level 3 by the end of the block.",
            acting_user=resident,
        )
        plan_review(
            plan=plan,
            note="Specific and measurable. Add one check-in at mid-block.",
            acting_user=coach,
        )
    return made
