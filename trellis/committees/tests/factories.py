"""A crafted committee: the named people's program with IM milestones and the AAMC EPAs
adopted (and the developmental Clinician Educator Milestones, which must never show up),
and an open review cycle with learner pre-reviewed by committee@."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from trellis.committees.models import Review, ReviewCycle
from trellis.committees.services import (
    cycle_create,
    cycle_sign_off,
    decision_record,
    reviewers_assign,
)
from trellis.frameworks.models import Framework, Item
from trellis.frameworks.services import framework_adopt
from trellis.testing import People


@dataclass
class Committee:
    people: People
    cycle: ReviewCycle
    review: Review
    review2: Review
    pc1: Item
    pc2: Item
    epa1: Item
    cem_item: Item


def make_committee(people: People) -> Committee:
    milestones = Framework.objects.get(slug="im-milestones-2")
    epas = Framework.objects.get(slug="aamc-core-epas")
    cem = Framework.objects.get(slug="clinician-educator-milestones")
    assert cem.developmental
    for fw in (milestones, epas, cem):
        framework_adopt(program=people.program, framework=fw, acting_user=None)
    cycle = cycle_create(
        program=people.program,
        name="2026 Spring",
        period_start=dt.date(2025, 7, 1),
        period_end=dt.date(2025, 12, 31),
        meeting_date=dt.date(2026, 1, 15),
        acting_user=people.coordinator,
    )
    review = cycle.reviews.get(learner=people.learner)
    review2 = cycle.reviews.get(learner=people.learner2)
    reviewers_assign(
        cycle=cycle,
        assignments={review: people.committee, review2: people.director},
        acting_user=people.coordinator,
    )
    review.refresh_from_db()
    return Committee(
        people=people,
        cycle=cycle,
        review=review,
        review2=review2,
        pc1=Item.objects.get(framework=milestones, code="PC1"),
        pc2=Item.objects.get(framework=milestones, code="PC2"),
        epa1=Item.objects.get(framework=epas, code="EPA1"),
        cem_item=cem.items.filter(kind="subcompetency").first() or cem.items.first(),  # type: ignore[assignment]
    )


def decide_all_and_sign(c: Committee) -> None:
    for review in (c.review, c.review2):
        decision_record(
            review=review, outcome="advance", rationale="On track.", acting_user=c.people.director
        )
    cycle_sign_off(cycle=c.cycle, acting_user=c.people.director)
    c.cycle.refresh_from_db()
    c.review.refresh_from_db()
    c.review2.refresh_from_db()


L = Decimal
