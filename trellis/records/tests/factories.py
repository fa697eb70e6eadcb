"""A crafted record: the named people, two adopted frameworks (IM milestones, AAMC EPAs)
and a handful of submitted assessments about the learner with known levels."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from trellis.assessments.models import (
    Assessment,
    AssessmentStatus,
    Comment,
    Form,
    FormVersion,
    Rating,
    Request,
    RequestOrigin,
)
from trellis.frameworks.models import Framework, Item
from trellis.frameworks.services import framework_adopt
from trellis.people.models import User
from trellis.testing import People


@dataclass
class Record:
    people: People
    milestones: Framework
    epas: Framework
    pc1: Item
    pc2: Item
    epa1: Item
    version: FormVersion
    anonymous_version: FormVersion
    assessments: list[Assessment] = field(default_factory=list)


def version_of(slug: str) -> FormVersion:
    return Form.objects.get(slug=slug, program__isnull=True).versions.order_by("-number")[0]


def rate(
    rec: Record,
    *,
    subject: User,
    day: dt.date,
    levels: dict[Item, Decimal | None],
    assessor: User | None = None,
    role: str = "faculty",
    comment: str = "",
    version: FormVersion | None = None,
    status: str = AssessmentStatus.SUBMITTED,
) -> Assessment:
    a = Assessment.objects.create(
        program=rec.people.program,
        form_version=version or rec.version,
        subject=subject,
        assessor=assessor or rec.people.faculty,
        assessor_role=role,
        observed_on=day,
        status=status,
    )
    Rating.objects.bulk_create(
        Rating(assessment=a, item=it, level=lvl, not_observed=lvl is None)
        for it, lvl in levels.items()
    )
    if comment:
        Comment.objects.create(assessment=a, prompt_key="next", text=comment)
    rec.assessments.append(a)
    return a


def make_record(people: People, today: dt.date | None = None) -> Record:
    today = today or dt.date.today()
    milestones = Framework.objects.get(slug="im-milestones-2")
    epas = Framework.objects.get(slug="aamc-core-epas")
    for fw in (milestones, epas):
        framework_adopt(program=people.program, framework=fw, acting_user=None)
    rec = Record(
        people=people,
        milestones=milestones,
        epas=epas,
        pc1=Item.objects.get(framework=milestones, code="PC1"),
        pc2=Item.objects.get(framework=milestones, code="PC2"),
        epa1=Item.objects.get(framework=epas, code="EPA1"),
        version=version_of("end-of-rotation"),
        anonymous_version=version_of("teaching-evaluation"),
    )
    L = Decimal
    learner = people.learner
    rate(
        rec,
        subject=learner,
        day=today - dt.timedelta(days=120),
        levels={rec.pc1: L("1.0"), rec.pc2: L("2.0"), rec.epa1: L("2")},
    )
    rate(
        rec,
        subject=learner,
        day=today - dt.timedelta(days=60),
        levels={rec.pc1: L("1.5"), rec.pc2: None, rec.epa1: L("3")},
        role="nurse",
        comment="Presents clearly; tighten the differential.",
    )
    rate(
        rec,
        subject=learner,
        day=today - dt.timedelta(days=10),
        levels={rec.pc1: L("2.0"), rec.epa1: L("3")},
    )
    # Not evidence: a draft and an anonymous-form assessment.
    rate(
        rec,
        subject=learner,
        day=today - dt.timedelta(days=5),
        levels={rec.pc1: L("5.0")},
        status=AssessmentStatus.DRAFT,
    )
    rate(
        rec,
        subject=learner,
        day=today - dt.timedelta(days=4),
        levels={rec.pc1: L("5.0")},
        version=rec.anonymous_version,
    )
    # The second learner: falling and sparse.
    rate(
        rec, subject=people.learner2, day=today - dt.timedelta(days=200), levels={rec.pc1: L("3.0")}
    )
    rate(
        rec, subject=people.learner2, day=today - dt.timedelta(days=150), levels={rec.pc1: L("2.0")}
    )
    Request.objects.create(
        program=people.program,
        form=rec.version.form,
        subject=learner,
        assessor=people.faculty,
        origin=RequestOrigin.COORDINATOR,
        due_date=today - dt.timedelta(days=3),
    )
    return rec
