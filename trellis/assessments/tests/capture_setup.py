"""A program ready to capture observations: the named people, a schedule (the learner on
Wards today under faculty@), two adopted frameworks, and Wards mapped as assessing two EPAs
and one subcompetency."""

from __future__ import annotations

from dataclasses import dataclass

from trellis.assessments.models import Form, FormVersion
from trellis.curriculum.models import Emphasis, Mapping
from trellis.frameworks.models import Framework, Item
from trellis.frameworks.services import framework_adopt
from trellis.scheduling.tests.factories import Sched, make_schedule
from trellis.testing import People


@dataclass
class Capture:
    people: People
    sched: Sched
    epas: Framework
    milestones: Framework
    epa1: Item
    epa2: Item
    epa3: Item
    pc1: Item
    form: Form
    version: FormVersion


def item(framework: Framework, code: str) -> Item:
    return Item.objects.get(framework=framework, code=code)


def make_capture(people: People) -> Capture:
    sched = make_schedule(people)
    epas = Framework.objects.get(slug="aamc-core-epas")
    milestones = Framework.objects.get(slug="im-milestones-2")
    for fw in (epas, milestones):
        framework_adopt(program=people.program, framework=fw, acting_user=None)
    epa1, epa2, epa3 = (item(epas, c) for c in ("EPA1", "EPA2", "EPA3"))
    pc1 = item(milestones, "PC1")
    for it in (epa1, epa2, pc1):
        Mapping.objects.create(activity=sched.wards.activity, item=it, emphasis=Emphasis.ASSESSED)
    form = Form.objects.get(slug="epa-observation-chen", program__isnull=True)
    version = form.versions.get(number=1)
    return Capture(people, sched, epas, milestones, epa1, epa2, epa3, pc1, form, version)
