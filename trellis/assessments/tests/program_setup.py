"""A program with a schedule for the request, log and exam tests: the named people and
`make_schedule`'s year, plus an assignment of learner2 on Cardiology that ended three days
ago under faculty@ and committee@, and a small log catalogue."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from trellis.assessments.models import Form, LogKind, LogType
from trellis.scheduling.models import Assignment
from trellis.scheduling.tests.factories import Sched, make_schedule
from trellis.testing import People


@dataclass
class Setup:
    people: People
    sched: Sched
    ended: Assignment
    eor: Form
    teaching: Form
    para: LogType
    cvc: LogType


def make_setup(people: People) -> Setup:
    sched = make_schedule(people)
    today = timezone.localdate()
    ended = Assignment.objects.create(
        learner=people.learner2,
        rotation=sched.card,
        site=sched.va,
        start_date=today - dt.timedelta(days=30),
        end_date=today - dt.timedelta(days=3),
    )
    ended.supervisors.set([people.faculty, people.committee])
    para = LogType.objects.create(
        program=people.program, code="PARA", name="Paracentesis", kind=LogKind.PROCEDURE, minimum=3
    )
    cvc = LogType.objects.create(
        program=people.program,
        code="CVC",
        name="Central line",
        kind=LogKind.PROCEDURE,
        minimum=5,
    )
    return Setup(
        people=people,
        sched=sched,
        ended=ended,
        eor=Form.objects.get(slug="end-of-rotation", program__isnull=True),
        teaching=Form.objects.get(slug="teaching-evaluation", program__isnull=True),
        para=para,
        cvc=cvc,
    )
