"""Learners' self-assessments: the featured resident and the first resident of each year
placed themselves on the residency's milestones twice (six months and one month ago),
some generously and some modestly, so the record's Self column and the committee's packet
show gaps both ways."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import TYPE_CHECKING

from trellis.assessments.capture.self_assessment import (
    learner_self_assessment_submit,
    self_assessment_frameworks,
    self_assessment_items,
)
from trellis.frameworks.models import ItemKind

if TYPE_CHECKING:
    from trellis.demo.generator import Demo

STRENGTHS = (
    "I present new admissions clearly and on time.",
    "Families tell me they understand the plan.",
    "I ask for help early when a patient is getting worse.",
)
NEXT_STEPS = (
    "Lead one family meeting this month with my attending watching.",
    "Write my own discharge summaries within 24 hours.",
    "Run the code debrief on my next night shift.",
)


def _level(year: int, lean: float, rng: random.Random) -> Decimal:
    value = 1.5 + 0.8 * (year - 1) + lean + rng.choice((-0.5, 0, 0, 0.5))
    return Decimal(str(min(5.0, max(1.0, round(value * 2) / 2))))


def generate_self_assessments(*, demo: Demo, rng: random.Random) -> int:
    """The number of self-assessments recorded."""
    program = demo.programs.residency
    milestones = [
        a
        for a in self_assessment_frameworks(program=program)
        if a.framework.items.filter(kind=ItemKind.SUBCOMPETENCY).exists()
    ]
    if not milestones:
        return 0
    items = [
        i for i in self_assessment_items(adoption=milestones[0]) if i.kind == ItemKind.SUBCOMPETENCY
    ]
    people = demo.people
    learners = [(year, cohort[0]) for year, cohort in sorted(people.residents.items()) if cohort]
    featured = people.logins.get("resident")
    if featured is not None and featured not in [p for _, p in learners]:
        year = next((y for y, c in people.residents.items() if featured in c), 1)
        learners.append((year, featured))
    made = 0
    for n, (year, learner) in enumerate(learners):
        lean = (0.8, -0.6, 0.2)[n % 3]  # generous, modest, about right
        for months_ago, grown in ((6, 0.0), (1, 0.5)):
            day = demo.today - dt.timedelta(days=30 * months_ago)
            levels = {item: _level(year, lean + grown, rng) for item in rng.sample(items, 8)}
            learner_self_assessment_submit(
                program=program,
                learner=learner,
                levels=levels,
                strengths=rng.choice(STRENGTHS),
                next_step=rng.choice(NEXT_STEPS),
                observed_on=day,
                acting_user=learner,
                client_key=f"demo-self-{learner.pk}-{months_ago}",
            )
            made += 1
    return made
