"""Small frameworks and maps for the curriculum tests, built with the ORM."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from trellis.curriculum.models import Activity, ActivityKind, Emphasis, Mapping, Objective
from trellis.frameworks.models import Adoption, Framework, Item, ItemKind
from trellis.people.models import Program
from trellis.testing import People


def make_framework(
    slug: str = "test-milestones",
    *,
    codes: tuple[str, ...] = ("PC1", "PC2", "MK1", "ICS1", "PROF1"),
    developmental: bool = False,
    epas: tuple[str, ...] = (),
) -> Framework:
    framework = Framework.objects.create(
        slug=slug, title=f"Test {slug}", version="1", developmental=developmental
    )
    heads: dict[str, Item] = {}
    position = 0
    for code in codes:
        prefix = code.rstrip("0123456789")
        if prefix not in heads:
            position += 1
            heads[prefix] = Item.objects.create(
                framework=framework,
                kind=ItemKind.COMPETENCY,
                code=prefix,
                name=f"Competency {prefix}",
                statement=f"The {prefix} competency.",
                position=position,
            )
        position += 1
        Item.objects.create(
            framework=framework,
            parent=heads[prefix],
            kind=ItemKind.SUBCOMPETENCY,
            code=code,
            name=f"Subcompetency {code}",
            statement=f"Does {code} well.",
            position=position,
        )
    for code in epas:
        position += 1
        Item.objects.create(
            framework=framework,
            kind=ItemKind.EPA,
            code=code,
            name=f"Activity {code}",
            statement=f"Entrusted with {code}.",
            position=position,
        )
    return framework


def adopt(program: Program, framework: Framework) -> Adoption:
    return Adoption.objects.create(program=program, framework=framework)


def item(framework: Framework, code: str) -> Item:
    return Item.objects.get(framework=framework, code=code)


def make_activity(
    program: Program,
    code: str,
    *,
    kind: str = ActivityKind.CLINICAL_EXPERIENCE,
    parent: Activity | None = None,
    year: int | None = 1,
    hours: str | None = "40",
    weeks: int | None = 4,
    position: int = 0,
) -> Activity:
    return Activity.objects.create(
        program=program,
        code=code,
        title=f"Activity {code}",
        kind=kind,
        parent=parent,
        training_year=year,
        duration_hours=Decimal(hours) if hours else None,
        duration_weeks=weeks,
        position=position,
    )


def map_cell(activity: Activity, it: Item, letters: str, method: str = "") -> None:
    for letter in letters:
        Mapping.objects.create(
            activity=activity,
            item=it,
            emphasis=Emphasis(letter),
            assessment_method=method if letter == "A" else "",
        )


@dataclass
class CraftedMap:
    """A small map whose gaps are known (see test_selectors)."""

    framework: Framework
    developmental: Framework
    wards: Activity
    icu: Activity
    clinic: Activity
    course: Activity
    session: Activity
    objective: Objective


def build_crafted(people: People) -> CraftedMap:
    program = people.program
    fw = make_framework(codes=("PC1", "PC2", "MK1", "ICS1", "PROF1"), epas=("EPA1",))
    dev = make_framework("educator-test", codes=("ETP1", "ETP2"), developmental=True)
    adopt(program, fw)
    adopt(people.fd_program, dev)
    wards = make_activity(program, "WARDS", position=1)
    icu = make_activity(program, "ICU", year=2, position=2)
    clinic = make_activity(program, "CLINIC", position=3)
    course = make_activity(program, "DID", kind=ActivityKind.COURSE, weeks=None, position=4)
    session = make_activity(
        program,
        "DID-1",
        kind=ActivityKind.SESSION,
        parent=course,
        year=None,
        hours="1.5",
        weeks=None,
    )
    objective = Objective.objects.create(
        activity=session, code="DID-1.1", text="Explain the physiology of shock", position=1
    )
    map_cell(wards, item(fw, "PC1"), "IRA", "direct_observation")
    map_cell(wards, item(fw, "PC2"), "I")
    map_cell(wards, item(fw, "ICS1"), "R")
    map_cell(icu, item(fw, "PC1"), "R")
    map_cell(icu, item(fw, "ICS1"), "R")
    map_cell(icu, item(fw, "EPA1"), "A", "osce")
    map_cell(clinic, item(fw, "ICS1"), "I")
    map_cell(clinic, item(fw, "MK1"), "I")
    Mapping.objects.create(
        activity=session, objective=objective, item=item(fw, "MK1"), emphasis=Emphasis.REINFORCED
    )
    return CraftedMap(fw, dev, wards, icu, clinic, course, session, objective)
