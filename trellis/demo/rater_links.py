"""Multisource feedback through rater links: nurses, peers and patients (anonymous) who
have no account answered links about several residents; one link is still open and one
was revoked, so the coordinator's page shows every state. A patient kiosk ran in a clinic
session this morning (the featured resident and a colleague) and took three patients'
answers before the coordinator ended it."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db.models import Q

from trellis.assessments.capture.selectors import current_version
from trellis.assessments.capture.services import CommentInput, RatingInput
from trellis.assessments.kiosk.services import kiosk_end, kiosk_start, kiosk_submit
from trellis.assessments.links.services import (
    rater_link_create,
    rater_link_revoke,
    rater_link_submit,
)
from trellis.assessments.models import Form, FormKind
from trellis.frameworks.models import Item
from trellis.people.models import User

if TYPE_CHECKING:
    from trellis.demo.generator import Demo

NURSES = ("Nell Okafor", "Marta Quinn", "Sipho Dlamini", "Grace Lund")
PEERS = ("Tomás Reyes", "Ayesha Malik")
# (what went well, one thing to do next time): specific, as a nurse or patient sees it.
WORDS = (
    ("Explained the plan to the family in plain words.", "Check understanding with teach-back."),
    ("Answered pages quickly and came to see the patient.", "Close the loop on night handover."),
    ("Listened to my worries and did not rush me.", "Tell me who to call after discharge."),
    ("Asked the team for input before deciding.", "Share the plan with the nurse before rounds."),
)


def _levels(year: int, rng: random.Random) -> Decimal:
    base = 2.0 + 0.7 * (year - 1) + rng.choice((-0.5, 0, 0, 0.5))
    return Decimal(str(min(5.0, max(1.0, round(base * 2) / 2))))


def generate_rater_links(*, demo: Demo, rng: random.Random) -> int:
    """Answered links for the first resident of each year (and the featured resident);
    the number of answers recorded."""
    program = demo.programs.residency
    form = (
        Form.objects.filter(kind=FormKind.MULTISOURCE)
        .filter(Q(program=program) | Q(program=None))
        .first()
    )
    if form is None:
        return 0
    version = current_version(form)
    items = [q.item for q in version.questions.select_related("item")]
    people = demo.people
    learners = [cohort[0] for _, cohort in sorted(people.residents.items()) if cohort]
    featured = people.logins.get("resident")
    if featured is not None and featured not in learners:
        learners.append(featured)
    answered, raised = 0, False
    for learner in learners:
        year = next(y for y, c in people.residents.items() if learner in c)
        raters = [("nurse", n) for n in rng.sample(NURSES, 2)]
        raters += [("peer", rng.choice(PEERS)), ("patient", "")]
        for role, name in raters:
            made = rater_link_create(
                program=program,
                form=form,
                subject=learner,
                rater_role=role,
                rater_name=name,
                anonymous=role == "patient",
                acting_user=people.coordinator,
                may_ask_for_others=True,
            )
            went_well, next_time = rng.choice(WORDS)
            concern = learner == featured and role == "nurse" and not raised
            raised = raised or concern
            rater_link_submit(
                link=made.link,
                observed_on=demo.today - dt.timedelta(days=rng.randint(2, 60)),
                ratings=[RatingInput(item, _levels(year, rng)) for item in items],
                comments=[
                    CommentInput("went-well", went_well),
                    CommentInput("next-time", next_time),
                ],
                rater_name=name,
                answer_key=f"demo-{made.link.pk}",
                # One nurse raises a professionalism concern about the featured resident,
                # so the program view shows what a concern looks like.
                concerns=["professionalism"] if concern else [],
            )
            answered += 1
    if featured is not None:
        rater_link_create(
            program=program, form=form, subject=featured, rater_role="nurse",
            rater_name="Grace Lund", rater_email="grace.lund@riverside-hospital.example",
            acting_user=people.coordinator, may_ask_for_others=True,
        )  # fmt: skip
        revoked = rater_link_create(
            program=program, form=form, subject=featured, rater_role="staff",
            rater_name="Front desk", acting_user=people.coordinator, may_ask_for_others=True,
        )  # fmt: skip
        rater_link_revoke(link=revoked.link, acting_user=people.coordinator)
        answered += _kiosk(demo, form, items, featured, learners, rng)
    return answered


def _kiosk(
    demo: Demo,
    form: Form,
    items: list[Item],
    featured: User,
    learners: list[User],
    rng: random.Random,
) -> int:
    people = demo.people
    colleague = next((p for p in learners if p != featured), None)
    started = kiosk_start(
        program=demo.programs.residency,
        form=form,
        learners=[featured] + ([colleague] if colleague else []),
        label="Tuesday clinic, room 3",
        hours=4,
        acting_user=people.coordinator,
    )
    year = next(y for y, c in people.residents.items() if featured in c)
    for n in range(3):
        went_well, next_time = WORDS[(n + 2) % len(WORDS)]
        kiosk_submit(
            kiosk=started.kiosk,
            subject=featured,
            observed_on=demo.today,
            ratings=[RatingInput(item, _levels(year, rng)) for item in items],
            comments=[CommentInput("went-well", went_well), CommentInput("next-time", next_time)],
            answer_key=f"demo-kiosk-{n}",
        )
    kiosk_end(kiosk=started.kiosk, acting_user=people.coordinator)
    return 3
