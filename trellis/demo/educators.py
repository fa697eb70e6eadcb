"""Demo data for the educators' practice: self-assessments over time at varied levels,
a few peer observations, plans (one closed with a reflection), shares with the office and
with a coach, and coaching opt-ins. Enough educators share with the office for its
aggregate view to show (at least OFFICE_MINIMUM)."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

from trellis.educators.selectors import OFFICE_MINIMUM, cem_subcompetencies
from trellis.educators.services import (
    coaching_opt,
    peer_invite,
    peer_submit,
    self_assessment_submit,
)
from trellis.people.models import User
from trellis.plans.models import Plan, ShareScope
from trellis.plans.services import check_in_record, plan_close, plan_create, share_grant

if TYPE_CHECKING:
    from trellis.demo.generator import Demo

ACTIONS = [
    "Ask two learners for one thing to change after each bedside teaching session.",
    "Co-teach a workshop with an experienced colleague and debrief afterwards.",
    "Write learning objectives for each morning report and check them at the end.",
    "Observe a colleague's feedback conversation and try the same structure.",
]


@dataclass
class DemoEducators:
    self_assessments: int = 0
    peer_observations: int = 0
    plans: list[Plan] = field(default_factory=list)
    office_sharers: list[User] = field(default_factory=list)
    opted_in: list[User] = field(default_factory=list)


def _half(value: float) -> Decimal:
    return Decimal(str(max(1.0, min(5.0, round(value * 2) / 2))))


def generate_educator_data(*, demo: Demo, rng: random.Random) -> DemoEducators:
    out = DemoEducators()
    educators = list(demo.people.educators)
    if not educators:
        return out
    program = demo.programs.faculty_development
    items = cem_subcompetencies()
    today = demo.today
    for n, person in enumerate(educators):
        base = 1.5 + (n % 5) * 0.5 + rng.random() * 0.5
        for k in (3, 2, 1, 0)[rng.randint(0, 2) :]:
            levels = {
                i: _half(base + (3 - k) * 0.25 + rng.uniform(-0.75, 0.75))
                for i in items
                if rng.random() < 0.85
            }
            self_assessment_submit(
                educator=person,
                program=program,
                levels=levels,
                observed_on=today - dt.timedelta(days=120 * k + rng.randint(0, 20)),
                acting_user=person,
            )
            out.self_assessments += 1
    # Peer observations: each of the first three asks the next educator.
    for person, colleague in zip(educators[:3], educators[1:4], strict=False):
        invitation = peer_invite(
            educator=person,
            program=program,
            colleague=colleague,
            session=rng.choice(["Morning report", "Bedside teaching", "Journal club"]),
            acting_user=person,
        )
        peer_submit(
            invitation=invitation,
            levels={i: _half(2.5 + rng.uniform(-1, 1)) for i in rng.sample(items, 3)},
            comment="Clear objectives; learners were invited to commit to a plan.",
            observed_on=today - dt.timedelta(days=rng.randint(5, 60)),
            acting_user=colleague,
        )
        out.peer_observations += 1
    # Plans: one each for the first four; the featured educator also has a closed one.
    for n, person in enumerate(educators[:4]):
        item = rng.choice(items)
        plan = plan_create(
            owner=person,
            program=program,
            item=item,
            current_level=2,
            target_level=3,
            actions=ACTIONS[n % len(ACTIONS)],
            evidence="A peer observation at the next level.",
            check_ins=[today + dt.timedelta(days=30), today + dt.timedelta(days=90)],
            acting_user=person,
        )
        out.plans.append(plan)
    featured = educators[0]
    closed = plan_create(
        owner=featured,
        program=program,
        item=items[0],
        current_level=Decimal("1.5"),
        target_level=Decimal("2.5"),
        actions=ACTIONS[1],
        evidence="Learners' evaluations mention clearer objectives.",
        check_ins=[today - dt.timedelta(days=150)],
        acting_user=featured,
    )
    check_in_record(
        check_in=closed.check_ins.get(),
        note="Co-taught twice; the debrief helped.",
        done_on=today - dt.timedelta(days=148),
        acting_user=featured,
    )
    plan_close(
        plan=closed,
        reflection="Co-teaching showed me how to open a session with objectives; I now do it.",
        acting_user=featured,
    )
    out.plans.append(closed)
    # Shares: enough with the office for its aggregates; the featured educator also
    # shares self-assessments with the lead and one plan with a coach. The last stay private.
    fd_lead = demo.people.fd_lead
    sharing = educators[: max(OFFICE_MINIMUM, len(educators) - 2)]
    for person in sharing:
        share_grant(
            owner=person, scope=ShareScope.SELF_ASSESSMENTS, office=program, acting_user=person
        )
        out.office_sharers.append(person)
    share_grant(
        owner=featured, scope=ShareScope.SELF_ASSESSMENTS, grantee=fd_lead, acting_user=featured
    )
    if len(educators) > 1:
        share_grant(
            owner=featured,
            scope=ShareScope.PLAN,
            plan=out.plans[0],
            grantee=educators[1],
            acting_user=featured,
        )
    for person in educators[::2]:
        coaching_opt(person=person, opted_in=True, acting_user=person)
        out.opted_in.append(person)
    return out
